from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from cms.views import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("tiktok/", include("tiktok_integration.urls")),
]

if settings.TIKTOK_SANDBOX:
    # The built-in TikTok emulator; its views also 404 whenever the mode is off.
    urlpatterns.append(
        path(settings.TIKTOK_SANDBOX_PREFIX, include("tiktok_sandbox.urls"))
    )

if settings.MEDIA_URL.startswith("/"):
    # Media only for members of the file's workspace, with DEBUG on or off;
    # never a public static route.
    urlpatterns.append(
        path(settings.MEDIA_URL.lstrip("/"), include("media_library.urls"))
    )
