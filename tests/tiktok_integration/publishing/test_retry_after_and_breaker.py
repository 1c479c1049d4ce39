"""Waiting as TikTok asks: Retry-After after a 429, and the circuit breaker's
half-open probe (docs/reliability.md; docs/tiktok.md §6).

The clock is moved with time-machine, which moves this process's clock: on
SQLite that is the database's clock too (``gateway.clock.db_now``), on
PostgreSQL it is not, so these run in the SQLite pass.
"""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.utils import timezone

from tests.tiktok_integration.publishing.conftest import drive, scheduled_job
from tiktok_integration.client import TikTokClient, TikTokTransientError
from tiktok_integration.client.facts import Endpoint as Api
from tiktok_integration.gateway import account_calls, breaker
from tiktok_integration.gateway.errors import ComeBackLaterError
from tiktok_integration.models import PublishJob
from tiktok_integration.publishing.dispatch import publish_dispatch_tick
from tiktok_integration.publishing.run import publish_job_run
from tiktok_sandbox.models import Endpoint, SandboxFault
from tiktok_sandbox.selectors import sandbox_call_count
from tiktok_sandbox.services import sandbox_fault_add

pytestmark = pytest.mark.sqlite_only
Status = PublishJob.Status
RETRY_AFTER = 40
RESET = 30


def creator_info_calls() -> int:
    return sandbox_call_count(endpoint=Endpoint.CREATOR_INFO)


def test_a_429_with_retry_after_parks_the_job_and_nothing_calls_until_then(account):
    # given TikTok answers the job's first call with 429, Retry-After: 40
    sandbox_fault_add(
        endpoint=Endpoint.CREATOR_INFO, action=SandboxFault.Action.RESPOND,
        http_status=429, error_code="rate_limit_exceeded",
        retry_after_seconds=RETRY_AFTER,
    )  # fmt: skip
    job = scheduled_job(account)
    with time_machine.travel(timezone.now(), tick=True) as clock:
        start = timezone.now()
        claim = publish_dispatch_tick()[0]
        # when the job runs
        note = publish_job_run(publish_job_id=job.pk, lease_version=claim.lease_version)
        # then it is parked for exactly what TikTok asked, not failed
        job.refresh_from_db()
        assert note.startswith(f"Parked {RETRY_AFTER} s"), note
        assert (job.status, job.lease_owner) == (Status.CLAIMED, "")
        assert job.next_action_at is not None
        waited = (job.next_action_at - start).total_seconds()
        assert RETRY_AFTER - 1 <= waited <= RETRY_AFTER + 1
        # and 30 s later nothing reaches TikTok for that token: not the job's
        # wake-up message, not the dispatch tick, not another caller
        clock.shift(RETRY_AFTER - 10)
        again = publish_job_run(
            publish_job_id=job.pk, lease_version=claim.lease_version
        )
        assert again.startswith("Not ours")
        assert publish_dispatch_tick() == []
        with pytest.raises(ComeBackLaterError) as wait:
            account_calls.creator_info(account_id=account.pk)
        assert 8 <= wait.value.delay <= 11
        assert creator_info_calls() == 1
        # when the time is up
        clock.shift(11)
        drive()
    # then the job goes on and is published
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED, job.failure_message
    assert creator_info_calls() == 2


@pytest.fixture
def breaker_opened(account: Any, settings: Any) -> Any:
    """Two 503s in a row open the API breaker for RESET seconds."""
    settings.TIKTOK_BREAKER_THRESHOLD = 2
    settings.TIKTOK_BREAKER_RESET_SECONDS = RESET
    sandbox_fault_add(
        endpoint=Endpoint.CREATOR_INFO, action=SandboxFault.Action.RESPOND,
        http_status=503, remaining=2,
    )  # fmt: skip
    with time_machine.travel(timezone.now(), tick=True) as clock:
        for _ in range(2):
            with pytest.raises(TikTokTransientError):
                account_calls.creator_info(account_id=account.pk)
        yield clock


def test_an_open_breaker_sends_nothing_until_its_reset_time(account, breaker_opened):
    # when another call is made while it is open
    with pytest.raises(ComeBackLaterError) as wait:
        account_calls.creator_info(account_id=account.pk)
    # then it is told to come back, and TikTok hears nothing
    assert RESET - 2 <= wait.value.delay <= RESET
    assert creator_info_calls() == 2


def test_after_the_reset_time_one_probe_goes_and_its_success_closes_it(
    account, breaker_opened
):
    # given the reset time has passed
    breaker_opened.shift(RESET + 1)
    held_back: list[float] = []

    def probe(client: TikTokClient, token: str) -> Any:
        # While the probe is on its way, any other caller still waits.
        with pytest.raises(ComeBackLaterError) as wait:
            account_calls.creator_info(account_id=account.pk)
        held_back.append(wait.value.delay)
        return client.creator_info(access_token=token)

    # when one caller goes through (the probe) and succeeds
    account_calls.call_as_account(
        account_id=account.pk, endpoint=Api.CREATOR_INFO, request=probe
    )
    # then the other was held back, and the breaker is closed: calls flow again
    assert len(held_back) == 1
    assert held_back[0] > 0
    assert creator_info_calls() == 3
    account_calls.creator_info(account_id=account.pk)
    account_calls.creator_info(account_id=account.pk)
    assert creator_info_calls() == 5


def test_a_failed_probe_opens_the_breaker_again(account, breaker_opened):
    # given the reset time has passed, and TikTok is still failing
    breaker_opened.shift(RESET + 1)
    sandbox_fault_add(
        endpoint=Endpoint.CREATOR_INFO, action=SandboxFault.Action.RESPOND,
        http_status=503, remaining=1,
    )  # fmt: skip
    # when the probe fails
    with pytest.raises(TikTokTransientError):
        account_calls.creator_info(account_id=account.pk)
    # then the breaker is open again for a full reset time
    with pytest.raises(ComeBackLaterError) as wait:
        account_calls.creator_info(account_id=account.pk)
    assert RESET - 2 <= wait.value.delay <= RESET
    assert creator_info_calls() == 3
    # and after it, the next probe goes through
    breaker_opened.shift(RESET + 1)
    account_calls.creator_info(account_id=account.pk)
    assert creator_info_calls() == 4


def test_of_two_callers_at_the_reset_time_only_one_probes(
    account, breaker_opened, monkeypatch
):
    # given the reset time has passed and two callers ask at the same moment:
    # the second reads the breaker after the first did, before the first
    # could take the probe
    breaker_opened.shift(RESET + 1)
    real_now = breaker.db_now
    second: list[str] = []

    def both_read_the_open_breaker() -> Any:
        now = real_now()
        if not second:
            second.append("asking")
            try:
                account_calls.creator_info(account_id=account.pk)
                second[0] = "sent"
            except ComeBackLaterError:
                second[0] = "waits"
        return now

    monkeypatch.setattr(breaker, "db_now", both_read_the_open_breaker)
    # when
    try:
        account_calls.creator_info(account_id=account.pk)
        first = "sent"
    except ComeBackLaterError:
        first = "waits"
    # then exactly one probe reached TikTok
    assert sorted([first, second[0]]) == ["sent", "waits"]
    assert creator_info_calls() == 3
