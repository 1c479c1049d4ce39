"""The publish job's forms: PublishJobForm (staff's choices, checked with the
composer rules against creator info TikTok gives just now, via
fetch_creator_info) and MarkPublishedForm (the post URL staff found on TikTok)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms

from tiktok_integration.client import TikTokError
from tiktok_integration.composer import (
    DIRECT,
    DRAFT_RULES,
    CreatorRules,
    check_post,
    draft_extras,
    missing_scope,
)
from tiktok_integration.gateway.errors import ComeBackLaterError
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.media import (
    MediaProblemError,
    job_media,
    post_choices,
)
from tiktok_integration.services.accounts import tiktok_account_check_creator_info
from tiktok_integration.services.tokens import ReconnectRequiredError

#: The job fields staff choose (the rest are the system's). The dispatch time
#: is not among them: it follows the post's time (``scheduled_at`` is set from
#: the post on save, and moved with it by ``services.compose``).
STAFF_FIELDS = ["post", "account", *PublishJob.SENDING_FIELDS]


@dataclass(frozen=True, slots=True)
class CreatorInfoCheck:
    """What TikTok said just now: the rules to check the form against, or a
    sentence for staff (``error``) when it could not be asked."""

    rules: CreatorRules | None
    error: str = ""


def fetch_creator_info(*, account_id: int) -> CreatorInfoCheck:
    """Ask TikTok now, through the gateway, not from a stale snapshot: what a
    creator may post changes (daily cap, privacy options, max duration; §4.2,
    §8). A token TikTok refused gets one refresh on the way."""
    try:
        rules = tiktok_account_check_creator_info(account_id=account_id)
    except ReconnectRequiredError as error:
        return CreatorInfoCheck(
            rules=None,
            error=f"This account needs reconnecting before it can publish: "
            f"{error.reason}",
        )
    except ComeBackLaterError as error:
        return CreatorInfoCheck(
            rules=None,
            error=f"TikTok cannot be asked about this creator right now "
            f"({error.reason}). Try again in {max(1, round(error.delay))} s.",
        )
    except TikTokError as error:
        return CreatorInfoCheck(
            rules=None,
            error="TikTok could not say what this creator may post right now ("
            f"{error.staff_message}). Try again.",
        )
    if not rules.can_post:
        return CreatorInfoCheck(
            rules=rules,
            error=f"TikTok says this creator cannot post right now: "
            f"{rules.blocked_reason}",
        )
    return CreatorInfoCheck(rules=rules)


class PublishJobForm(forms.ModelForm):
    """Staff's choices, checked with the composer's rules against what TikTok
    last said about the creator (shown beside the form)."""

    #: Creator info fetched by the admin before its transaction began, by account.
    creator_info_checks: dict[int, CreatorInfoCheck] = {}

    class Meta:
        model = PublishJob
        fields = STAFF_FIELDS

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        privacy = self.fields.get("privacy_level")
        if privacy is not None:
            # No default, on purpose (TikTok's content sharing guidelines).
            privacy.required = False
            privacy.initial = None

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        post, account = data.get("post"), data.get("account")
        if post is None or account is None:
            return data
        if post.workspace_id != account.workspace_id:
            raise forms.ValidationError(
                "The post and the account belong to different workspaces."
            )
        if post.scheduled_at is None:
            raise forms.ValidationError(
                "The post has no time yet: set its date and time on the post's "
                "page first; every account's copy goes out then."
            )
        self.instance.scheduled_at = post.scheduled_at
        mode = data.get("mode") or DIRECT
        missing = missing_scope(mode, account.granted_scopes)
        if missing:
            self.add_error("mode" if "mode" in self.fields else None, missing)
            return data
        rules = DRAFT_RULES
        if mode == DIRECT:
            # Creator info is a Direct Post endpoint (video.publish, §4.2); a
            # draft needs only video.upload and is not checked against it.
            check = self.creator_info_checks.get(account.pk) or fetch_creator_info(
                account_id=account.pk
            )
            if check.error or check.rules is None:
                raise forms.ValidationError(check.error)
            rules = check.rules
        job = PublishJob(**{name: data.get(name) for name in STAFF_FIELDS})
        job.post = post
        try:
            media = job_media(job)
        except MediaProblemError as error:
            raise forms.ValidationError(str(error)) from error
        choices = post_choices(job, media)
        for problem in [*draft_extras(choices), *check_post(choices, rules)]:
            field = problem.field if problem.field in self.fields else None
            self.add_error(field, problem.message)
        return data


class MarkPublishedForm(forms.Form):
    url = forms.URLField(
        assume_scheme="https",
        label="TikTok post URL",
        help_text="https://www.tiktok.com/@user/video/<id>, as found on TikTok.",
    )
