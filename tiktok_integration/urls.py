from django.urls import path

from tiktok_integration import views

app_name = "tiktok"

urlpatterns = [
    path("connect/", views.connect, name="connect"),
    path("callback/", views.callback, name="callback"),
    path("webhook/", views.webhook, name="webhook"),
]
