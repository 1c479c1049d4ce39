"""The media a job sends, and the composer's view of a job."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from cms.models import PostMedia
from media_library.models import MediaAsset
from tiktok_integration.composer import PHOTO, VIDEO, PostChoices
from tiktok_integration.models import PublishJob
from tiktok_integration.pull_media.links import asset_pull_url


class MediaProblemError(Exception):
    """The post's media cannot be published as it stands; ``str()`` says why."""


@dataclass(frozen=True, slots=True)
class JobMedia:
    kind: str
    assets: tuple[MediaAsset, ...]

    @property
    def video(self) -> MediaAsset:
        return self.assets[0]

    @property
    def fingerprint(self) -> str:
        """The SHA-256 frozen on the job: the video's, or one over the photos'."""
        if self.kind == VIDEO:
            return self.video.sha256
        return hashlib.sha256(
            "|".join(asset.sha256 for asset in self.assets).encode()
        ).hexdigest()


def job_media(job: PublishJob) -> JobMedia:
    """The post's media in order; raises MediaProblemError if it cannot be sent."""
    assets = tuple(
        link.asset
        for link in PostMedia.objects.filter(post_id=job.post_id)
        .select_related("asset")
        .order_by("position")
    )
    if not assets:
        raise MediaProblemError("The post has no media: add a video or photos.")
    kinds = {asset.kind for asset in assets}
    if len(kinds) > 1:
        raise MediaProblemError("A post is either one video or photos, not both.")
    for asset in assets:
        if not asset.is_tiktok_ready:
            reasons = "; ".join(asset.validation_errors or []) or "not checked yet"
            raise MediaProblemError(f"'{asset}' is not TikTok-ready: {reasons}.")
    return JobMedia(kind=kinds.pop(), assets=assets)


def post_choices(job: PublishJob, media: JobMedia | None) -> PostChoices:
    """What staff chose for this job, in the composer's terms."""
    return PostChoices(
        mode=job.mode,
        media_kind=media.kind if media else VIDEO,
        caption=job.post.caption,
        privacy_level=job.privacy_level,
        allow_comment=job.allow_comment,
        allow_duet=job.allow_duet,
        allow_stitch=job.allow_stitch,
        brand_organic=job.brand_organic,
        brand_content=job.brand_content,
        is_aigc=job.is_aigc,
        cover_timestamp_ms=job.cover_timestamp_ms,
        photo_title=job.photo_title,
        photo_cover_index=job.photo_cover_index,
        video_duration_seconds=media.video.duration_seconds
        if media and media.kind == VIDEO
        else None,
        media_count=len(media.assets) if media else 1,
    )


def photo_urls(job: PublishJob, media: JobMedia) -> list[str]:
    """Verified URLs TikTok pulls the photos from, in order; photos cannot be
    uploaded (§4.5). Raises ``MediaProblemError`` naming what to set up."""
    urls = []
    for position, asset in enumerate(media.assets):
        url = asset_pull_url(job_id=job.pk, asset=asset, position=position, photo=True)
        if url is None:
            raise MediaProblemError(
                f"'{asset}' has no URL verified with TikTok, and TikTok takes "
                "photos only from verified URLs (PULL_FROM_URL): verify "
                "Postdeck's media prefix at TikTok and add it under Media "
                "library > Verified URL prefixes (see the TikTok review kit page)."
            )
        urls.append(url)
    return urls


def video_pull_url(job: PublishJob, media: JobMedia) -> str | None:
    """The verified URL TikTok can pull the video from, or None (then the file
    is uploaded with FILE_UPLOAD; §8 rule 7 prefers pulling)."""
    return asset_pull_url(job_id=job.pk, asset=media.video, position=0, photo=False)


def is_photo(media: JobMedia) -> bool:
    return media.kind == PHOTO
