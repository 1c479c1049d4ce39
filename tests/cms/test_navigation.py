from __future__ import annotations

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _nav(html: str) -> list[str]:
    block = re.search(r'<nav class="postdeck-nav".*?</nav>', html, re.S)
    assert block is not None
    return re.findall(r">([^<]+)</a>", block.group(0))


def test_staff_navigation_is_by_task_without_system(staff_client):
    # when
    html = staff_client.get(reverse("admin:index")).content.decode()
    # then
    assert _nav(html) == [
        "Compose",
        "Calendar",
        "Waiting for me",
        "Posts",
        "Media",
        "Accounts",
        "Analytics",
        "Settings",
    ]
    assert "Sandbox creators" not in html and "Periodic tasks" not in html
    assert staff_client.get(reverse("admin:postdeck_system")).status_code == 403


def test_superusers_also_see_system_with_the_internal_tables(admin_client):
    # when
    html = admin_client.get(reverse("admin:index")).content.decode()
    system = admin_client.get(reverse("admin:postdeck_system")).content.decode()
    # then
    assert _nav(html)[-2:] == ["Settings", "System"]
    assert "Sandbox creators" in system and "Periodic tasks" in system
    assert "Publish attempts" in system
    assert "Posts" not in _nav(system)[5:] and ">Posts</a></th>" not in system


def test_settings_lists_workspaces_and_people_not_internals(admin_client):
    # when
    html = admin_client.get(reverse("admin:postdeck_settings")).content.decode()
    # then
    assert "Workspaces" in html and "Users" in html
    assert "Sandbox creators" not in html
    assert 'id="nav-settings" class="current"' in html


def test_the_current_task_is_marked_on_its_pages(admin_client):
    # when
    compose = admin_client.get(reverse("admin:cms_post_compose")).content.decode()
    jobs = admin_client.get(
        reverse("admin:tiktok_integration_publishjob_changelist")
    ).content.decode()
    # then
    assert 'id="nav-compose" class="current"' in compose
    assert 'id="nav-posts" class="current"' not in compose
    assert 'id="nav-posts" class="current"' in jobs


def test_calendar_review_and_queues_sit_under_their_tasks(admin_client):
    # when
    calendar = admin_client.get(reverse("admin:calendar")).content.decode()
    inbox = admin_client.get(reverse("admin:cms_post_review_inbox")).content.decode()
    queues = admin_client.get(
        reverse("admin:tiktok_integration_postingqueue_changelist")
    ).content.decode()
    system = admin_client.get(reverse("admin:postdeck_system")).content.decode()
    # then
    assert 'id="nav-calendar" class="current"' in calendar
    assert 'id="nav-review" class="current"' in inbox
    assert 'id="nav-accounts" class="current"' in queues
    assert "Posting queues" not in system


def test_the_dashboard_no_longer_lists_every_table(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert "Sandbox creators" not in html
    assert "Periodic tasks" not in html
