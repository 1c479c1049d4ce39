"""The TikTok sandbox served over real HTTP from a thread of the benchmark's
own process, for the benchmarks that call TikTok through the product's
client in-process (analytics, import)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


@contextmanager
def sandbox_over_http(**sandbox_settings: Any) -> Iterator[str]:
    """Migrate the benchmark's database, start the sandbox on 127.0.0.1 and
    point the product's TikTok client at it; yields the server's base URL
    (``http://127.0.0.1:PORT``) and stops the server on exit.

    ``sandbox_settings`` are passed to ``sandbox_settings_update`` (e.g.
    ``webhooks_enabled=False``, delays in seconds)."""
    from django.conf import settings
    from django.core.management import call_command

    from tests.tiktok_sandbox.server import _start, _stop
    from tiktok_sandbox.services import sandbox_ensure_defaults, sandbox_settings_update

    call_command("migrate", verbosity=0, interactive=False)
    thread = _start(expose_socket=False)
    try:
        url = f"http://127.0.0.1:{thread.port}"
        settings.TIKTOK_SANDBOX = True
        settings.BASE_URL = url
        settings.TIKTOK_API_BASE_URL = f"{url}/tiktok-sandbox"
        sandbox_ensure_defaults()
        sandbox_settings_update(**sandbox_settings)
        yield url
    finally:
        _stop(thread)


def sandbox_account_connect(
    workspace: Any, creator: Any, *, scopes: list[str], access_seconds: float
) -> Any:
    """A ``TikTokAccount`` in ``workspace`` connected to the sandbox
    ``creator`` with freshly issued tokens for ``scopes``: the access token
    expires in ``access_seconds``, the refresh token in 180 days."""
    from datetime import timedelta

    from django.utils import timezone

    from tiktok_integration.models import TikTokAccount
    from tiktok_sandbox.services import sandbox_tokens_issue

    tokens = sandbox_tokens_issue(creator=creator, scopes=scopes)
    now = timezone.now()
    return TikTokAccount.objects.create(
        workspace=workspace,
        open_id=creator.open_id,
        username=creator.username,
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        access_token_expires_at=now + timedelta(seconds=access_seconds),
        refresh_token_expires_at=now + timedelta(days=180),
        granted_scopes=scopes,
    )
