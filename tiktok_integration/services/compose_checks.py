"""The server-side checks behind ``services.compose``: everything a composer
request must satisfy before anything is written, and the evidence kept per job.

Reads only, plus the creator info TikTok gives for direct targets (stored on
the account by ``tiktok_account_check_creator_info``, §4.2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model

from cms.models import Post
from cms.scheduling import LocalTimeError, local_to_utc, utc_to_local
from media_library.models import MediaAsset
from tiktok_integration.calendar.capacity import capacity_problems
from tiktok_integration.client import TikTokError
from tiktok_integration.client.facts import MAX_PHOTO_IMAGES
from tiktok_integration.composer import (
    BRANDED_DECLARATION,
    DIRECT,
    DIRECT_ONLY_FIELDS,
    DRAFT,
    DRAFT_RULES,
    MUSIC_DECLARATION,
    PHOTO,
    VIDEO,
    CreatorRules,
    PostChoices,
    check_post,
    draft_extras,
    missing_scope,
)
from tiktok_integration.gateway.clock import db_now
from tiktok_integration.gateway.errors import ComeBackLaterError
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_integration.pull_media.readiness import (
    photos_not_ready_message,
    pull_media_readiness,
)
from tiktok_integration.queues import QUEUE_HORIZON, queue_next_common_slot
from tiktok_integration.services.accounts import tiktok_account_check_creator_info
from tiktok_integration.services.tokens import ReconnectRequiredError
from workspaces.models import Workspace, WorkspaceMembership

if TYPE_CHECKING:
    from tiktok_integration.services.compose import ComposeRequest, ComposeTarget

TITLE_FROM_CAPTION_CHARS = 60
#: ComposeTarget fields a composer rule may name.
TARGET_FIELDS = {
    *DIRECT_ONLY_FIELDS,
    "cover_timestamp_ms",
    "photo_cover_index",
    "photo_title",
    "mode",
    "declaration_text",
}


@dataclass
class ErrorMap:
    """Sentences by ``ComposeError`` key, each once, in the order found."""

    errors: dict[str, list[str]] = field(default_factory=dict)
    local_time_error: LocalTimeError | None = None

    def add(self, key: str, message: str) -> None:
        messages = self.errors.setdefault(key, [])
        if message not in messages:
            messages.append(message)


@dataclass(frozen=True, slots=True)
class Checked:
    """A request that passed: what will be written. ``wall_time`` naive in
    ``time_zone``; ``scheduled_at`` aware UTC; ``creator_info`` the fresh
    snapshot per direct target's account id."""

    title: str
    time_zone: str
    wall_time: datetime
    fold: int
    scheduled_at: datetime
    assets: tuple[MediaAsset, ...]
    media_changed: bool
    account_names: dict[int, str]
    creator_info: dict[int, dict[str, Any]]
    user_name: str


class FreshCreatorInfo:
    """Creator info asked of TikTok at most once per account while this object
    lives: one composer submit, or one whole file of ``import_posts`` (§4.2,
    §8.1: asked at submit time, never read from an old snapshot).

    ``for_account(account)`` returns ``(snapshot, "")`` (the dict stored on the
    account by ``tiktok_account_check_creator_info``) or ``(None, reason)``
    with a sentence for staff; a refusal is remembered too, so an account
    TikTok cannot answer for is not asked again for every row.
    """

    def __init__(self) -> None:
        self._asked: dict[int, tuple[dict[str, Any] | None, str]] = {}

    def for_account(self, account: TikTokAccount) -> tuple[dict[str, Any] | None, str]:
        if account.pk not in self._asked:
            self._asked[account.pk] = _ask_creator_info(account)
        return self._asked[account.pk]


def member_of(user_id: int, workspace_id: int) -> bool:
    """Whether the user may work in the workspace (a superuser always may; a
    client reviewer may only review, never compose)."""
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return False
    if user.is_superuser:
        return True
    return (
        WorkspaceMembership.objects.filter(user_id=user_id, workspace_id=workspace_id)
        .exclude(role=WorkspaceMembership.Role.CLIENT_REVIEWER)
        .exists()
    )


def instant_for(
    errors: ErrorMap, wall_time: datetime | None, time_zone: str, fold: int | None
) -> datetime | None:
    """The UTC instant of a typed wall time, or None with a "when" error (gap,
    repeat without fold, unknown zone, missing, or not in the future)."""
    if wall_time is None:
        errors.add("when", "Choose a date and time, or publish now.")
        return None
    try:
        moment = local_to_utc(wall_time, time_zone, fold=fold)
    except LocalTimeError as error:
        errors.add("when", str(error))
        errors.local_time_error = error
        return None
    if moment <= db_now():
        errors.add(
            "when",
            f"{wall_time:%H:%M on %d %b %Y} in {time_zone} has already passed; "
            "choose a later time or publish now.",
        )
        return None
    return moment


def job_differs(job: PublishJob, target: ComposeTarget, scheduled_at: datetime) -> bool:
    """Whether saving ``target`` would change the job's time or settings."""
    if job.scheduled_at != scheduled_at or job.mode != target.mode:
        return True
    names = [
        *(DIRECT_ONLY_FIELDS if target.mode == DIRECT else ()),
        "photo_cover_index",
        "photo_title",
    ]
    return any(getattr(job, name) != getattr(target, name) for name in names)


def check_request(
    request: ComposeRequest, fresh: FreshCreatorInfo | None = None
) -> tuple[Checked | None, ErrorMap]:
    """Every rule of the composer, checked on the server (see
    ``services.compose.post_compose``). ``fresh`` shares creator info asked
    earlier in the same run (a new one when None). Returns what will be
    written, or None with the errors found (an ``ErrorMap`` that is empty when
    all is well)."""
    errors = ErrorMap()
    fresh = fresh or FreshCreatorInfo()
    if not member_of(request.user_id, request.workspace_id):
        errors.add("", "You are not a member of this workspace.")
        return None, errors
    existing_media: list[int] = []
    if request.post_id is not None:
        post = Post.objects.filter(
            pk=request.post_id, workspace_id=request.workspace_id
        ).first()
        if post is None:
            errors.add("", "This post is not in the workspace.")
            return None, errors
        existing_media = list(
            post.post_media.order_by("position").values_list("asset_id", flat=True)
        )
    if not request.consented:
        errors.add(
            "",
            "Nothing was saved: read the declaration and press the button that "
            "shows it to consent to posting.",
        )
    time_zone = (
        _workspace_zone(request.workspace_id)
        if request.add_to_queue or not request.time_zone
        else request.time_zone
    )
    scheduled_at, wall_time, fold = _when(errors, request, time_zone)
    assets = _media(errors, request)
    accounts = _accounts(errors, request)
    creator_info: dict[int, dict[str, Any]] = {}
    for target in request.targets:
        account = accounts.get(target.account_id)
        if account is not None:
            info = _check_target(errors, request, target, account, assets, fresh)
            if info is not None:
                creator_info[target.account_id] = info
    if scheduled_at is not None:
        _check_capacity(errors, request, accounts, scheduled_at, time_zone)
    if errors.errors or scheduled_at is None or wall_time is None:
        return None, errors
    user = get_user_model().objects.get(pk=request.user_id)
    return (
        Checked(
            title=request.title.strip() or _title_from(request.caption),
            time_zone=time_zone,
            wall_time=wall_time,
            fold=fold,
            scheduled_at=scheduled_at,
            assets=assets,
            media_changed=request.post_id is not None
            and existing_media != list(request.media_ids),
            account_names={pk: account.username for pk, account in accounts.items()},
            creator_info=creator_info,
            user_name=user.get_full_name() or user.get_username(),
        ),
        errors,
    )


def _check_capacity(
    errors: ErrorMap,
    request: ComposeRequest,
    accounts: dict[int, TikTokAccount],
    scheduled_at: datetime,
    time_zone: str,
) -> None:
    # The calendar's warning, enforced: TikTok's daily caps per local day (§6).
    problems = capacity_problems(
        targets=[
            (target.account_id, target.mode)
            for target in request.targets
            if target.account_id in accounts
        ],
        scheduled_at=scheduled_at,
        time_zone=time_zone,
        post_id=request.post_id,
    )
    for account_id, messages in problems.items():
        for message in messages:
            errors.add(
                f"target:{account_id}",
                f"{message} Choose another day for this account.",
            )


def _workspace_zone(workspace_id: int) -> str:
    return Workspace.objects.values_list("time_zone", flat=True).get(pk=workspace_id)


def _title_from(caption: str) -> str:
    first_line = next(
        (line.strip() for line in caption.splitlines() if line.strip()), ""
    )
    if len(first_line) > TITLE_FROM_CAPTION_CHARS:
        first_line = first_line[: TITLE_FROM_CAPTION_CHARS - 1].rstrip() + "…"
    return first_line or "Untitled post"


def _when(
    errors: ErrorMap, request: ComposeRequest, time_zone: str
) -> tuple[datetime | None, datetime | None, int]:
    if request.publish_now:
        now = db_now()
        try:
            local = utc_to_local(now, time_zone)
        except LocalTimeError as error:
            errors.add("when", str(error))
            return None, None, 0
        return now, local.replace(tzinfo=None), local.fold
    if request.add_to_queue:
        return queue_slot_for(errors, request, time_zone)
    moment = instant_for(errors, request.wall_time, time_zone, request.fold)
    if moment is None or request.wall_time is None:
        return None, None, 0
    return moment, request.wall_time, utc_to_local(moment, time_zone).fold


def queue_slot_for(
    errors: ErrorMap, request: ComposeRequest, time_zone: str
) -> tuple[datetime | None, datetime | None, int]:
    """The next free slot shared by the request's target accounts' queues:
    (aware UTC instant, naive wall time in ``time_zone``, fold), or
    (None, None, 0) with a "when" error saying what to do. One post has one
    time, so its accounts share a slot (docs/queues.md)."""
    moment = queue_next_common_slot(
        [target.account_id for target in request.targets],
        after=db_now(),
        exclude_post_id=request.post_id,
    )
    if moment is None:
        errors.add(
            "when",
            "No free queue slot: "
            + (
                "the chosen accounts' queues share none"
                if len(request.targets) > 1
                else "the account's queue has none"
            )
            + f" in the next {QUEUE_HORIZON.days // 7} weeks (or a queue is "
            "paused or has no slots). Add slots under Posting queues, or pick "
            "a date and time.",
        )
        return None, None, 0
    local = utc_to_local(moment, time_zone)
    return moment, local.replace(tzinfo=None), local.fold


def _media(errors: ErrorMap, request: ComposeRequest) -> tuple[MediaAsset, ...]:
    ids = request.media_ids
    if not ids:
        errors.add("media", "Add one video or 1 to 35 photos.")
        return ()
    found = {
        asset.pk: asset
        for asset in MediaAsset.objects.filter(
            pk__in=ids, workspace_id=request.workspace_id
        )
    }
    if len(set(ids)) != len(ids):
        errors.add("media", "The same file is added twice; keep it once.")
    if any(pk not in found for pk in ids):
        errors.add("media", "Some media is not in this workspace's library.")
        return ()
    assets = tuple(found[pk] for pk in ids)
    kinds = {asset.kind for asset in assets}
    if len(kinds) > 1:
        errors.add("media", "A post is either one video or photos, not both.")
    elif VIDEO in kinds and len(assets) != 1:
        errors.add("media", "A video post needs exactly one video.")
    elif PHOTO in kinds and len(assets) > MAX_PHOTO_IMAGES:
        errors.add(
            "media",
            f"A photo post takes at most {MAX_PHOTO_IMAGES} photos, not {len(assets)}.",
        )
    if kinds == {PHOTO}:
        # Photos go only by PULL_FROM_URL (§4.5): refuse here, not at send time.
        readiness = pull_media_readiness()
        if not readiness.ready:
            errors.add("media", photos_not_ready_message(readiness))
    for asset in assets:
        if not asset.is_tiktok_ready:
            reasons = "; ".join(asset.validation_errors or []) or "not checked yet"
            errors.add("media", f"'{asset}' is not TikTok-ready: {reasons}.")
    return assets


def _accounts(errors: ErrorMap, request: ComposeRequest) -> dict[int, TikTokAccount]:
    ids = [target.account_id for target in request.targets]
    if not ids:
        errors.add("targets", "Choose at least one TikTok account.")
        return {}
    if len(set(ids)) != len(ids):
        errors.add("targets", "Each account can be chosen once.")
    accounts = {
        account.pk: account
        for account in TikTokAccount.objects.filter(
            pk__in=ids, workspace_id=request.workspace_id
        )
    }
    for account_id in ids:
        account = accounts.get(account_id)
        if account is None:
            errors.add(f"target:{account_id}", "This account is not in the workspace.")
        elif account.status != TikTokAccount.Status.ACTIVE:
            errors.add(
                f"target:{account_id}",
                f"@{account.username} is '{account.get_status_display()}': "
                "reconnect it before posting to it.",
            )
            accounts.pop(account_id)
    return accounts


def _check_target(
    errors: ErrorMap,
    request: ComposeRequest,
    target: ComposeTarget,
    account: TikTokAccount,
    assets: tuple[MediaAsset, ...],
    fresh: FreshCreatorInfo,
) -> dict[str, Any] | None:
    key = f"target:{account.pk}"
    if target.mode not in (DIRECT, DRAFT):
        errors.add(f"{key}:mode", "Choose 'Direct post' or 'Draft to the inbox'.")
        return None
    missing = missing_scope(target.mode, account.granted_scopes)
    if missing:
        errors.add(f"{key}:mode", f"@{account.username}: {missing}")
        return None
    is_video = bool(assets) and assets[0].kind == MediaAsset.Kind.VIDEO
    if target.mode == DRAFT:
        rules, snapshot = DRAFT_RULES, None
    else:
        snapshot, reason = fresh.for_account(account)
        if snapshot is None:
            errors.add(key, reason)
            return None
        rules = CreatorRules.from_snapshot(snapshot)
        _check_declaration(errors, key, target)
    if not assets:
        return snapshot
    choices = PostChoices(
        mode=target.mode,
        media_kind=VIDEO if is_video else PHOTO,
        caption=request.caption,
        privacy_level=target.privacy_level,
        allow_comment=target.allow_comment,
        allow_duet=target.allow_duet,
        allow_stitch=target.allow_stitch,
        brand_organic=target.brand_organic,
        brand_content=target.brand_content,
        is_aigc=target.is_aigc,
        cover_timestamp_ms=target.cover_timestamp_ms,
        photo_title=target.photo_title,
        photo_cover_index=target.photo_cover_index,
        video_duration_seconds=assets[0].duration_seconds if is_video else None,
        media_count=len(assets),
    )
    for problem in [*draft_extras(choices), *check_post(choices, rules)]:
        if problem.field == "caption":
            errors.add("caption", problem.message)
        elif problem.field == "media" and not problem.from_creator:
            errors.add("media", problem.message)
        elif problem.field in TARGET_FIELDS:
            errors.add(f"{key}:{problem.field}", problem.message)
        else:
            errors.add(key, problem.message)
    return snapshot


def _check_declaration(errors: ErrorMap, key: str, target: ComposeTarget) -> None:
    expected = BRANDED_DECLARATION if target.brand_content else MUSIC_DECLARATION
    if " ".join(target.declaration_text.split()) != expected:
        errors.add(
            f"{key}:declaration_text",
            f"The declaration shown must be: \u201c{expected}\u201d (TikTok's "
            "content sharing guidelines).",
        )


def _ask_creator_info(account: TikTokAccount) -> tuple[dict[str, Any] | None, str]:
    # Asked now, not read from a stale snapshot (§8.1).
    try:
        tiktok_account_check_creator_info(account_id=account.pk)
    except ReconnectRequiredError as error:
        return None, f"Reconnect @{account.username} first: {error.reason}"
    except ComeBackLaterError as error:
        return None, (
            f"TikTok cannot be asked about @{account.username} right now "
            f"({error.reason}). Try again in {max(1, round(error.delay))} s."
        )
    except TikTokError as error:
        return None, (
            f"TikTok could not say what @{account.username} may post right now "
            f"({error.staff_message}). Try again."
        )
    snapshot: dict[str, Any] = (
        TikTokAccount.objects.values_list("creator_info", flat=True).get(pk=account.pk)
        or {}
    )
    return snapshot, ""
