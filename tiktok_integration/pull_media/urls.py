"""Routes under ``/<TIKTOK_PULL_MEDIA_PATH>`` (config/urls.py mounts them)."""

from django.urls import re_path

from tiktok_integration.pull_media import views

app_name = "tiktok_media"

urlpatterns = [
    re_path(
        r"^(?P<token>[A-Za-z0-9_\-.:=]+)/(?P<name>[A-Za-z0-9_.\-]+)$",
        views.pull_media_file,
        name="file",
    ),
    re_path(
        r"^(?P<name>[A-Za-z0-9_\-]+\.txt)$",
        views.verification_file,
        name="verification",
    ),
]
