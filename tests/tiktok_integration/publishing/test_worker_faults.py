"""Fault tests with real processes (issue 6; docs/reliability.md §10).

Every scenario runs the TikTok sandbox under gunicorn, ``celery -A config
worker`` processes and a beat stand-in (the three publishing ticks in a loop)
as subprocesses against the PostgreSQL test database and a throwaway Redis on
127.0.0.1. Each ends with every job in its final state, exactly one completed
publish per job in the sandbox's journal, and no job lost.

Time is scaled down through the settings the pipeline reads (workers.py,
FAST_PUBLISHING): an 8 s lease, ticks every 0.5 s, backoff capped at 4 s, a
breaker that opens after 4 failures and probes after 3 s. The throttling
scenario scales TikTok's minute to 6 s and its two minutes of 503s to 12 s.

The scenarios must hold on a busy machine (CI runs them next to everything
else): they wait on conditions with generous deadlines, never on a fixed
sleep, count faults instead of timing them where the speed of the machine
would decide what is seen, and bound durations only from when the processes
are running, not from before they started. The stack (fixtures and helpers)
is in conftest.py; 1.8 and 1.11 are in test_worker_redelivery.py.

PostgreSQL only (``postgres``): the worker processes, the sandbox and the
test share one database, and several processes claim at once, which needs row
locks. The in-process tests cover the rest of the issue's list on both
databases: every documented error code on init, chunk and status
(test_errors.py), duplicate and forged webhooks (test_webhooks_and_admin.py)
and every crash point one by one (test_recovery.py); they are not repeated
here.
"""

from __future__ import annotations

import itertools
import re
import subprocess
import sys
from datetime import datetime, timedelta

import pytest
import redis
from django.utils import timezone

from cms.models import PostMedia
from tests.factories.cms import PostFactory
from tests.tiktok_integration.publishing.conftest import (
    MB,
    accepted_chunks,
    calls_after_chunk,
    connect,
    creators,
    first_init_at,
    scheduled_job,
    settle,
    video_asset,
)
from tests.tiktok_integration.publishing.workers import ROOT, wait_for
from tiktok_integration.models import CircuitBreaker, PublishJob, TikTokAccount
from tiktok_integration.publishing.leases import publish_jobs_claim_due
from tiktok_sandbox.models import (
    Endpoint,
    SandboxCall,
    SandboxCreator,
    SandboxFault,
)
from tiktok_sandbox.selectors import (
    sandbox_call_count,
    sandbox_completed_publish_count,
    sandbox_init_count,
)
from tiktok_sandbox.services import (
    sandbox_access_tokens_expire_all,
    sandbox_fault_add,
)

pytestmark = pytest.mark.postgres
Status = PublishJob.Status
CHUNK = 5 * MB


# --- 1.1 / 1.3: SIGKILL mid-upload, then a restarted worker -------------------------


@pytest.mark.parametrize(
    ("point", "chunks", "crashed_after"),
    [
        pytest.param("after_chunk_commit:3", 7, 3, id="after-chunk-3-of-7"),
        pytest.param("after_final_chunk", 3, 3, id="after-final-chunk-201"),
    ],
)
def test_sigkill_of_the_pool_child_mid_upload_publishes_once_after_restart(
    stack, public_creator_account, point, chunks, crashed_after
):
    # given a due video of several chunks and a worker whose pool child is
    # SIGKILLed at the crash point (once)
    account = public_creator_account
    job = scheduled_job(account, size=chunks * CHUNK + 123)
    fired = stack.tmp / "fired"
    first = stack.processes.worker(
        "first", POSTDECK_FAULTPOINT=point, POSTDECK_FAULTPOINT_ONCE=str(fired)
    )
    stack.processes.ticker("beat")
    wait_for(fired.exists, timeout=120, what=f"the crash point {point}")
    wait_for(lambda: "SIGKILL" in first.text(), timeout=60, what="the child's death")
    # when the whole worker is replaced by a fresh one
    first.kill()
    stack.processes.worker("second")
    # then the job is published once, from one init, each chunk sent once, and
    # the resume started by asking TikTok how far the upload got
    (job,) = settle([job])
    assert job.status == Status.PUBLISHED, job.failure_message
    assert sandbox_init_count(creator_open_id=account.open_id) == 1
    assert sandbox_completed_publish_count(creator_open_id=account.open_id) == 1
    assert accepted_chunks(job.publish_id) == list(range(1, chunks + 1))
    assert calls_after_chunk(job.publish_id, crashed_after)[0] == Endpoint.STATUS_FETCH


# --- 1.4: init answered, then the connection dropped --------------------------------


def test_init_answered_then_dropped_reinits_once_and_publishes_once(
    stack, public_creator_account
):
    # given gunicorn creates the publish and then really drops the connection
    account = public_creator_account
    job = scheduled_job(account, size=1 * MB)
    sandbox_fault_add(
        endpoint=Endpoint.VIDEO_INIT, action=SandboxFault.Action.DROP_AFTER_ACTING
    )
    # when a worker and the ticks run
    stack.processes.worker("worker")
    stack.processes.ticker("beat")
    # then the orphan is recorded, it never receives a byte, and one post exists
    (job,) = settle([job])
    assert job.status == Status.PUBLISHED, job.failure_message
    assert sandbox_init_count(creator_open_id=account.open_id) == 2
    assert len(job.orphan_publish_ids) == 1
    orphan = (
        SandboxCall.objects.filter(endpoint=Endpoint.VIDEO_INIT, is_dropped=True)
        .values_list("publish_id", flat=True)
        .get()
    )
    assert accepted_chunks(orphan) == []
    assert sandbox_completed_publish_count(creator_open_id=account.open_id) == 1


# --- 1.6 / 1.7: duplicates from the queue and from two beats -------------------------


def test_the_same_run_message_on_two_workers_makes_one_set_of_calls(
    stack, public_creator_account
):
    # given a claimed job and two idle workers
    account = public_creator_account
    job = scheduled_job(account, size=1 * MB)
    workers = [stack.processes.worker(name) for name in ("one", "two")]
    (claim,) = publish_jobs_claim_due()
    # when the same message is delivered twice
    stack.send_run(claim.job_id, claim.lease_version)
    stack.send_run(claim.job_id, claim.lease_version)
    stack.processes.ticker("beat")
    # then both copies were taken, one worker acted, the other called nothing
    (job,) = settle([job])
    assert job.status == Status.PUBLISHED, job.failure_message
    logs = "".join(worker.text() for worker in workers)
    assert len(re.findall(r"Task tiktok\.publish_run\[[\w-]+\] received", logs)) == 2
    assert logs.count("Not ours (duplicate or stale message)") == 1
    assert sandbox_call_count(endpoint=Endpoint.CREATOR_INFO) == 1
    assert sandbox_init_count() == 1
    assert sandbox_completed_publish_count() == 1
    assert job.attempt_count == 1


def test_two_beats_and_two_workers_claim_each_due_job_once(stack):
    # given 12 due jobs over 6 accounts
    accounts = [connect(creator) for creator in creators(6)]
    jobs = [scheduled_job(account, size=1 * MB) for account in accounts * 2]
    # when two beats tick over them and two workers publish
    for name in ("beat-a", "beat-b"):
        stack.processes.ticker(name, every=0.2)
    for name in ("one", "two"):
        stack.processes.worker(name, concurrency=2)
    # then every job was claimed once and published once: inits == jobs
    jobs = settle(jobs)
    assert [job.status for job in jobs] == [Status.PUBLISHED] * len(jobs)
    assert [job.attempt_count for job in jobs] == [1] * len(jobs)
    assert sandbox_init_count() == len(jobs)
    assert len({job.publish_id for job in jobs}) == len(jobs)
    assert sandbox_completed_publish_count() == len(jobs)


# --- 1.9 / 1.10: no lost job ---------------------------------------------------------


def test_web_process_killed_after_commit_is_still_published(
    stack, public_creator_account
):
    # given a web process that commits a due job and is SIGKILLed right after
    # the commit, before anything could be enqueued
    account = public_creator_account
    post = PostFactory(workspace=account.workspace, caption="Saved, then killed")
    asset = video_asset(account.workspace, 1 * MB)
    PostMedia.objects.create(post=post, asset=asset, position=0)
    web = subprocess.run(
        [sys.executable, "-m", "tests.tiktok_integration.publishing.workers",
         "save-then-die", str(post.pk), str(account.pk)],
        cwd=ROOT, env=stack.processes.env, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert web.returncode == -9, web.stderr
    assert "enqueued" not in web.stdout
    (job,) = PublishJob.objects.all()
    # when a worker and the beat run
    stack.processes.worker("worker")
    stack.processes.ticker("beat")
    running_since = timezone.now()
    # then the dispatcher publishes it within 20 s of the beat running (the
    # processes' start-up, slow on a busy machine, is not the dispatcher's), once
    (job,) = settle([job])
    assert job.status == Status.PUBLISHED, job.failure_message
    since = max(job.scheduled_at, running_since)
    assert first_init_at(account) - since < timedelta(seconds=20)
    assert sandbox_completed_publish_count(creator_open_id=account.open_id) == 1


def test_redis_restarted_after_claim_and_enqueue_is_published_once(
    stack, restartable, public_creator_account
):
    # given a due job claimed and enqueued on a Redis without persistence, and
    # no worker yet
    stack.use_broker(restartable.url)
    account = public_creator_account
    job = scheduled_job(account, size=1 * MB)
    stack.processes.ticker("beat")
    queue = redis.Redis.from_url(restartable.url)
    wait_for(lambda: queue.llen("publish") > 0, timeout=60, what="the enqueue")
    # when Redis restarts and loses the message
    restartable.stop()
    restartable.start()
    assert queue.llen("publish") == 0
    stack.processes.worker("worker")
    # then the job is re-driven once its lease runs out and published once, no
    # later than lease + 60 s after it was due
    (job,) = settle([job])
    assert job.status == Status.PUBLISHED, job.failure_message
    lease = timedelta(seconds=int(stack.processes.env["TIKTOK_PUBLISH_LEASE_SECONDS"]))
    assert first_init_at(account) - job.scheduled_at <= lease + timedelta(seconds=60)
    assert sandbox_init_count(creator_open_id=account.open_id) == 1
    assert sandbox_completed_publish_count(creator_open_id=account.open_id) == 1


# --- 2.2 / 2.3: 429s on one account, then 503s everywhere ----------------------------


def init_calls(creator: SandboxCreator) -> list[tuple[datetime, int]]:
    """When ``creator``'s video inits reached the sandbox, and their answers."""
    return list(
        SandboxCall.objects.filter(endpoint=Endpoint.VIDEO_INIT, creator=creator)
        .order_by("created_at", "pk")
        .values_list("created_at", "http_status")
    )


def test_429s_then_503s_delay_but_never_fail_or_double_publish(stack):
    # given TikTok's minute scaled to 6 s and account A's init refused with 429
    # twice (its 90 s of throttling); the refusals are counted, not timed, so a
    # busy machine meets the same throttling as a quiet one
    stack.processes.env["TIKTOK_RATE_WINDOW_SECONDS"] = "6"
    throttled, other_one, other_two = creators(3)
    accounts = [connect(creator) for creator in (throttled, other_one, other_two)]
    sandbox_fault_add(
        endpoint=Endpoint.VIDEO_INIT,
        action=SandboxFault.Action.RESPOND,
        http_status=429,
        error_code="rate_limit_exceeded",
        creator=throttled,
        remaining=2,
    )
    jobs = [scheduled_job(account, size=1 * MB) for account in accounts]
    stack.processes.worker("worker", concurrency=2)
    stack.processes.ticker("beat")
    # when 12 s of 503 on every endpoint for everyone (2 min, scaled) start as
    # the throttling ends, with more posts due in them
    wait_for(
        lambda: [code for _, code in init_calls(throttled)] == [429, 429],
        timeout=120,
        what="the throttled account's two refused inits",
    )
    for endpoint in (
        Endpoint.CREATOR_INFO,
        Endpoint.VIDEO_INIT,
        Endpoint.UPLOAD,
        Endpoint.STATUS_FETCH,
    ):
        sandbox_fault_add(
            endpoint=endpoint,
            action=SandboxFault.Action.RESPOND,
            http_status=503,
            remaining=None,
            active_for_seconds=12,
        )
    due_later = [scheduled_job(account, size=1 * MB) for account in accounts[1:]]
    # then every job is published once, none failed, no attempt was used up
    jobs = settle(jobs + due_later)
    assert [job.status for job in jobs] == [Status.PUBLISHED] * len(jobs)
    assert [job.attempt_count for job in jobs] == [1] * len(jobs)
    assert sandbox_init_count() == len(jobs)
    assert sandbox_completed_publish_count() == len(jobs)
    # and after each 429 the throttled account waited the window before its
    # next init
    calls = init_calls(throttled)
    assert [code for _, code in calls].count(429) == 2
    for (at, status), (next_at, _) in itertools.pairwise(calls):
        if status == 429:
            assert next_at - at >= timedelta(seconds=6)
    # and the other accounts were not held behind it: each published its first
    # post before the throttled account's init was accepted
    throttled_accepted = min(at for at, code in calls if code == 200)
    for creator in (other_one, other_two):
        assert min(at for at, code in init_calls(creator) if code == 200) < (
            throttled_accepted
        )
    # and the outage opened the breaker instead of hammering TikTok
    assert CircuitBreaker.objects.filter(opened_at__isnull=False).exists()


# --- 2.5 / 2.7: the access token expires mid-upload -----------------------------------


def test_access_token_expiring_mid_upload_refreshes_once(stack, public_creator_account):
    # given a 4-chunk upload whose third chunk is slow
    account = public_creator_account
    job = scheduled_job(account, size=4 * CHUNK)
    sandbox_fault_add(
        endpoint=Endpoint.UPLOAD,
        action=SandboxFault.Action.DELAY,
        chunk_number=3,
        delay_seconds=5,
    )
    stack.processes.worker("worker")
    stack.processes.ticker("beat")
    wait_for(
        lambda: SandboxCall.objects.filter(
            endpoint=Endpoint.UPLOAD, chunk_number=2, http_status=206
        ).exists(),
        timeout=120,
        what="chunk 2",
    )
    # when TikTok expires the access token while the upload goes on
    sandbox_access_tokens_expire_all()
    # then the upload continues, one refresh gets a new token, one publish
    (job,) = settle([job])
    assert job.status == Status.PUBLISHED, job.failure_message
    assert accepted_chunks(job.publish_id) == [1, 2, 3, 4]
    assert sandbox_call_count(endpoint=Endpoint.OAUTH_TOKEN) == 1
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.ACTIVE
    assert sandbox_completed_publish_count(creator_open_id=account.open_id) == 1
