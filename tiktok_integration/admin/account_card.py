"""A TikTok account as staff read it: connection state in words, token expiry
as "in 3 hours", scopes as the features they enable (docs/tiktok.md §2), what
the creator allows now (§4.2) in TikTok's own words, and recent posts.

The account page (templates/admin/tiktok_integration/tiktokaccount/
change_form.html) and the job page's creator box both read these."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.timesince import timeuntil

from tiktok_integration.admin.composer.texts import privacy_label
from tiktok_integration.client.facts import PrivacyLevel
from tiktok_integration.composer import CreatorRules
from tiktok_integration.models import PublishJob, TikTokAccount

#: What each scope lets Postdeck do (§2), as staff would put it.
SCOPE_FEATURES = {
    "user.info.basic": "Show the account's name and avatar",
    "user.info.profile": "Show the @username and verified badge",
    "user.info.stats": "Show follower and like counts",
    "video.list": "Read the account's public videos for analytics",
    "video.publish": "Post directly to the profile",
    "video.upload": "Send drafts to the creator's TikTok inbox",
}

STATE_WORDS: dict[str, str] = {
    TikTokAccount.Status.ACTIVE: "Connected: Postdeck can post with this account.",
    TikTokAccount.Status.REAUTH_REQUIRED: "Needs reconnecting: TikTok no longer "
    "accepts the connection, so scheduled posts wait until it is reconnected.",
    TikTokAccount.Status.DISCONNECTED: "Disconnected: Postdeck no longer posts "
    "with this account and it cannot be chosen for new posts. Reconnect it to "
    "post again.",
}
RECENT_POSTS = 5


def expiry_words(moment: datetime | None) -> str:
    """ "in 3 hours", "expired" or "—" (unknown) for a token's expiry."""
    if moment is None:
        return "—"
    if moment <= timezone.now():
        return "expired"
    return f"in {timeuntil(moment, depth=1)}"


@dataclass(frozen=True)
class CreatorAllows:
    """What TikTok last said the creator may post (§4.2), in words."""

    can_post: bool
    blocked_reason: str
    who_can_view: tuple[str, ...]
    interactions: tuple[str, ...]
    longest_video: str
    only_private: bool
    checked_at: datetime | None


@dataclass(frozen=True)
class AccountCard:
    """Everything the account page shows above "Details"."""

    account: TikTokAccount
    state: str
    state_words: str
    access_expiry: str
    connection_expiry: str
    features: tuple[str, ...]
    missing_features: tuple[str, ...]
    allows: CreatorAllows | None
    recent_jobs: tuple[PublishJob, ...]


def creator_allows(account: TikTokAccount) -> CreatorAllows | None:
    """The account's last creator info in words; None if never checked."""
    if not account.creator_info:
        return None
    rules = CreatorRules.from_snapshot(account.creator_info)
    info = rules.info
    interactions = tuple(
        f"{name} {'off' if disabled else 'allowed'}"
        for name, disabled in (
            ("Comments", info.comment_disabled),
            ("Duet", info.duet_disabled),
            ("Stitch", info.stitch_disabled),
        )
    )
    seconds = info.max_video_post_duration_sec
    longest = (
        f"{seconds // 60} min {seconds % 60} s".replace(" 0 s", "")
        if seconds and seconds >= 60
        else (f"{seconds} s" if seconds else "—")
    )
    return CreatorAllows(
        can_post=rules.can_post,
        blocked_reason=rules.blocked_reason or "",
        who_can_view=tuple(privacy_label(o) for o in info.privacy_level_options),
        interactions=interactions,
        longest_video=longest,
        only_private=info.privacy_level_options == (PrivacyLevel.SELF_ONLY,),
        checked_at=account.creator_info_fetched_at,
    )


def account_card_for(account: TikTokAccount) -> AccountCard:
    """The account's card, with its latest ``RECENT_POSTS`` jobs (one query)."""
    granted = set(account.granted_scopes or [])
    recent = (
        PublishJob.objects.filter(account=account)
        .select_related("post")
        .order_by("-scheduled_at", "-pk")[:RECENT_POSTS]
    )
    disconnected = account.status == TikTokAccount.Status.DISCONNECTED
    return AccountCard(
        account=account,
        state=account.get_status_display(),
        state_words=STATE_WORDS.get(str(account.status), account.get_status_display()),
        access_expiry="—"
        if disconnected
        else expiry_words(account.access_token_expires_at),
        connection_expiry="—"
        if disconnected
        else expiry_words(account.refresh_token_expires_at),
        features=tuple(
            SCOPE_FEATURES.get(s, s) for s in settings.TIKTOK_SCOPES if s in granted
        ),
        missing_features=tuple(
            SCOPE_FEATURES.get(s, s) for s in settings.TIKTOK_SCOPES if s not in granted
        ),
        allows=None if disconnected else creator_allows(account),
        recent_jobs=tuple(recent),
    )
