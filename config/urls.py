from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path

from cms.views import favicon, healthz
from tiktok_integration.pull_media.views import verification_file

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon, name="favicon"),
    path(settings.ADMIN_URL, admin.site.urls),
    path("tiktok/", include("tiktok_integration.urls")),
    # Public for TikTok: pulled media and verification files (no login, no
    # redirects), and the Terms and Privacy pages its portal links to.
    path(
        settings.TIKTOK_PULL_MEDIA_PATH, include("tiktok_integration.pull_media.urls")
    ),
    path("legal/", include("cms.legal.urls")),
    # Public for clients: a post's preview by signed, expiring, revocable link.
    path("review/", include("cms.review.urls")),
    # TikTok's URL verification files at the root and under /legal/, so either
    # can be verified as a URL prefix (the pull prefix serves them too).
    re_path(
        r"^(?:legal/)?(?P<name>[A-Za-z0-9_\-]+\.txt)$",
        verification_file,
        name="verification_file",
    ),
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
