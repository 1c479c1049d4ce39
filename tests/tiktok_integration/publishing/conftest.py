"""Publishing against the sandbox over real HTTP (a live server thread).

The server helpers come from the sandbox's own test conftest so both suites
drive one emulator the same way.
"""

from __future__ import annotations

import hashlib
import os
from typing import Any, cast

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from cms.models import Post, PostMedia
from media_library.models import MediaAsset
from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory
from tests.tiktok_sandbox.server import (
    ALL_SCOPES,
    SandboxApi,
    _use,
)

# Imported for its side effect: registers the post.publish.* webhook handlers.
from tiktok_integration import tasks as _tasks  # noqa: F401
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_sandbox.models import SandboxCreator
from tiktok_sandbox.services import sandbox_tokens_issue

Status = PublishJob.Status
MB = 1024 * 1024


@pytest.fixture
def sandbox(
    transactional_db: None, settings: Any, request: pytest.FixtureRequest
) -> SandboxApi:
    # The sandbox's session server that can really drop a connection.
    api = _use(request.getfixturevalue("_socket_server"), settings)
    settings.TIKTOK_RATE_WINDOW_SECONDS = 61.0
    settings.TIKTOK_POLL_FIRST_SECONDS = 0.0
    return api


def connect(creator: SandboxCreator, **fields: Any) -> TikTokAccount:
    tokens = sandbox_tokens_issue(creator=creator, scopes=ALL_SCOPES)
    return cast(
        TikTokAccount,
        TikTokAccountFactory(
            workspace=fields.pop("workspace", None) or WorkspaceFactory(),
            open_id=creator.open_id,
            username=creator.username,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            granted_scopes=list(ALL_SCOPES),
            **fields,
        ),
    )


def video_asset(workspace: Any, size: int, *, duration: float = 12.0) -> MediaAsset:
    payload = os.urandom(size)
    return MediaAsset.objects.create(
        workspace=workspace,
        kind=MediaAsset.Kind.VIDEO,
        original_filename="clip.mp4",
        file=ContentFile(payload, name="clip.mp4"),
        sha256=hashlib.sha256(payload).hexdigest(),
        size_bytes=size,
        mime_type="video/mp4",
        width=1080,
        height=1920,
        duration_seconds=duration,
        frame_rate=30.0,
        is_tiktok_ready=True,
    )


def scheduled_job(
    account: TikTokAccount, *, size: int = 1 * MB, **fields: Any
) -> PublishJob:
    post = cast(
        Post,
        PostFactory(workspace=account.workspace, caption=fields.pop("caption", "Hi")),
    )
    asset = video_asset(account.workspace, size, duration=fields.pop("duration", 12.0))
    PostMedia.objects.create(post=post, asset=asset, position=0)
    fields.setdefault("privacy_level", "SELF_ONLY")
    fields.setdefault("scheduled_at", timezone.now())
    return cast(PublishJob, PublishJobFactory(post=post, account=account, **fields))


@pytest.fixture
def public_creator(sandbox: SandboxApi) -> SandboxCreator:
    return SandboxCreator.objects.get(username="sandbox.public")


@pytest.fixture
def account(public_creator: SandboxCreator) -> TikTokAccount:
    return connect(public_creator)


@pytest.fixture(autouse=True)
def _fast_publishing(settings: Any) -> None:
    # No grace before the tick re-claims a parked job; tests drive ticks by hand.
    settings.TIKTOK_PUBLISH_DISPATCH_SECONDS = 0
    settings.TIKTOK_POLL_FIRST_SECONDS = 0.0
    settings.TIKTOK_CHUNK_SIZE = 5 * MB


def drive(*, rounds: int = 12) -> None:
    """Run ticks and steps in this process until nothing is left to do."""
    from tiktok_integration.publishing.dispatch import (
        publish_dispatch_tick,
        publish_poll_tick,
    )
    from tiktok_integration.publishing.run import publish_job_run
    from tiktok_integration.publishing.status import publish_job_poll
    from tiktok_sandbox.services import sandbox_advance

    for _ in range(rounds):
        claims = publish_dispatch_tick()
        for claim in claims:
            publish_job_run(
                publish_job_id=claim.job_id, lease_version=claim.lease_version
            )
        sandbox_advance(deliver_webhooks=False)
        polls = publish_poll_tick()
        for claim in polls:
            publish_job_poll(
                publish_job_id=claim.job_id, lease_version=claim.lease_version
            )
        if not claims and not polls:
            return


class SimulatedCrashError(BaseException):
    """Stands in for SIGKILL in-process: escapes every ``except Exception``."""


@pytest.fixture
def crash_at(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Arm an in-process crash at a named faultpoint (fires once)."""

    def arm(point: str) -> None:
        fired: list[str] = []

        def faultpoint(name: str) -> None:
            if name == point and not fired:
                fired.append(name)
                raise SimulatedCrashError(name)

        monkeypatch.setattr(
            "tiktok_integration.publishing.faultpoints.faultpoint", faultpoint
        )

    return arm


def expire_leases() -> None:
    """The dead worker's lease runs out (tests do not wait for it)."""
    PublishJob.objects.exclude(lease_owner="").update(
        lease_expires_at=timezone.now() - timezone.timedelta(seconds=1)
    )
