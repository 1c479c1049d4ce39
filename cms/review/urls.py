"""``/review/`` routes: the client's preview page and its media, and the
review emails' setting page and one-click unsubscribe."""

from django.urls import path

from cms.review import email_views, views

urlpatterns = [
    path(
        "email/<str:token>/",
        email_views.email_setting_page,
        name="review_email_setting",
    ),
    path(
        "email/<str:token>/one-click/",
        email_views.email_one_click_unsubscribe,
        name="review_email_one_click",
    ),
    path("<str:token>/", views.preview_page, name="review_preview"),
    path(
        "<str:token>/media/<int:position>/",
        views.preview_media,
        name="review_preview_media",
    ),
]
