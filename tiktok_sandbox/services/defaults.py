"""The sandbox's settings row and its creators."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from typing import Any

from django.db import transaction

from tiktok_sandbox.models import SandboxCreator, SandboxSettings

SETTINGS_PK = 1

DEFAULT_CREATORS: tuple[dict[str, Any], ...] = (
    {
        "username": "sandbox.public",
        "nickname": "Pat Public",
        "bio_description": "Public account: every option allowed.",
        "is_verified": True,
        "max_video_post_duration_sec": 600,
        "follower_count": 12400,
        "following_count": 310,
        "likes_count": 98000,
    },
    {
        "username": "sandbox.private",
        "nickname": "Priya Private",
        "bio_description": "Private account: followers, friends or only me.",
        "is_private_account": True,
        "max_video_post_duration_sec": 180,
        "follower_count": 85,
        "following_count": 140,
        "likes_count": 1200,
    },
    {
        "username": "sandbox.nocomments",
        "nickname": "Nico No-Comments",
        "bio_description": "Comments off, videos up to 60 s.",
        "is_comment_disabled": True,
        "max_video_post_duration_sec": 60,
        "follower_count": 2300,
        "following_count": 45,
        "likes_count": 15000,
    },
)


def sandbox_settings_get() -> SandboxSettings:
    """The settings row, created with defaults on first use."""
    row, _ = SandboxSettings.objects.get_or_create(pk=SETTINGS_PK)
    return row


def sandbox_settings_update(**changes: Any) -> SandboxSettings:
    """Change settings fields by name, e.g. ``is_audited=False``.

    Raises ValueError for an unknown field and ValidationError for a bad value.
    """
    with transaction.atomic():
        row = sandbox_settings_get()
        _assign(row, changes)
        row.full_clean()
        row.save()
    return row


def sandbox_ensure_defaults() -> list[SandboxCreator]:
    """Create the settings row and the three default creators if missing.

    Idempotent: existing creators are left as they are (staff may have edited
    them). Returns the default creators.
    """
    sandbox_settings_get()
    creators = []
    for spec in DEFAULT_CREATORS:
        fields = {key: value for key, value in spec.items() if key != "username"}
        creator, _ = SandboxCreator.objects.get_or_create(
            username=spec["username"], defaults=fields
        )
        creators.append(creator)
    return creators


def sandbox_creator_create(
    *, username: str, nickname: str = "", **options: Any
) -> SandboxCreator:
    """A new fake creator; ``options`` are SandboxCreator fields such as
    ``is_private_account=True`` or ``privacy_level_options=["SELF_ONLY"]``."""
    creator = SandboxCreator(username=username, nickname=nickname or username)
    _assign(creator, options)
    creator.full_clean()
    creator.save()
    return creator


def sandbox_creator_update(
    *, creator: SandboxCreator, **changes: Any
) -> SandboxCreator:
    """Change a creator's fields by name, e.g. ``is_comment_disabled=True``."""
    _assign(creator, changes)
    creator.full_clean()
    creator.save()
    return creator


def _assign(
    instance: SandboxSettings | SandboxCreator, changes: dict[str, Any]
) -> None:
    names = {field.name for field in instance._meta.concrete_fields}
    for name, value in changes.items():
        if name not in names:
            raise ValueError(f"{type(instance).__name__} has no field {name!r}.")
        setattr(instance, name, value)


def log_id_at(moment: datetime) -> str:
    """TikTok's log id shape: 14-digit UTC timestamp plus uppercase hex."""
    return (
        moment.astimezone(UTC).strftime("%Y%m%d%H%M%S") + secrets.token_hex(10).upper()
    )
