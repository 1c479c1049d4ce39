from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from django.template import Context, Template
from django.urls import reverse

from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory

TEN_O_CLOCK = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def _render(source: str, **context: object) -> str:
    return Template("{% load postdeck_time %}" + source).render(Context(context))


def test_a_time_on_the_hour_keeps_its_minutes_and_names_its_zone():
    assert _render("{{ t|when }}", t=TEN_O_CLOCK) == "30 Nov 2026, 10:00 UTC"
    assert _render("{{ t|clock }}", t=TEN_O_CLOCK) == "10:00 UTC"


def test_a_time_is_shown_in_the_zone_asked_for():
    assert (
        _render('{{ t|when:"Europe/Rome" }}', t=TEN_O_CLOCK) == "30 Nov 2026, 11:00 CET"
    )
    assert _render("{{ t|clock:zone }}", t=TEN_O_CLOCK, zone="Asia/Tokyo") == (
        "19:00 JST"
    )


def test_no_time_is_a_dash():
    assert _render("{{ t|when }}", t=None) == "—"


def test_djangos_own_date_filter_uses_the_same_format():
    # The admin's lists and read-only fields go through DATETIME_FORMAT.
    assert _render("{{ t }}", t=TEN_O_CLOCK) == "30 Nov 2026, 10:00 UTC"
    assert _render("{{ t|time }}", t=TEN_O_CLOCK) == "10:00"


@pytest.mark.django_db
def test_the_job_list_shows_ten_oclock_as_10_00(admin_client):
    # given
    PublishJobFactory(post=PostFactory(title="Morning post"), scheduled_at=TEN_O_CLOCK)
    # when
    html = admin_client.get(
        reverse("admin:tiktok_integration_publishjob_changelist")
    ).content.decode()
    # then
    assert "30 Nov 2026, 10:00 UTC" in html
    assert "10 a.m." not in html


def test_every_time_in_a_template_names_the_zone_it_is_shown_in():
    # Without a zone, |when falls back to the server's (UTC): a reader in
    # Tokyo would see another clock than their workspace's.
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    bare = [
        f"{path.relative_to(root)}: {line.strip()}"
        for folder in ("templates", "cms", "media_library", "tiktok_integration")
        for path in (root / folder).rglob("*.html")
        for line in path.read_text().splitlines()
        if re.search(r"\|(when|clock)(?!:)", line)
    ]
    assert bare == []


@pytest.mark.django_db
def test_the_notifications_cost_the_same_queries_however_many(client):
    # given
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from cms.review.models import Notification
    from tests.factories.workspaces import MembershipFactory

    user = MembershipFactory(role="manager").user
    client.force_login(user)

    def note() -> None:
        Notification.objects.create(
            user=user, post=PostFactory(), kind="mention", message="Look"
        )

    note()
    url = reverse("admin:cms_post_review_inbox")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(4):
        note()
    # when
    with CaptureQueriesContext(connection) as many:
        html = client.get(url).content.decode()
    # then
    assert html.count("review-muted") >= 5
    assert len(many.captured_queries) == len(few.captured_queries)
