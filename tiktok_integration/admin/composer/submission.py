"""The composer's POST, read into a ``ComposeRequest`` (nothing trusted).

Only the shape is checked here (numbers are numbers, a date is a date, a
disclosure that is on names what it discloses); every rule is checked again
by ``post_compose`` on the server (docs/tiktok.md §8).
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.http import QueryDict

from tiktok_integration.admin.composer import texts
from tiktok_integration.composer import DIRECT, DRAFT, declaration_for
from tiktok_integration.services.compose import ComposeRequest, ComposeTarget

NOW = "now"
LATER = "later"
QUEUE = "queue"


@dataclass
class Submission:
    """The parsed form: ``request`` is None when ``errors`` (keyed as
    ``ComposeError.errors``) say the form itself is malformed."""

    request: ComposeRequest | None
    errors: dict[str, list[str]] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


def _flag(data: QueryDict, name: str) -> bool:
    return data.get(name) in {"on", "true", "1", "yes"}


def _int(data: QueryDict, name: str) -> int | None:
    raw = (data.get(name) or "").strip()
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        return None


def _ids(values: list[str]) -> tuple[int, ...]:
    seen: list[int] = []
    for raw in values:
        if raw.isdigit() and int(raw) not in seen:
            seen.append(int(raw))
    return tuple(seen)


def _snapshot(raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def target_prefix(account_id: int) -> str:
    """The name prefix of one panel's fields, e.g. ``t-12-privacy_level``."""
    return f"t-{account_id}-"


def _target(
    data: QueryDict, account_id: int, shared: dict[str, Any], out: Submission
) -> ComposeTarget:
    prefix = target_prefix(account_id)
    mode = data.get(prefix + "mode") or ""
    snapshot = _snapshot(data.get(prefix + "creator_info") or "")
    if mode not in {DIRECT, DRAFT}:
        out.add(f"target:{account_id}:mode", "Choose Direct Post or a draft.")
        mode = DIRECT
    if mode == DRAFT:
        # An inbox draft carries no post settings (§4.4) beyond a photo post's
        # title and cover (§4.5): nothing else is kept.
        return ComposeTarget(
            account_id=account_id,
            mode=DRAFT,
            photo_cover_index=shared["photo_cover_index"],
            photo_title=shared["photo_title"],
            declaration_text=declaration_for(brand_content=False),
            creator_info_shown=snapshot,
        )
    disclose = _flag(data, prefix + "disclose")
    brand_organic = disclose and _flag(data, prefix + "brand_organic")
    brand_content = disclose and _flag(data, prefix + "brand_content")
    if disclose and not (brand_organic or brand_content):
        out.add(f"target:{account_id}:brand_organic", texts.DISCLOSURE_REQUIRED)
    return ComposeTarget(
        account_id=account_id,
        mode=DIRECT,
        privacy_level=data.get(prefix + "privacy_level") or "",
        allow_comment=_flag(data, prefix + "allow_comment"),
        allow_duet=_flag(data, prefix + "allow_duet"),
        allow_stitch=_flag(data, prefix + "allow_stitch"),
        brand_organic=brand_organic,
        brand_content=brand_content,
        is_aigc=shared["is_aigc"],
        cover_timestamp_ms=shared["cover_timestamp_ms"],
        photo_cover_index=shared["photo_cover_index"],
        photo_title=shared["photo_title"],
        # The sentence the screen showed before the button for these choices.
        declaration_text=declaration_for(brand_content=brand_content),
        creator_info_shown=snapshot,
    )


def _wall_time(data: QueryDict, out: Submission) -> tuple[datetime | None, int | None]:
    pick = data.get("when_pick") or ""
    if pick:
        # A choice the screen offered after a DST gap or fold: "<iso>|<fold>".
        moment, _, fold = pick.partition("|")
        try:
            chosen = datetime.fromisoformat(moment).replace(tzinfo=None)
        except ValueError:
            out.add("when", "Choose one of the times offered.")
            return None, None
        return chosen, int(fold) if fold in {"0", "1"} else None
    try:
        day = date.fromisoformat(data.get("when_date") or "")
        clock = time.fromisoformat(data.get("when_time") or "")
    except ValueError:
        out.add("when", "Enter the date and the time to publish at.")
        return None, None
    typed_fold = data.get("fold") or ""
    return datetime.combine(day, clock.replace(tzinfo=None)), (
        int(typed_fold) if typed_fold in {"0", "1"} else None
    )


def parse_submission(
    data: QueryDict, *, workspace_id: int, user_id: int, post_id: int | None
) -> Submission:
    """Read the composer's POST. Field names: ``title``, ``caption``,
    ``media_ids`` (in order), ``photo_title``, ``photo_cover_index``,
    ``cover_timestamp_ms`` (ms into the video), ``is_aigc``, ``when``
    (``now``/``later``/``queue``), ``when_date``, ``when_time``, ``time_zone``,
    ``fold``, ``when_pick``, ``targets`` (account ids), each target's fields under
    ``target_prefix(id)``, ``consent`` (the button), and ``submit_key`` (a
    UUID; ignored when malformed)."""
    out = Submission(request=None)
    shared = {
        "cover_timestamp_ms": _int(data, "cover_timestamp_ms"),
        "photo_cover_index": _int(data, "photo_cover_index") or 0,
        "photo_title": (data.get("photo_title") or "").replace("\r\n", "\n"),
        "is_aigc": _flag(data, "is_aigc"),
    }
    targets = tuple(
        _target(data, account_id, shared, out)
        for account_id in _ids(data.getlist("targets"))
    )
    if not targets:
        out.add("targets", "Choose at least one account to post to.")
    when = data.get("when") or NOW
    publish_now = when == NOW
    add_to_queue = when == QUEUE
    wall_time, fold = (
        (None, None) if publish_now or add_to_queue else _wall_time(data, out)
    )
    if out.errors:
        return out
    out.request = ComposeRequest(
        workspace_id=workspace_id,
        user_id=user_id,
        post_id=post_id,
        title=(data.get("title") or "").strip(),
        # Browsers send CRLF; TikTok and the counter on the page count one unit.
        caption=(data.get("caption") or "").replace("\r\n", "\n"),
        media_ids=_ids(data.getlist("media_ids")),
        publish_now=publish_now,
        wall_time=wall_time,
        time_zone=data.get("time_zone") or "",
        fold=fold,
        targets=targets,
        consented=data.get("consent") == "yes",
        add_to_queue=add_to_queue,
        submit_key=_uuid(data.get("submit_key") or ""),
    )
    return out


def _uuid(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None
