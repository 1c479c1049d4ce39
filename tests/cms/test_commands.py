from __future__ import annotations

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone
from django_celery_beat.models import IntervalSchedule, PeriodicTask

from cms.models import Post
from config.periodic import PERIODIC_TASKS
from media_library.models import MediaAsset
from tiktok_integration.analytics.demo import DEMO_OPEN_ID
from tiktok_integration.models import PostingQueue
from workspaces.models import Workspace

pytestmark = pytest.mark.django_db


def test_setup_periodic_tasks_creates_each_task_once():
    # when run twice
    call_command("setup_periodic_tasks", stdout=io.StringIO())
    call_command("setup_periodic_tasks", stdout=io.StringIO())
    # then
    assert PeriodicTask.objects.filter(
        name__in=[s.name for s in PERIODIC_TASKS]
    ).count() == len(PERIODIC_TASKS)


def test_setup_periodic_tasks_keeps_what_staff_changed():
    # given staff disabled a task and slowed it down
    call_command("setup_periodic_tasks", stdout=io.StringIO())
    spec = PERIODIC_TASKS[0]
    slower, _ = IntervalSchedule.objects.get_or_create(
        every=999, period=IntervalSchedule.SECONDS
    )
    PeriodicTask.objects.filter(name=spec.name).update(enabled=False, interval=slower)
    # when
    call_command("setup_periodic_tasks", stdout=io.StringIO())
    # then
    task = PeriodicTask.objects.get(name=spec.name)
    assert task.enabled is False
    assert task.interval.every == 999
    # and --reset puts the interval back, still leaving the switch alone
    call_command("setup_periodic_tasks", "--reset", stdout=io.StringIO())
    task.refresh_from_db()
    assert task.interval.every == spec.every_seconds
    assert task.enabled is False


def test_seed_demo_is_repeatable_and_prints_the_login(settings, tmp_path):
    # given
    settings.VAR_DIR = tmp_path
    first, second = io.StringIO(), io.StringIO()
    # when
    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=second)
    # then
    password = first.getvalue().split("Login: admin / ")[1].strip()
    assert f"Login: admin / {password}" in second.getvalue()
    user = get_user_model().objects.get(username="admin")
    assert user.is_superuser and user.check_password(password)
    assert Workspace.objects.filter(slug="demo").count() == 1
    assert MediaAsset.objects.filter(kind="video").count() == 2
    assert MediaAsset.objects.filter(kind="photo").count() == 3
    # and one 3-photo post, ready to schedule, made once
    post = Post.objects.get(external_id="demo-three-photos")
    photos = [link.asset for link in post.post_media.order_by("position")]
    assert [photo.kind for photo in photos] == ["photo"] * 3
    assert all(photo.is_tiktok_ready for photo in photos)
    # planned for tomorrow 10:00 in the workspace's zone, so the calendar shows it
    assert post.scheduled_time is not None and post.scheduled_time.hour == 10
    assert post.scheduled_at is not None and post.scheduled_at > timezone.now()
    assert "Photo post 'Three photos from the demo' is ready" in first.getvalue()
    # and the demo account's posting queue, Monday to Friday 09:00 and 18:00,
    # made once, so the calendar shows free slots
    queue = PostingQueue.objects.get(account__open_id=DEMO_OPEN_ID)
    assert not queue.paused
    slots = sorted(
        (slot.weekday, slot.local_time.strftime("%H:%M")) for slot in queue.slots.all()
    )
    assert slots == [(day, at) for day in range(5) for at in ("09:00", "18:00")]
    assert "has a posting queue" in first.getvalue()


def test_seed_demo_makes_one_login_per_review_role(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    first, second = io.StringIO(), io.StringIO()
    call_command("seed_demo", stdout=first)
    call_command("seed_demo", stdout=second)
    lines = [line for line in first.getvalue().splitlines() if "Review demo" in line]
    assert len(lines) == 3
    assert lines == [
        line for line in second.getvalue().splitlines() if "Review demo" in line
    ]
    client_line = next(line for line in lines if "Client reviewer" in line)
    username, password = client_line.split(": ", 1)[1].split(" / ")
    # the client reviewer signs in but is not in the staff group
    reviewer = get_user_model().objects.get(username=username)
    assert reviewer.check_password(password)
    assert reviewer.is_staff and not reviewer.groups.exists()
