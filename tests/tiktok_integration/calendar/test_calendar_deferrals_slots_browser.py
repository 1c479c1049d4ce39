"""The calendar in a real browser, with cap deferrals and queue slots: a
deferred post at its planned time and again at its next try with the reason, a
held post waiting for a new time, the free slots of a queue opening the
composer at their time. Screenshots at 1280 and 390 px."""

from __future__ import annotations

from datetime import date, time, timedelta
from typing import Any

import pytest
from django.utils import timezone

from cms.scheduling import local_to_utc
from tests.conftest import screenshot
from tests.factories.tiktok import TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory
from tests.tiktok_integration.calendar.support import at, member_of, planned
from tests.tiktok_integration.composer.support import sign_in
from tiktok_integration.models import PostingQueue, PublishJob, QueueSlot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROME = "Europe/Rome"
Status = PublishJob.Status


def _monday_ahead(days: int) -> date:
    day = timezone.localdate() + timedelta(days=days)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def _show(page: Any, live_server: Any, view: str, day: date) -> None:
    page.goto(f"{live_server.url}/admin/calendar/")
    page.wait_for_selector("#pd-cal .fc-view")
    page.evaluate(
        "([view, day]) => document.getElementById('pd-cal').calendar"
        ".changeView(view, day)",
        [view, day.isoformat()],
    )
    page.wait_for_selector("#pd-cal .fc-event[data-slot]")


@pytest.fixture
def scene() -> dict[str, Any]:
    """Rome: @alba's queue (Monday to Friday 09:00 and 18:00); @bruno's post
    planned Monday 10:00 that the daily cap deferred to Tuesday 14:00, and one
    planned Wednesday 12:00 held for staff by the pending-inbox limit."""
    rome = WorkspaceFactory(time_zone=ROME, name="Rome brand")
    alba = TikTokAccountFactory(workspace=rome, username="alba")
    bruno = TikTokAccountFactory(workspace=rome, username="bruno")
    queue = PostingQueue.objects.create(account=alba)
    for weekday in range(5):
        for clock in (time(9), time(18)):
            QueueSlot.objects.create(queue=queue, weekday=weekday, local_time=clock)
    monday = _monday_ahead(3)
    capped = planned(rome, at(monday, 10), (bruno,), title="Capped launch")
    PublishJob.objects.filter(post=capped).update(
        deferred_until=local_to_utc(at(monday + timedelta(days=1), 14), ROME),
        deferred_reason=PublishJob.DeferralReason.DAILY_CAP,
        failure_message="TikTok's daily post cap: the creator has reached it.",
    )
    held = planned(
        rome, at(monday + timedelta(days=2), 12), (bruno,), title="Held teaser"
    )
    PublishJob.objects.filter(post=held).update(
        status=Status.NEEDS_CONFIRMATION,
        deferred_reason=PublishJob.DeferralReason.INBOX_CAP,
        failure_message="TikTok's pending-inbox limit. This workspace waits for staff.",
    )
    return {
        "workspace": rome,
        "alba": alba,
        "monday": monday,
        "capped": capped,
        "held": held,
    }


def test_a_deferred_post_shows_at_both_times_and_slots_open_the_composer(
    live_server, page, scene
):
    monday, capped, held = scene["monday"], scene["capped"], scene["held"]
    tuesday = monday + timedelta(days=1)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, live_server.url, member_of(scene["workspace"]))
    _show(page, live_server, "dayGridMonth", monday)

    def cell(day: date) -> Any:
        return page.locator(f"#pd-cal td.fc-daygrid-day[data-date='{day.isoformat()}']")

    # planned Monday 10:00, still there, saying when Postdeck tries next and why
    kept = cell(monday).locator(f".fc-event[data-event-id='{capped.pk}']")
    assert kept.locator(".pd-ev-time").inner_text() == "10:00"
    note = kept.locator(".pd-ev-next").inner_text()
    assert "next try" in note and "14:00" in note
    assert "The creator's daily post cap" in note
    # and again on Tuesday at 14:00, dashed, with the reason in its label
    again = cell(tuesday).locator(f".fc-event.pd-next-try[data-post-id='{capped.pk}']")
    assert again.locator(".pd-ev-time").inner_text() == "14:00"
    assert "next try" in again.inner_text()
    assert "The creator's daily post cap" in again.inner_text()
    label = again.get_attribute("aria-label") or ""
    assert "Next try" in label and "TikTok's daily post cap" in label
    # the held one waits for staff
    waiting = page.locator(f".fc-event[data-event-id='{held.pk}'] .pd-ev-next")
    assert "waiting for a new time" in waiting.inner_text()
    assert "pending-inbox limit" in waiting.inner_text()
    # @alba's free slots: Monday 09:00 and 18:00, none on Saturday
    slots = cell(monday).locator(".fc-event[data-slot]")
    assert slots.count() == 2
    assert "free @alba" in slots.first.inner_text()
    assert cell(monday + timedelta(days=5)).locator(".fc-event[data-slot]").count() == 0
    assert "free slot" in page.locator(".pd-cal-legend").inner_text().lower()
    screenshot(page, "calendar-deferred-slots-month-1280")
    page.evaluate(
        "d => document.getElementById('pd-cal').calendar.changeView('timeGridWeek', d)",
        monday.isoformat(),
    )
    page.wait_for_selector("#pd-cal .fc-timegrid-event.pd-next-try")
    screenshot(page, "calendar-deferred-slots-week-1280")
    assert not [e for e in errors if "Content Security Policy" in e], errors
    # the next try is not dragged: it opens the post it belongs to
    page.locator(f"#pd-cal .fc-event.pd-next-try[data-post-id='{capped.pk}']").click()
    page.wait_for_url(f"**/admin/cms/post/{capped.pk}/compose/")
    # a slot reached with the keyboard opens the composer at its time
    _show(page, live_server, "dayGridMonth", monday)
    last = cell(monday).locator(".fc-event[data-slot]").last
    last.focus()
    assert "Free queue slot" in (last.get_attribute("aria-label") or "")
    page.keyboard.press("Enter")
    page.wait_for_selector("#compose-date")
    assert page.input_value("#compose-date") == monday.isoformat()
    assert page.input_value("#compose-time") == "18:00"
    assert f"accounts={scene['alba'].pk}" in page.url


def test_deferrals_and_slots_at_phone_width(live_server, page, scene):
    monday, capped = scene["monday"], scene["capped"]
    page.set_viewport_size({"width": 390, "height": 900})
    sign_in(page, live_server.url, member_of(scene["workspace"]))
    page.goto(f"{live_server.url}/admin/calendar/")
    page.wait_for_selector("#pd-cal .fc-list")
    page.evaluate(
        "d => document.getElementById('pd-cal').calendar.gotoDate(d)",
        monday.isoformat(),
    )
    page.wait_for_selector("#pd-cal .fc-list-event.pd-next-try")
    rows = page.locator(f"#pd-cal .fc-list-event[data-post-id='{capped.pk}']")
    assert rows.count() == 2
    assert "next try" in rows.first.inner_text()
    assert page.locator("#pd-cal .fc-list-event[data-slot]").count() >= 2
    # nothing wider than the phone
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(page, "calendar-deferred-slots-list-390")
