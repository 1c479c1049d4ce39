"""A job's consent evidence (``PublishJob.consent_snapshot``, written by
``tiktok_integration.services.compose``) as staff read it on the post page:
who consented and when in the admin's one time format, the mode and the
choices in the composer's words, never TikTok's raw values (docs/tiktok.md §8).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils.html import format_html
from django.utils.safestring import SafeString

from cms.scheduling import format_local
from tiktok_integration.models import PublishJob

#: What each field TikTok receives is, as the composer names it (§5, §7).
FIELD_WORDS = {
    "caption": "caption",
    "media": "the video",
    "privacy_level": "who can view",
    "allow_comment": "comments",
    "allow_duet": "duet",
    "allow_stitch": "stitch",
    "brand_organic": "promotes own brand",
    "brand_content": "branded content",
    "is_aigc": "AI-generated label",
    "cover_timestamp_ms": "cover frame",
    "photo_title": "photo title",
    "photo_cover_index": "cover photo",
}


def _privacy(level: str) -> str:
    # The model's labels are TikTok's words ("Everyone", "Only me").
    return str(dict(PublishJob.PrivacyLevel.choices).get(level, level))


def _moment(value: Any, time_zone: str) -> str:
    try:
        return format_local(datetime.fromisoformat(str(value)), time_zone)
    except (TypeError, ValueError):
        return "—"


def _mode(snapshot: dict[str, Any], job: PublishJob) -> str:
    mode = str(snapshot.get("mode") or job.mode)
    label = dict(PublishJob.Mode.choices).get(mode, mode)
    scope = snapshot.get("scope_needed")
    return f"{label} (TikTok permission {scope})" if scope else str(label)


def _choices(choices: dict[str, Any]) -> str:
    """ "Who can view: Everyone · Comments off · …" (empty when nothing chosen)."""
    words = []
    if choices.get("privacy_level"):
        words.append(f"Who can view: {_privacy(choices['privacy_level'])}")
    for key, name in (
        ("allow_comment", "Comments"),
        ("allow_duet", "Duet"),
        ("allow_stitch", "Stitch"),
    ):
        if key in choices:
            words.append(f"{name} {'allowed' if choices[key] else 'off'}")
    if choices.get("brand_organic"):
        words.append("Promotes the creator's own brand")
    if choices.get("brand_content"):
        words.append("Branded content (paid partnership)")
    if choices.get("is_aigc"):
        words.append("Labelled as AI-generated")
    if choices.get("cover_timestamp_ms") is not None:
        words.append(f"Cover frame at {choices['cover_timestamp_ms'] / 1000:g} s")
    if choices.get("photo_title"):
        words.append(f"Photo title: {choices['photo_title']}")
    return " · ".join(words)


def consent_evidence_html(job: PublishJob, time_zone: str) -> SafeString:
    """The evidence box under a job's chip; ``time_zone`` (IANA) is the post's,
    in which the consent moment is written."""
    snapshot: dict[str, Any] = job.consent_snapshot or {}
    if not snapshot:
        return format_html(
            '<div class="postdeck-evidence">{}</div>',
            "No consent record: set up in the job form, not the composer.",
        )
    who = snapshot.get("consented_by") or {}
    shown = snapshot.get("creator_info_shown") or {}
    sent = [
        FIELD_WORDS.get(name, name) for name in snapshot.get("sent_to_tiktok") or []
    ]
    return format_html(
        '<dl class="postdeck-evidence"><dt>Consented</dt><dd>{}, {}</dd>'
        "<dt>How it is sent</dt><dd>{}</dd>"
        "<dt>Declaration shown</dt><dd>{}</dd>"
        "<dt>Creator shown</dt><dd>{} @{}</dd>"
        "<dt>Choices</dt><dd>{}</dd>"
        "<dt>TikTok receives</dt><dd>{}</dd>"
        "<dt>App looked unaudited</dt><dd>{}</dd></dl>",
        who.get("name", "?"),
        _moment(snapshot.get("consented_at"), time_zone),
        _mode(snapshot, job),
        snapshot.get("declaration_text") or "—",
        shown.get("nickname", ""),
        shown.get("username", ""),
        _choices(snapshot.get("choices") or {}) or "—",
        ", ".join(sent).capitalize() or "—",
        "yes" if snapshot.get("app_looked_unaudited") else "no",
    )
