"""Public, login-free answers TikTok fetches: pulled media and URL
verification files (docs/tiktok.md §4.7, §10).

Nothing here redirects (TikTok treats any 3xx as a failure) or asks for a
login; anything not recognised is a plain 404 that does not say why.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_safe

from cms.models import PostMedia
from media_library.models import MediaAsset
from media_library.streaming import stored_file_response
from tiktok_integration.models import PublishJob, UrlVerificationFile
from tiktok_integration.pull_media.links import pull_media_target

#: A link works only while TikTok may be downloading: from the init until the
#: job leaves PROCESSING (published, failed, cancelled, in the inbox...).
PULLING = (PublishJob.Status.INIT_PENDING, PublishJob.Status.PROCESSING)


@require_safe
def pull_media_file(request: HttpRequest, token: str, name: str) -> HttpResponseBase:
    """Stream the file a signed link names (200 whole, 206 one range, 416).

    404 when the token is forged or expired, the job is not in flight, or the
    asset is no longer part of the job's post. ``name`` is only decorative.
    """
    target = pull_media_target(token)
    if target is None:
        raise Http404
    job = PublishJob.objects.filter(pk=target.job_id, status__in=PULLING).first()
    if job is None:
        raise Http404
    if not PostMedia.objects.filter(
        post_id=job.post_id, asset_id=target.asset_id
    ).exists():
        raise Http404
    asset = MediaAsset.objects.get(pk=target.asset_id)
    if not asset.file.name:
        raise Http404
    return stored_file_response(
        asset.file.name,
        content_type=asset.mime_type or "application/octet-stream",
        range_header=request.headers.get("Range", ""),
        # Signed, short-lived and refused once the post is done: no caching.
        cache_control="no-store",
    )


@require_safe
def verification_file(request: HttpRequest, name: str) -> HttpResponse:
    """The verification file called ``name``, byte for byte as stored,
    ``text/plain``, no newline added; 404 for any other name."""
    found = UrlVerificationFile.objects.filter(file_name=name).first()
    if found is None:
        raise Http404
    body = found.content.encode("utf-8")
    response = HttpResponse(body, content_type="text/plain; charset=utf-8")
    response["Content-Length"] = str(len(body))
    response["Cache-Control"] = "no-cache"
    return response
