"""Posting queues in the admin: staff set an account's weekly slots and pause
the queue, for their own workspaces' accounts only."""

from __future__ import annotations

from datetime import time
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories.tiktok import TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory
from tiktok_integration.models import PostingQueue, QueueSlot

pytestmark = pytest.mark.django_db
ADD = reverse("admin:tiktok_integration_postingqueue_add")
LIST = reverse("admin:tiktok_integration_postingqueue_changelist")


def slots_form(account: Any, *slots: tuple[int, str], paused: bool = False) -> dict:
    data = {
        "account": str(account.pk),
        "slots-TOTAL_FORMS": str(len(slots)),
        "slots-INITIAL_FORMS": "0",
        "slots-MIN_NUM_FORMS": "0",
        "slots-MAX_NUM_FORMS": "1000",
    }
    if paused:
        data["paused"] = "on"
    for index, (weekday, clock) in enumerate(slots):
        data[f"slots-{index}-weekday"] = str(weekday)
        data[f"slots-{index}-local_time"] = clock
    return data


def test_staff_give_an_account_weekly_slots(staff_client, workspace):
    # given
    account = TikTokAccountFactory(workspace=workspace)
    # when
    response = staff_client.post(ADD, slots_form(account, (0, "09:00"), (4, "18:00")))
    # then
    assert response.status_code == 302
    queue = PostingQueue.objects.get(account=account)
    assert [str(slot) for slot in queue.slots.all()] == ["Monday 09:00", "Friday 18:00"]
    # and the list shows them, with the zone they are in on the change page
    assert "Monday 09:00, Friday 18:00" in staff_client.get(LIST).content.decode()
    page = staff_client.get(
        reverse("admin:tiktok_integration_postingqueue_change", args=[queue.pk])
    ).content.decode()
    assert workspace.time_zone in page
    assert "queue-next-slot" in page


def test_the_same_slot_twice_is_refused(staff_client, workspace):
    account = TikTokAccountFactory(workspace=workspace)
    response = staff_client.post(ADD, slots_form(account, (0, "09:00"), (0, "09:00")))
    assert response.status_code == 200
    assert not PostingQueue.objects.filter(account=account).exists()


def test_a_paused_queue_says_it_offers_no_slot(staff_client, workspace):
    account = TikTokAccountFactory(workspace=workspace)
    staff_client.post(ADD, slots_form(account, (0, "09:00"), paused=True))
    queue = PostingQueue.objects.get(account=account)
    assert queue.paused
    page = staff_client.get(
        reverse("admin:tiktok_integration_postingqueue_change", args=[queue.pk])
    ).content.decode()
    assert "None: the queue is paused." in page


def test_staff_see_and_choose_only_their_workspaces_accounts(staff_client, workspace):
    # given a queue of another workspace
    stranger = TikTokAccountFactory(workspace=WorkspaceFactory())
    other = PostingQueue.objects.create(account=stranger)
    # then it is neither listed nor reachable
    assert stranger.username not in staff_client.get(LIST).content.decode()
    url = reverse("admin:tiktok_integration_postingqueue_change", args=[other.pk])
    assert staff_client.get(url).status_code == 404
    # and its account cannot be given a queue from here
    response = staff_client.post(ADD, slots_form(stranger, (0, "09:00")))
    assert response.status_code == 200
    assert not QueueSlot.objects.exists()


def _list_queries(client: Any, workspace: Any, count: int) -> int:
    for _ in range(count):
        queue = PostingQueue.objects.create(
            account=TikTokAccountFactory(workspace=workspace)
        )
        QueueSlot.objects.create(queue=queue, weekday=0, local_time=time(9))
        QueueSlot.objects.create(queue=queue, weekday=2, local_time=time(18))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(LIST).status_code == 200
    return len(queries)


def test_the_queue_list_query_count_does_not_grow(staff_client, workspace):
    assert _list_queries(staff_client, workspace, 2) == _list_queries(
        staff_client, workspace, 10
    )


def test_staff_reach_an_accounts_queue_from_the_accounts_pages(staff_client, workspace):
    # given a connected account with a queue
    account = TikTokAccountFactory(workspace=workspace, username="alba")
    PostingQueue.objects.create(account=account)
    accounts = reverse("admin:tiktok_integration_tiktokaccount_changelist")
    card = reverse("admin:tiktok_integration_tiktokaccount_change", args=[account.pk])
    # when
    listing = staff_client.get(accounts).content.decode()
    page = staff_client.get(card).content.decode()
    # then the list links to the queues, the card to this account's queue
    assert f'id="posting-queues-link" href="{LIST}"' in listing
    assert f'href="{LIST}?q=alba" id="queue-link"' in page
    found = staff_client.get(f"{LIST}?q=alba").content.decode()
    assert "alba" in found and "0 posting queues" not in found
