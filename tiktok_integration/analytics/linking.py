"""Which publish job made which TikTok video.

First by TikTok's own word: status/fetch's ``publicaly_available_post_id``
(docs/tiktok.md §4.8), kept on the job as ``tiktok_post_ids``, is the video id.
TikTok fills it only once the post is public and moderated, and an inbox draft
gets one only after the creator posts it (§4.10), so jobs without one are
matched against the account's unlinked videos: created near the moment the job
reached TikTok, with a caption like the post's. The match and its score are
kept on the video, so staff can see how sure the link is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from difflib import SequenceMatcher

from django.db import transaction

from tiktok_integration.models import PublishJob, TikTokVideo

#: A direct post shows up on the profile within this long of reaching TikTok
#: (processing is seconds to minutes, moderation "sometimes hours", §4.8).
DIRECT_WINDOW = timedelta(hours=6)
#: An inbox draft may be posted by the creator days later.
INBOX_WINDOW = timedelta(days=14)
#: Clocks differ; a video may carry a create_time slightly before our mark.
EARLY_SLACK = timedelta(minutes=5)
#: Below this score nothing is linked.
MIN_CONFIDENCE = 0.6

_SPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class Candidate:
    """One possible (job, video) pair and its score from 0 to 1."""

    job_id: int
    video_pk: int
    score: float


def _normal(text: str) -> str:
    return _SPACE.sub(" ", text).strip().casefold()


def caption_similarity(left: str, right: str) -> float:
    """0 to 1: how alike two captions are, ignoring case and spacing; TikTok
    may cut a title at 150 characters (§3.4), so a prefix counts as a match."""
    a, b = _normal(left), _normal(right)
    if not a or not b:
        return 0.0
    if a.startswith(b) or b.startswith(a):
        return 1.0
    return SequenceMatcher(None, a, b).ratio()


def match_score(
    *,
    reached_tiktok_at: datetime,
    window: timedelta,
    caption: str,
    created_at: datetime,
    video_text: str,
) -> float:
    """How likely a video created at ``created_at`` with ``video_text`` is the
    post that reached TikTok at ``reached_tiktok_at`` with ``caption``: 0 when
    outside the window, else closeness in time and caption likeness together.
    A video without a caption is judged by time alone, at most 0.75."""
    delta = created_at - reached_tiktok_at
    if delta < -EARLY_SLACK or delta > window:
        return 0.0
    closeness = 1.0 - max(delta, timedelta(0)) / window
    if not _normal(video_text):
        return 0.75 * closeness
    likeness = caption_similarity(caption, video_text)
    return 0.4 * closeness + 0.6 * likeness


def _reached_tiktok_at(job: PublishJob) -> tuple[datetime, timedelta] | None:
    if job.mode == PublishJob.Mode.DRAFT:
        moment = job.sent_to_inbox_at or job.processing_at
        return (moment, INBOX_WINDOW) if moment else None
    moment = job.processing_at or job.published_at
    return (moment, DIRECT_WINDOW) if moment else None


def _link_by_post_id(account_id: int) -> int:
    jobs = PublishJob.objects.filter(account_id=account_id).exclude(tiktok_post_ids=[])
    job_of_post = {
        str(post_id): job_id
        for job_id, post_ids in jobs.values_list("pk", "tiktok_post_ids")
        for post_id in post_ids or []
    }
    if not job_of_post:
        return 0
    linked = 0
    videos = TikTokVideo.objects.filter(
        account_id=account_id, video_id__in=list(job_of_post)
    ).exclude(link_method=TikTokVideo.LinkMethod.POST_ID)
    for video in videos:
        video.publish_job_id = job_of_post[video.video_id]
        video.link_method = TikTokVideo.LinkMethod.POST_ID
        video.link_confidence = 1.0
        linked += 1
        video.save(update_fields=["publish_job", "link_method", "link_confidence"])
    return linked


def _candidates(account_id: int) -> list[Candidate]:
    jobs = list(
        PublishJob.objects.filter(
            account_id=account_id,
            status__in=(PublishJob.Status.PUBLISHED, PublishJob.Status.SENT_TO_INBOX),
            videos__isnull=True,
            # A job TikTok named a post for waits for that video, never a look-alike.
            tiktok_post_ids=[],
        ).select_related("post")
    )
    if not jobs:
        return []
    earliest = min(
        (mark[0] for mark in map(_reached_tiktok_at, jobs) if mark), default=None
    )
    if earliest is None:
        return []
    videos = list(
        TikTokVideo.objects.filter(
            account_id=account_id,
            publish_job__isnull=True,
            created_on_tiktok_at__gte=earliest - EARLY_SLACK,
        ).only("pk", "created_on_tiktok_at", "title", "description")
    )
    found = []
    for job in jobs:
        mark = _reached_tiktok_at(job)
        if mark is None:
            continue
        for video in videos:
            score = match_score(
                reached_tiktok_at=mark[0],
                window=mark[1],
                caption=job.post.caption or job.post.title,
                created_at=video.created_on_tiktok_at,
                video_text=video.title or video.description,
            )
            if score >= MIN_CONFIDENCE:
                found.append(Candidate(job.pk, video.pk, round(score, 3)))
    return found


def _link_by_matching(account_id: int) -> int:
    # Best pairs first, each job and each video used once.
    taken_jobs: set[int] = set()
    taken_videos: set[int] = set()
    linked = 0
    for candidate in sorted(
        _candidates(account_id), key=lambda item: item.score, reverse=True
    ):
        if candidate.job_id in taken_jobs or candidate.video_pk in taken_videos:
            continue
        taken_jobs.add(candidate.job_id)
        taken_videos.add(candidate.video_pk)
        linked += TikTokVideo.objects.filter(
            pk=candidate.video_pk, publish_job__isnull=True
        ).update(
            publish_job_id=candidate.job_id,
            link_method=TikTokVideo.LinkMethod.MATCHED,
            link_confidence=candidate.score,
        )
    return linked


def analytics_link_account(*, account_id: int) -> int:
    """Link the account's videos to the jobs that made them: by post id, then
    by matching. A matched link is replaced when TikTok later names the post
    id. Returns how many videos were linked now."""
    with transaction.atomic():
        linked = _link_by_post_id(account_id)
        linked += _link_by_matching(account_id)
    return linked
