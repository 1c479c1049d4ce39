"""The calendar in a real browser: posts of every state in the month and
week views, drag and drop (kept, refused, across a clock change), the
keyboard move and a day over TikTok's cap. Screenshots at 1280 and 390 px."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone

from cms.models import Post
from tests.conftest import screenshot
from tests.factories.tiktok import TikTokAccountFactory
from tests.factories.workspaces import WorkspaceFactory
from tests.tiktok_integration.calendar.support import (
    at,
    member_of,
    next_spring_forward,
    planned,
)
from tests.tiktok_integration.composer.support import sign_in
from tiktok_integration.models import PostMove, PublishJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
ROME = "Europe/Rome"
Status = PublishJob.Status


def _monday_ahead(days: int) -> date:
    day = timezone.localdate() + timedelta(days=days)
    return day + timedelta(days=(7 - day.weekday()) % 7)


@pytest.fixture
def rome() -> Any:
    return WorkspaceFactory(time_zone=ROME, name="Rome brand")


@pytest.fixture
def accounts(rome: Any) -> tuple[Any, Any]:
    return (
        TikTokAccountFactory(workspace=rome, username="alba"),
        TikTokAccountFactory(workspace=rome, username="bruno"),
    )


def _open(page: Any, live_server: Any, user: Any, view: str, day: date) -> None:
    sign_in(page, live_server.url, user)
    _show(page, live_server, view, day)


def _show(page: Any, live_server: Any, view: str, day: date) -> None:
    page.goto(f"{live_server.url}/admin/calendar/")
    page.wait_for_selector("#pd-cal .fc-view")
    page.evaluate(
        "([view, day]) => { const c = document.getElementById('pd-cal').calendar;"
        " c.changeView(view, day); }",
        [view, day.isoformat()],
    )
    page.wait_for_timeout(300)
    page.wait_for_selector("#pd-cal .fc-event[data-post-id]")


def _drag(page: Any, source: Any, target: Any, dy: float = 0) -> None:
    start = source.bounding_box()
    end = target.bounding_box()
    page.mouse.move(start["x"] + 10, start["y"] + start["height"] / 2)
    page.mouse.down()
    page.mouse.move(start["x"] + 20, start["y"] + start["height"] / 2 + 5, steps=5)
    page.mouse.move(end["x"] + end["width"] / 2, end["y"] + 30 + dy, steps=15)
    page.mouse.up()


def _event(page: Any, post: Post) -> Any:
    return page.locator(f"#pd-cal .fc-event[data-post-id='{post.pk}']").first


def _cell(page: Any, day: date) -> Any:
    return page.locator(f"#pd-cal td.fc-daygrid-day[data-date='{day.isoformat()}']")


def _status(page: Any, text: str) -> str:
    page.wait_for_function(
        "t => document.getElementById('pd-cal-status').textContent.includes(t)",
        arg=text,
    )
    return str(page.locator("#pd-cal-status").inner_text())


def test_month_and_week_show_posts_of_every_state(live_server, page, rome, accounts):
    alba, bruno = accounts
    monday = _monday_ahead(3)
    states = {
        "draft": planned(rome, at(monday, 9), title="A draft idea"),
        "scheduled": planned(rome, at(monday, 10), (alba, bruno), title="Launch"),
        "publishing": planned(
            rome, at(monday, 11), (alba,), status=Status.UPLOADING, title="Going"
        ),
        "published": planned(
            rome, at(monday, 12), (bruno,), status=Status.PUBLISHED, title="Done"
        ),
        "needs_attention": planned(
            rome,
            at(monday + timedelta(days=1), 9),
            (alba,),
            status=Status.FAILED,
            title="Broken",
        ),
        "sent_to_inbox": planned(
            rome,
            at(monday + timedelta(days=1), 10),
            (bruno,),
            status=Status.SENT_TO_INBOX,
            mode="draft",
            title="Inbox",
        ),
    }
    partly = planned(rome, at(monday + timedelta(days=2), 18), (alba,), title="Half")
    PublishJob.objects.create(
        post=partly,
        account=bruno,
        scheduled_at=partly.scheduled_at,
        status=Status.PUBLISHED,
        privacy_level="SELF_ONLY",
    )
    states["partly_published"] = partly
    user = member_of(rome)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    _open(page, live_server, user, "dayGridMonth", monday)
    # FullCalendar's own stylesheet is in (its nonce), nothing else inline
    assert page.locator("style[data-fullcalendar]").count() == 1
    assert (
        page.evaluate(
            "getComputedStyle(document.querySelector('.fc-daygrid-day-frame')).position"
        )
        == "relative"
    )
    for state, post in states.items():
        event = _event(page, post)
        assert f"pd-state-{state}" in (event.get_attribute("class") or "")
    launch = _event(page, states["scheduled"])
    assert launch.locator(".pd-ev-time").inner_text() == "10:00"
    assert launch.locator(".pd-ev-avatar").count() == 2
    assert "Times in Europe/Rome" in page.locator("#pd-cal-zone-label").inner_text()
    screenshot(page, "calendar-month-1280")
    page.evaluate(
        "d => document.getElementById('pd-cal').calendar.changeView('timeGridWeek', d)",
        monday.isoformat(),
    )
    page.wait_for_selector("#pd-cal .fc-timegrid-event[data-post-id]")
    for state, post in states.items():
        assert f"pd-state-{state}" in (_event(page, post).get_attribute("class") or "")
    screenshot(page, "calendar-week-1280")
    page.set_viewport_size({"width": 390, "height": 900})
    page.reload()
    page.wait_for_selector("#pd-cal .fc-list")
    page.evaluate(
        "d => document.getElementById('pd-cal').calendar.gotoDate(d)",
        monday.isoformat(),
    )
    page.wait_for_selector("#pd-cal .fc-list-event")
    listed = page.locator(
        f"#pd-cal .fc-list-event[data-post-id='{states['scheduled'].pk}']"
    )
    assert "10:00" in listed.inner_text() and "Launch" in listed.inner_text()
    screenshot(page, "calendar-list-390")
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_drag_to_another_day_keeps_the_time_and_is_saved(
    live_server, page, rome, accounts
):
    monday = _monday_ahead(3)
    post = planned(rome, at(monday, 10, 30), (accounts[0],), title="Drag me")
    user = member_of(rome)
    _open(page, live_server, user, "dayGridMonth", monday)
    _drag(page, _event(page, post), _cell(page, monday + timedelta(days=2)))
    assert "Moved" in _status(page, "Moved")
    post.refresh_from_db()
    assert post.scheduled_wall_time == at(monday + timedelta(days=2), 10, 30)
    assert PostMove.objects.get(post=post).moved_by_id == user.pk
    moved = _cell(page, monday + timedelta(days=2)).locator(
        f".fc-event[data-post-id='{post.pk}']"
    )
    assert moved.locator(".pd-ev-time").inner_text() == "10:30"


def test_a_drop_in_the_week_view_takes_the_slot_time(live_server, page, rome, accounts):
    monday = _monday_ahead(3)
    post = planned(rome, at(monday, 10), (accounts[0],), title="Slot me")
    # the whole day on screen: the mouse only drops where it can reach
    page.set_viewport_size({"width": 1280, "height": 1800})
    _open(page, live_server, member_of(rome), "timeGridWeek", monday)
    wednesday = page.locator(
        f"#pd-cal td.fc-timegrid-col[data-date='{(monday + timedelta(days=2)).isoformat()}']"
    )
    slot = page.locator("#pd-cal td.fc-timegrid-slot-lane[data-time='14:00:00']")
    col, row = wednesday.bounding_box(), slot.bounding_box()
    source = _event(page, post).bounding_box()
    page.mouse.move(source["x"] + 10, source["y"] + 5)
    page.mouse.down()
    page.mouse.move(source["x"] + 20, source["y"] + 15, steps=5)
    page.mouse.move(col["x"] + col["width"] / 2, row["y"] + 3, steps=15)
    page.mouse.up()
    _status(page, "Moved")
    post.refresh_from_db()
    assert post.scheduled_wall_time == at(monday + timedelta(days=2), 14)


def test_a_forbidden_drag_snaps_back_with_the_reason(live_server, page, rome, accounts):
    monday = _monday_ahead(3)
    post = planned(
        rome, at(monday, 9), (accounts[0],), status=Status.UPLOADING, title="Busy"
    )
    _open(page, live_server, member_of(rome), "dayGridMonth", monday)
    _drag(page, _event(page, post), _cell(page, monday + timedelta(days=1)))
    message = _status(page, "Not moved")
    assert "@alba is already 'Uploading'" in message
    page.wait_for_timeout(300)
    assert _cell(page, monday).locator(f"[data-post-id='{post.pk}']").count() == 1
    post.refresh_from_db()
    assert post.scheduled_wall_time == at(monday, 9)
    screenshot(page, "calendar-refused-1280")


def test_a_drag_across_the_clock_change_keeps_ten_oclock(
    live_server, page, rome, accounts
):
    spring = next_spring_forward(ROME)
    saturday, monday = spring - timedelta(days=1), spring + timedelta(days=1)
    post = planned(rome, at(saturday, 10), (accounts[0],), title="Ten o'clock")
    _open(page, live_server, member_of(rome), "dayGridMonth", saturday)
    _drag(page, _event(page, post), _cell(page, monday))
    _status(page, "Moved")
    post.refresh_from_db()
    assert post.scheduled_wall_time == at(monday, 10)
    assert post.scheduled_at is not None
    assert post.scheduled_at.hour == 8  # 10:00 CEST (UTC+2); it was 09:00 UTC


def test_a_post_moves_with_the_keyboard(live_server, page, rome, accounts):
    monday = _monday_ahead(3)
    post = planned(rome, at(monday, 10), (accounts[0],), title="Keys")
    _open(page, live_server, member_of(rome), "dayGridMonth", monday)
    _event(page, post).focus()
    page.keyboard.press("m")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert "14:00" not in _status(page, "11:00")
    page.keyboard.press("Enter")
    _status(page, "Moved")
    # the moved post keeps the focus once the calendar shows it again
    page.wait_for_function(
        "id => document.activeElement && document.activeElement.dataset.postId === id",
        arg=str(post.pk),
    )
    post.refresh_from_db()
    assert post.scheduled_wall_time == at(monday + timedelta(days=1), 11)
    # the days can be walked with the arrow keys too
    _cell(page, monday).focus()
    page.keyboard.press("ArrowDown")
    focused = page.evaluate("document.activeElement.dataset.date")
    assert focused == (monday + timedelta(days=7)).isoformat()
    # Enter on a day: the composer, that day filled in
    page.keyboard.press("Enter")
    page.wait_for_selector("#compose-date")
    assert page.input_value("#compose-date") == (monday + timedelta(days=7)).isoformat()
    assert page.input_value("#compose-time") == "09:00"
    # Enter on a post: the composer, on that post
    _show(page, live_server, "dayGridMonth", monday)
    _event(page, post).focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/admin/cms/post/{post.pk}/compose/")


def test_a_day_over_the_cap_is_marked(live_server, page, rome, accounts, settings):
    settings.TIKTOK_DAILY_POST_CAP = 2
    monday = _monday_ahead(3)
    for hour in (9, 12, 15):
        planned(rome, at(monday, hour), (accounts[0],), title=f"At {hour}")
    _open(page, live_server, member_of(rome), "dayGridMonth", monday)
    marker = _cell(page, monday).locator(".fc-bg-event.pd-over-cap")
    assert marker.count() == 1
    assert "@alba" in marker.inner_text()
    assert "3 direct posts" in (
        marker.locator(".pd-cap-title").get_attribute("title") or ""
    )
    assert _cell(page, monday + timedelta(days=1)).locator(".pd-over-cap").count() == 0
    screenshot(page, "calendar-over-cap-1280")
    page.set_viewport_size({"width": 390, "height": 900})
    page.wait_for_timeout(500)
    assert marker.is_visible()
    screenshot(page, "calendar-month-390")
