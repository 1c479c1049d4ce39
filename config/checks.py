"""Deployment checks: `manage.py check --deploy` fails on settings that are fine
for a demo on localhost and unsafe anywhere else.

Each is an ERROR, so `check --deploy` exits non-zero at its default fail level,
and each names the variable to change.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register

DEFAULT_ADMIN_URL = "admin/"


@register(Tags.security, deploy=True)
def check_sandbox_off(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """postdeck.E001: the built-in TikTok sandbox is on."""
    if not settings.TIKTOK_SANDBOX:
        return []
    return [
        Error(
            "The built-in TikTok sandbox is on: /tiktok-sandbox/ is served and "
            "webhooks signed with the sandbox's public secret are accepted.",
            hint="Set TIKTOK_CLIENT_KEY and TIKTOK_CLIENT_SECRET to your app's "
            "pair from developers.tiktok.com and unset TIKTOK_SANDBOX.",
            id="postdeck.E001",
        )
    ]


@register(Tags.security, deploy=True)
def check_admin_url(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """postdeck.E002: the admin is at the default, much-scanned ``admin/``."""
    if settings.ADMIN_URL != DEFAULT_ADMIN_URL:
        return []
    return [
        Error(
            "The admin is at the default path admin/, the first one scanners try.",
            hint="Set DJANGO_ADMIN_URL to a path of your own, such as staff-4f1c/.",
            id="postdeck.E002",
        )
    ]


@register(Tags.security, deploy=True)
def check_webhook_secret(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """postdeck.E003: webhooks are verified with the sandbox's public secret
    (TIKTOK_CLIENT_SECRET signs TikTok's webhooks, docs/tiktok.md §9)."""
    if settings.TIKTOK_CLIENT_SECRET != settings.TIKTOK_SANDBOX_CLIENT_SECRET:
        return []
    return [
        Error(
            "TIKTOK_CLIENT_SECRET is the sandbox's public secret, so anyone can "
            "sign webhooks Postdeck accepts.",
            hint="Set TIKTOK_CLIENT_SECRET to your app's client secret from "
            "developers.tiktok.com.",
            id="postdeck.E003",
        )
    ]
