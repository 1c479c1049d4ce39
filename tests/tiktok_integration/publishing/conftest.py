"""Publishing against the sandbox over real HTTP (a live server thread), and
the real-process stack of the fault tests (gunicorn sandbox, Celery workers,
beat stand-ins, Redis; see workers.py).

The server helpers come from the sandbox's own test conftest so both suites
drive one emulator the same way.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import pytest
import redis
from celery import Celery
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone
from kombu import Connection

from cms.models import Post, PostMedia
from media_library.models import MediaAsset
from tests.conftest import missing_service
from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory
from tests.tiktok_integration.publishing.workers import (
    Processes,
    RestartableRedis,
    base_env,
    database_url,
    free_port,
    restartable_redis,
    start_sandbox,
    wait_for,
)
from tests.tiktok_sandbox.server import (
    ALL_SCOPES,
    SandboxApi,
    _use,
)

# Imported for its side effect: registers the post.publish.* webhook handlers.
from tiktok_integration import tasks as _tasks  # noqa: F401
from tiktok_integration.models import PublishJob, TikTokAccount
from tiktok_sandbox.models import Endpoint, SandboxCall, SandboxCreator
from tiktok_sandbox.services import (
    sandbox_creator_create,
    sandbox_ensure_defaults,
    sandbox_settings_update,
    sandbox_tokens_issue,
)

Status = PublishJob.Status
MB = 1024 * 1024
SETTLED = (*PublishJob.TERMINAL, *PublishJob.NEEDS_ATTENTION)
INIT_ENDPOINTS = (Endpoint.VIDEO_INIT, Endpoint.INBOX_VIDEO_INIT, Endpoint.CONTENT_INIT)


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


# --- Real processes (test_worker_faults.py, test_worker_redelivery.py) --------


@dataclass
class Sandbox:
    url: str
    var_dir: Path
    env: dict[str, str]


@pytest.fixture(scope="module")
def sandbox_server(
    django_db_setup: None, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Sandbox]:
    """The sandbox under gunicorn, on the test database, for the whole module."""
    from django.conf import settings

    var_dir = tmp_path_factory.mktemp("var")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    env = base_env(
        var_dir=var_dir,
        database_url=database_url(connection.settings_dict),
        broker_url="memory://",
        base_url=url,
        secret_key=settings.SECRET_KEY,
        encryption_keys=list(settings.FIELD_ENCRYPTION_KEYS),
    )
    processes = Processes(env=env, logs=var_dir)
    start_sandbox(processes, port)
    try:
        yield Sandbox(url=url, var_dir=var_dir, env=env)
    finally:
        processes.stop_all()


@dataclass
class Stack:
    """What a scenario starts: workers and tickers on one broker."""

    sandbox: Sandbox
    processes: Processes
    broker_url: str
    tmp: Path

    def use_broker(self, url: str) -> None:
        self.broker_url = url
        self.processes.env["CELERY_BROKER_URL"] = url

    def redeliver_unacked(self) -> int:
        """What Redis does once the visibility timeout has passed: every
        message delivered but not yet acknowledged goes back on its queue, to
        be delivered again. Runs kombu's own restore on each of them at once
        (the app's settings refuse a timeout shorter than twice the task time
        limit, and kombu sweeps only every few seconds). Returns how many
        messages went back."""
        with Connection(self.broker_url) as broker:
            channel = broker.default_channel
            client = channel.client
            tags = client.zrange(channel.unacked_index_key, 0, -1)
            for tag in tags:
                channel.qos.restore_by_tag(tag, client)
            return len(tags)

    def send_run(self, job_id: int, lease_version: int) -> None:
        """Put one ``tiktok.publish_run`` message on the publish queue."""
        # Explicit: Celery prefers the CELERY_BROKER_URL of this (test) process.
        app = Celery("fault-tests", set_as_current=False)
        with app.connection_for_write(self.broker_url) as broker:
            app.send_task(
                "tiktok.publish_run",
                args=[job_id, lease_version],
                queue="publish",
                connection=broker,
            )
        app.close()


@pytest.fixture
def stack(
    transactional_db: None,
    settings: Any,
    sandbox_server: Sandbox,
    redis_url: str,
    tmp_path: Path,
) -> Iterator[Stack]:
    # The test writes media where the workers read it, and sees what the
    # sandbox wrote; leftover messages of an earlier test are gone.
    settings.MEDIA_ROOT = str(sandbox_server.var_dir / "media")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": settings.MEDIA_ROOT},
        },
    }
    settings.BASE_URL = sandbox_server.url
    settings.TIKTOK_API_BASE_URL = f"{sandbox_server.url}/tiktok-sandbox"
    sandbox_ensure_defaults()
    sandbox_settings_update(
        processing_delay_seconds=0, moderation_delay_seconds=0, webhooks_enabled=False
    )
    redis.Redis.from_url(redis_url).flushall()
    env = {**sandbox_server.env, "CELERY_BROKER_URL": redis_url}
    processes = Processes(env=env, logs=tmp_path)
    running = Stack(sandbox_server, processes, redis_url, tmp_path)
    try:
        yield running
    finally:
        processes.stop_all()
        # Shown by pytest only when the test failed.
        sys.stderr.write(processes.logs_tail())


@pytest.fixture
def public_creator_account(stack: Stack) -> TikTokAccount:
    return connect(SandboxCreator.objects.get(username="sandbox.public"))


@pytest.fixture
def restartable(tmp_path: Path) -> Iterator[RestartableRedis]:
    try:
        with restartable_redis(tmp_path) as server:
            yield server
    except FileNotFoundError:
        missing_service("redis-server was not found (install Redis).")


# --- Helpers for the real-process scenarios ----------------------------------


def creators(count: int) -> list[SandboxCreator]:
    return [
        sandbox_creator_create(username=f"fault.creator{index}")
        for index in range(count)
    ]


def settle(jobs: list[PublishJob], *, timeout: float = 240) -> list[PublishJob]:
    """Wait until no job is on its way any more; the jobs, fresh. The deadline
    is generous: on a busy machine every process is slower, and waiting costs
    nothing when the jobs settle early."""
    ids = [job.pk for job in jobs]
    wait_for(
        lambda: (
            not PublishJob.objects.filter(pk__in=ids)
            .exclude(status__in=SETTLED)
            .exists()
        ),
        timeout=timeout,
        what="every job to reach a final state",
    )
    return list(PublishJob.objects.filter(pk__in=ids).order_by("pk"))


def accepted_chunks(publish_id: str) -> list[int]:
    return list(
        SandboxCall.objects.filter(
            endpoint=Endpoint.UPLOAD, publish_id=publish_id, http_status__in=[201, 206]
        )
        .order_by("created_at", "pk")
        .values_list("chunk_number", flat=True)
    )


def calls_after_chunk(publish_id: str, chunk: int) -> list[str]:
    """The endpoints called for this publish after ``chunk`` was first accepted."""
    calls = list(
        SandboxCall.objects.filter(publish_id=publish_id)
        .order_by("created_at", "pk")
        .values_list("endpoint", "chunk_number", "http_status")
    )
    index = next(
        position
        for position, (endpoint, number, status) in enumerate(calls)
        if endpoint == Endpoint.UPLOAD and number == chunk and status in (201, 206)
    )
    return [endpoint for endpoint, _, _ in calls[index + 1 :]]


def first_init_at(account: TikTokAccount) -> Any:
    return (
        SandboxCall.objects.filter(
            endpoint__in=INIT_ENDPOINTS, creator__open_id=account.open_id
        )
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
