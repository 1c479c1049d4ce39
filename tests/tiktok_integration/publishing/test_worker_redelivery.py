"""A step message delivered again while its worker lives, and a worker whose
main process dies under a running upload, with real processes (scenarios 1.8
and 1.11, docs/reliability.md §10; the stack is in conftest.py).

Both end as every fault test does: the job published once, from one init, each
chunk accepted once.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.tiktok_integration.publishing.conftest import (
    MB,
    accepted_chunks,
    scheduled_job,
    settle,
)
from tests.tiktok_integration.publishing.workers import wait_for
from tiktok_integration.models import PublishJob
from tiktok_sandbox.models import Endpoint, SandboxCall, SandboxFault
from tiktok_sandbox.selectors import sandbox_completed_publish_count, sandbox_init_count
from tiktok_sandbox.services import sandbox_fault_add

pytestmark = pytest.mark.postgres
Status = PublishJob.Status
CHUNK = 5 * MB
RECEIVED = re.compile(r"Task tiktok\.publish_run\[[\w-]+\] received")


def process_gone(pid: int) -> bool:
    """The process has exited (a zombie waiting to be reaped counts)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def chunk_accepted(number: int) -> bool:
    return SandboxCall.objects.filter(
        endpoint=Endpoint.UPLOAD, chunk_number=number, http_status=206
    ).exists()


# --- 1.8: the broker's visibility timeout passes while the worker still runs ---------


def test_a_run_redelivered_while_its_worker_still_uploads_does_nothing(
    stack, public_creator_account
):
    # given a 3-chunk upload whose second chunk TikTok answers slowly, and two
    # workers that take one message at a time
    account = public_creator_account
    job = scheduled_job(account, size=3 * CHUNK)
    sandbox_fault_add(
        endpoint=Endpoint.UPLOAD,
        action=SandboxFault.Action.DELAY,
        chunk_number=2,
        delay_seconds=20,
    )
    workers = [stack.processes.worker(name) for name in ("one", "two")]
    stack.processes.ticker("beat")
    wait_for(lambda: chunk_accepted(1), timeout=120, what="chunk 1")
    # when the visibility timeout passes and Redis delivers the unacknowledged
    # message again, to the idle worker
    assert stack.redeliver_unacked() == 1
    wait_for(
        lambda: "Not ours" in "".join(worker.text() for worker in workers),
        timeout=60,
        what="the second delivery",
    )
    # then the copy arrived while the first worker still uploaded, and did
    # nothing: one init, each chunk once, one publish, one attempt
    assert PublishJob.objects.get(pk=job.pk).status == Status.UPLOADING
    (job,) = settle([job])
    assert job.status == Status.PUBLISHED, job.failure_message
    logs = "".join(worker.text() for worker in workers)
    assert len(RECEIVED.findall(logs)) == 2
    assert logs.count("Not ours (duplicate or stale message)") == 1
    assert sandbox_init_count(creator_open_id=account.open_id) == 1
    assert accepted_chunks(job.publish_id) == [1, 2, 3]
    assert job.attempt_count == 1
    assert sandbox_completed_publish_count(creator_open_id=account.open_id) == 1


# --- 1.11: only the worker's main process is killed mid-upload -----------------------


def test_killing_only_the_main_worker_process_mid_upload_publishes_once(
    stack, public_creator_account
):
    # given a 4-chunk upload whose third chunk TikTok answers slowly
    account = public_creator_account
    job = scheduled_job(account, size=4 * CHUNK)
    sandbox_fault_add(
        endpoint=Endpoint.UPLOAD,
        action=SandboxFault.Action.DELAY,
        chunk_number=3,
        delay_seconds=5,
    )
    first = stack.processes.worker("first")
    stack.processes.ticker("beat")
    wait_for(lambda: chunk_accepted(2), timeout=120, what="chunk 2")
    children = first.pool_children()
    assert children
    # when only the worker's main process is SIGKILLed, so nothing acknowledges
    # its message, and a new worker starts
    first.kill_main()
    second = stack.processes.worker("second")
    # then the pool child dies with it (Celery sets it to), the new worker takes
    # the job once the lease has run out and resumes from TikTok's byte count,
    # and the job is published once, from one init, each chunk accepted once
    wait_for(
        lambda: all(process_gone(pid) for pid in children),
        timeout=60,
        what="the orphaned pool child to die",
    )
    (job,) = settle([job])
    assert job.status == Status.PUBLISHED, job.failure_message
    calls = re.findall(r"TikTok \w+ (\w+):", second.text())
    assert calls[0] == Endpoint.STATUS_FETCH, calls
    assert Endpoint.VIDEO_INIT not in calls
    assert sandbox_init_count(creator_open_id=account.open_id) == 1
    assert accepted_chunks(job.publish_id) == [1, 2, 3, 4]
    assert job.attempt_count == 2
    assert sandbox_completed_publish_count(creator_open_id=account.open_id) == 1
