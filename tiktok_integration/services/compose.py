"""The composer's write: one post for one or more TikTok accounts, checked again
on the server against every rule, then saved with one publish job per account.

The screen (cms composer) sends a ``ComposeRequest``; ``post_compose`` trusts
nothing in it: membership, ownership of accounts and media, fresh creator info
per direct target (docs/tiktok.md §4.2, §8.1), the composer's rules
(``composer.check_post``), the scope each mode needs (§2), what an inbox draft
cannot carry (§4.4, §4.5), the time (``cms.scheduling``) and consent (§8.6).
Either everything is written in one transaction or nothing is
(``ComposeError``). The post's time drives its jobs: ``post_reschedule`` moves
them together.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cms.models import Post, PostMedia
from cms.review.transitions import post_after_compose
from cms.scheduling import LocalTimeError
from media_library.models import MediaAsset
from media_library.selectors import media_asset_pull_url
from tiktok_integration.client.facts import PrivacyLevel
from tiktok_integration.composer import (
    DIRECT,
    DIRECT_ONLY_FIELDS,
    DRAFT,
    SCOPE_FOR_MODE,
)
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.models import PostingQueue, PublishJob
from tiktok_integration.publishing.transitions import (
    publish_job_cancel_unstarted,
    publish_job_create,
    publish_job_reopen,
    publish_job_save_edit,
)
from tiktok_integration.selectors import job_is_started
from tiktok_integration.services.compose_checks import (
    Checked,
    ErrorMap,
    FreshCreatorInfo,
    check_request,
    job_differs,
    queue_slot_for,
)
from tiktok_integration.services.review_content import post_content_fingerprint

Status = PublishJob.Status


@dataclass(frozen=True, slots=True)
class ComposeTarget:
    """What staff chose for one account in the composer.

    ``mode`` is ``composer.DIRECT`` or ``composer.DRAFT``. For a draft the
    direct-only choices (``composer.DIRECT_ONLY_FIELDS``, and the video cover)
    must be left empty: TikTok receives none of them (§4.4). ``declaration_text``
    is the exact sentence the screen showed (§8.5); ``creator_info_shown`` the
    creator info snapshot its panel rendered.
    """

    account_id: int
    mode: str
    privacy_level: str = ""
    allow_comment: bool = False
    allow_duet: bool = False
    allow_stitch: bool = False
    brand_organic: bool = False
    brand_content: bool = False
    is_aigc: bool = False
    cover_timestamp_ms: int | None = None
    photo_cover_index: int = 0
    photo_title: str = ""
    declaration_text: str = ""
    creator_info_shown: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ComposeRequest:
    """One submit of the composer. ``wall_time`` is naive, in ``time_zone``
    (IANA), None when ``publish_now``; ``fold`` answers a repeated hour (0/1).
    ``media_ids`` in order: one video, or 1..35 photos. ``post_id`` None makes
    a new post. ``consented``: the user pressed the button showing the
    declaration (or ran ``import_posts`` with ``--consent``).
    ``add_to_queue``: "Add to queue" instead of a typed time: the post goes at
    the earliest free slot shared by every target account's queue
    (``tiktok_integration.queues.queue_next_common_slot``), in the workspace's
    zone; ``wall_time``, ``time_zone`` and ``fold`` are then ignored.
    ``external_id`` (when not "") is written on the post, the key
    ``import_posts`` upserts on; ``origin`` (when not empty) is kept in each
    job's evidence as "origin", e.g. {"command": "import_posts", "file": ...,
    "line": 3, "at": ISO 8601}. ``submit_key``: the composer form's
    double-submit key; a new post sent again with the same key is not written
    twice (``post_compose`` returns the first).
    """

    workspace_id: int
    user_id: int
    post_id: int | None
    title: str
    caption: str
    media_ids: tuple[int, ...]
    publish_now: bool
    wall_time: datetime | None
    time_zone: str
    fold: int | None
    targets: tuple[ComposeTarget, ...]
    consented: bool
    add_to_queue: bool = False
    external_id: str = ""
    origin: dict[str, Any] = field(default_factory=dict)
    submit_key: uuid.UUID | None = None


class ComposeError(Exception):
    """Nothing was written. ``errors`` maps a key to sentences saying what to
    fix: "" (whole post), "caption", "media", "when", "targets",
    "target:<account id>" (a whole panel), "target:<account id>:<field>" (a
    ``ComposeTarget`` field). ``local_time_error`` is the ``LocalTimeError``
    behind a "when" message (its valid choices), else None."""

    def __init__(
        self,
        errors: dict[str, list[str]],
        local_time_error: LocalTimeError | None = None,
    ) -> None:
        super().__init__(
            "; ".join(f"{key or 'post'}: {' '.join(v)}" for key, v in errors.items())
        )
        self.errors = errors
        self.local_time_error = local_time_error


def _raise_if(errors: ErrorMap) -> None:
    if errors.errors:
        raise ComposeError(errors.errors, errors.local_time_error)


def post_compose(
    *, request: ComposeRequest, fresh: FreshCreatorInfo | None = None
) -> Post:
    """Check ``request`` against every rule, then in one transaction create or
    update the post (wall time and zone kept) and one ``PublishJob`` per target:
    created, updated if not claimed yet, cancelled if its account was removed
    and nothing was sent; each job stores the consent evidence in
    ``consent_snapshot``. A job already claimed or beyond is not changed: if the
    request would change or remove it, ``ComposeError`` names it.

    In the same transaction the post's editorial state follows
    (``cms.review.transitions.post_after_compose``): scheduled without an
    approval policy, else sent for review, or back to review when the caption,
    media or TikTok settings of an approved post changed
    (``services.review_content``); the consent stays the presser's.

    Calls TikTok's creator_info for each direct target (through the gateway,
    within its rate limit) before the transaction, once per account for as
    long as ``fresh`` lives (pass one to share it across many requests).
    A new post sent again with the same ``submit_key`` (a second press, a
    resent form) returns the post the first one wrote, writing nothing: each
    of its jobs carries ``idempotency_key`` = uuid5(``submit_key``, account id),
    unique in the database, so two sends at the same instant cannot both write.

    Raises ``ComposeError``; never writes part of it. Returns the saved post.
    """
    already = _post_of_submit_key(request)
    if already is not None:
        return already
    checked, errors = check_request(request, fresh)
    if checked is None or errors.errors:
        raise ComposeError(errors.errors, errors.local_time_error)
    try:
        return _save(request, checked)
    except (IntegrityError, ValidationError):
        # The same form sent twice at once: the other send wrote the post (the
        # job's unique key refused this one, in validation or in the database).
        already = _post_of_submit_key(request)
        if already is None:
            raise
        return already


def _job_key(submit_key: uuid.UUID, account_id: int) -> uuid.UUID:
    return uuid.uuid5(submit_key, str(account_id))


def _post_of_submit_key(request: ComposeRequest) -> Post | None:
    if request.submit_key is None or request.post_id is not None:
        return None
    keys = [_job_key(request.submit_key, t.account_id) for t in request.targets]
    job = (
        PublishJob.objects.filter(
            idempotency_key__in=keys, post__workspace_id=request.workspace_id
        )
        .select_related("post")
        .first()
    )
    return None if job is None else job.post


def _save(request: ComposeRequest, checked: Checked) -> Post:
    user = get_user_model().objects.get(pk=request.user_id)
    with transaction.atomic():
        if request.add_to_queue:
            checked = _take_queue_slot(request, checked)
        before = post_content_fingerprint(post_id=request.post_id)
        post = _write_post(request, checked)
        _write_jobs(request, checked, post)
        # The review state follows: submitted, or back to review when what
        # reviewers approved changed (consent stays the presser's, on the jobs).
        return post_after_compose(
            post_id=post.pk,
            user=user,
            content_changed=before != post_content_fingerprint(post_id=post.pk),
        )


def _take_queue_slot(request: ComposeRequest, checked: Checked) -> Checked:
    # Slots are computed from planned posts, not reserved: two presses of "Add
    # to queue" at once would both see the same slot free. Locking the
    # queues (SQLite's IMMEDIATE transactions already run one writer at a
    # time) and looking again once the other post is saved gives each its own.
    account_ids = sorted(target.account_id for target in request.targets)
    list(
        PostingQueue.objects.select_for_update()
        .filter(account_id__in=account_ids)
        .order_by("account_id")
        .values_list("pk", flat=True)
    )
    errors = ErrorMap()
    moment, wall_time, fold = queue_slot_for(errors, request, checked.time_zone)
    _raise_if(errors)
    if moment is None or wall_time is None or moment == checked.scheduled_at:
        return checked
    return replace(checked, scheduled_at=moment, wall_time=wall_time, fold=fold)


def _write_post(request: ComposeRequest, checked: Checked) -> Post:
    if request.post_id is None:
        post = Post(workspace_id=request.workspace_id, created_by_id=request.user_id)
    else:
        post = Post.objects.select_for_update().get(
            pk=request.post_id, workspace_id=request.workspace_id
        )
    post.title = checked.title
    post.caption = request.caption
    post.time_zone = checked.time_zone
    post.scheduled_date = checked.wall_time.date()
    post.scheduled_time = checked.wall_time.time()
    post.scheduled_fold = checked.fold
    post.scheduled_at = checked.scheduled_at
    if request.external_id:
        post.external_id = request.external_id
    post.full_clean()
    post.save()
    current = list(
        post.post_media.order_by("position").values_list("asset_id", flat=True)
    )
    if current != list(request.media_ids):
        post.post_media.all().delete()
        PostMedia.objects.bulk_create(
            PostMedia(post=post, asset_id=asset_id, position=position)
            for position, asset_id in enumerate(request.media_ids)
        )
    return post


def _write_jobs(request: ComposeRequest, checked: Checked, post: Post) -> None:
    errors = ErrorMap()
    existing = {
        job.account_id: job
        for job in PublishJob.objects.select_for_update().filter(post=post)
    }
    media_changed = checked.media_changed
    wanted = {target.account_id: target for target in request.targets}
    source = _source_for(checked.assets)
    consented_at = db_now()
    for account_id, job in existing.items():
        if not job_is_started(job):
            continue
        target = wanted.get(account_id)
        label = f"@{checked.account_names.get(account_id) or job.account_id}"
        state = job.get_status_display()
        if target is None:
            errors.add(
                "targets",
                f"{label} cannot be removed: its copy is already '{state}'.",
            )
        elif media_changed or job_differs(job, target, checked.scheduled_at):
            errors.add(
                f"target:{account_id}",
                f"{label} is already '{state}', so its time, media and settings "
                "can no longer change: keep them as they were, or make a new post.",
            )
    _raise_if(errors)
    for account_id, target in wanted.items():
        job = existing.get(account_id) or PublishJob(post=post, account_id=account_id)
        if job.pk is None and request.submit_key is not None:
            job.idempotency_key = _job_key(request.submit_key, account_id)
        if job.pk is not None and job_is_started(job):
            continue
        _apply(job, target, checked, source)
        job.consent_snapshot = _evidence(
            target, checked, user_id=request.user_id, at=consented_at
        )
        if request.origin:
            job.consent_snapshot["origin"] = dict(request.origin)
        if job.pk is None:
            publish_job_create(job=job, status=Status.SCHEDULED, validate=True)
        elif job.status == Status.CANCELLED:
            publish_job_reopen(job=job)
        else:
            publish_job_save_edit(job=job, current=job.status)
    for account_id, job in existing.items():
        if account_id not in wanted and job.status in PublishJob.EDITABLE:
            publish_job_cancel_unstarted(publish_job_id=job.pk)


def _apply(
    job: PublishJob, target: ComposeTarget, checked: Checked, source: str
) -> None:
    is_direct = target.mode == DIRECT
    job.mode = DIRECT if is_direct else DRAFT
    held = job.status == Status.NEEDS_CONFIRMATION
    if job.scheduled_at != checked.scheduled_at or held:
        # Staff gave it a new time, or confirmed a held copy: a cap's deferral
        # belonged to the old decision (the cap is checked again when it goes).
        job.deferred_until = None
        job.deferred_reason = ""
    job.scheduled_at = checked.scheduled_at
    job.source = source
    job.privacy_level = target.privacy_level if is_direct else ""
    job.allow_comment = target.allow_comment and is_direct
    job.allow_duet = target.allow_duet and is_direct
    job.allow_stitch = target.allow_stitch and is_direct
    job.brand_organic = target.brand_organic and is_direct
    job.brand_content = target.brand_content and is_direct
    job.is_aigc = target.is_aigc and is_direct
    job.cover_timestamp_ms = target.cover_timestamp_ms if is_direct else None
    job.photo_cover_index = target.photo_cover_index
    job.photo_title = target.photo_title
    job.failure_message = ""


def _evidence(
    target: ComposeTarget, checked: Checked, *, user_id: int, at: datetime
) -> dict[str, Any]:
    """The consent evidence stored on the job (``PublishJob.consent_snapshot``):
    what the screen showed, what TikTok said on submit, what was chosen and
    what TikTok receives, who consented and when (ISO 8601 UTC)."""
    fresh = checked.creator_info.get(target.account_id, {})
    options = tuple(fresh.get("privacy_level_options") or ())
    is_direct = target.mode == DIRECT
    sent = (
        ["caption", *DIRECT_ONLY_FIELDS, "cover_timestamp_ms"]
        if is_direct
        else (
            ["media"]
            if checked.assets and checked.assets[0].kind == MediaAsset.Kind.VIDEO
            else ["caption", "photo_title", "photo_cover_index"]
        )
    )
    return {
        "mode": target.mode,
        "scope_needed": SCOPE_FOR_MODE[target.mode],
        "creator_info_shown": dict(target.creator_info_shown),
        "creator_info_checked": fresh,
        "choices": {
            "privacy_level": target.privacy_level if is_direct else "",
            "allow_comment": target.allow_comment and is_direct,
            "allow_duet": target.allow_duet and is_direct,
            "allow_stitch": target.allow_stitch and is_direct,
            "brand_organic": target.brand_organic and is_direct,
            "brand_content": target.brand_content and is_direct,
            "is_aigc": target.is_aigc and is_direct,
            "cover_timestamp_ms": target.cover_timestamp_ms if is_direct else None,
            "photo_title": target.photo_title,
            "photo_cover_index": target.photo_cover_index,
        },
        "sent_to_tiktok": sent,
        "declaration_text": target.declaration_text,
        "consented_by": {"id": user_id, "name": checked.user_name},
        "consented_at": at.isoformat(),
        "app_looked_unaudited": is_direct and options == (PrivacyLevel.SELF_ONLY,),
    }


def _source_for(assets: tuple[MediaAsset, ...]) -> str:
    # PULL_FROM_URL when the media is already on a verified URL (§8.7).
    if assets and assets[0].kind == MediaAsset.Kind.VIDEO:
        if media_asset_pull_url(assets[0]) is not None:
            return PublishJob.Source.PULL_FROM_URL
        return PublishJob.Source.FILE_UPLOAD
    return PublishJob.Source.PULL_FROM_URL
