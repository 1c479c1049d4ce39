"""``/review/`` routes: the client's preview page and its media."""

from django.urls import path

from cms.review import views

urlpatterns = [
    path("<str:token>/", views.preview_page, name="review_preview"),
    path(
        "<str:token>/media/<int:position>/",
        views.preview_media,
        name="review_preview_media",
    ),
]
