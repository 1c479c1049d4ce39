"""The one wording of an asset's TikTok verdict, shared by every page that shows it.

The grid's badges, the asset page's checks panel and the list's live refresh all
call ``readiness_of``, so a label can never say "ready" next to a red cross or
the reverse: the label, its tone and its reasons come from the same fields
(``probe_status``, ``is_tiktok_ready``, ``validation_errors``, ``probe_error``).
"""

from __future__ import annotations

from dataclasses import dataclass

from media_library.models import MediaAsset

CHECKING = "checking"
READY = "ready"
NOT_READY = "not-ready"
UNREADABLE = "unreadable"


@dataclass(frozen=True, slots=True)
class Readiness:
    """``state`` is one of the four constants above (also the badge's CSS
    modifier); ``label`` a short phrase for the badge; ``reasons`` the
    sentences behind it, empty when the file is ready; ``live`` is True while
    the verdict may still change without anyone acting (probing, converting)."""

    state: str
    label: str
    reasons: tuple[str, ...]
    live: bool


def readiness_of(asset: MediaAsset, *, converting: bool = False) -> Readiness:
    """The verdict on ``asset``; ``converting`` when a conversion of it runs."""
    status = asset.probe_status
    if status == MediaAsset.ProbeStatus.PENDING:
        return Readiness(
            CHECKING,
            "Checking the file",
            ("Not probed yet: the file is being read and measured.",),
            live=True,
        )
    if status == MediaAsset.ProbeStatus.FAILED:
        return Readiness(
            UNREADABLE,
            "Cannot be read",
            (asset.probe_error or "The stored file could not be read.",),
            live=converting,
        )
    if asset.is_tiktok_ready:
        return Readiness(READY, "Ready for TikTok", (), live=converting)
    reasons = tuple(str(reason) for reason in asset.validation_errors or ())
    return Readiness(
        NOT_READY,
        "Not ready for TikTok",
        reasons or ("Outside TikTok's format rules.",),
        live=converting,
    )
