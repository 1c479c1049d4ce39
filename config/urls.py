from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

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

if settings.DEBUG and settings.STORAGE_BACKEND == "local":
    # Local media for `make run`; production serves media from object storage.
    urlpatterns.append(
        re_path(
            r"^{}(?P<path>.*)$".format(settings.MEDIA_URL.lstrip("/")),
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    )
