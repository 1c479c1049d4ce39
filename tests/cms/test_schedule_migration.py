"""Posts scheduled before wall times were kept keep their instant: the
migration writes the wall time each shows in the post's zone (the fold of a
repeated hour included), and deriving it again gives the same instant. Runs in
both the SQLite and the PostgreSQL pass."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time

import pytest
from django.apps.registry import Apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cms.models import Post
from cms.scheduling import local_to_utc

BEFORE = [("cms", "0004_workspace_moved_to_workspaces_app")]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def old_apps() -> Iterator[Apps]:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    executor.loader.build_graph()
    try:
        yield executor.loader.project_state(
            list(executor.loader.applied_migrations)
        ).apps
    finally:
        call_command("migrate", verbosity=0)


def test_existing_schedules_become_wall_times_in_their_zone(old_apps: Apps) -> None:
    workspace = old_apps.get_model("workspaces", "Workspace").objects.create(
        name="Old", slug="old", time_zone="Europe/Rome"
    )
    old_post = old_apps.get_model("cms", "Post")
    rome = old_post.objects.create(
        workspace=workspace,
        title="Rome",
        time_zone="Europe/Rome",
        scheduled_at=datetime(2026, 7, 1, 8, 0, tzinfo=UTC),
    )
    # the second 02:30 of 25 October 2026 in Rome
    repeated = old_post.objects.create(
        workspace=workspace,
        title="Repeated",
        time_zone="Europe/Rome",
        scheduled_at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
    )
    kolkata = old_post.objects.create(
        workspace=workspace,
        title="Kolkata",
        time_zone="Asia/Kolkata",
        scheduled_at=datetime(2026, 7, 1, 9, 25, tzinfo=UTC),
    )
    draft = old_post.objects.create(workspace=workspace, title="Draft", time_zone="UTC")

    call_command("migrate", verbosity=0)

    posts = {post.pk: post for post in Post.objects.all()}
    assert posts[rome.pk].scheduled_time == time(10, 0)
    assert posts[kolkata.pk].scheduled_time == time(14, 55)
    assert posts[kolkata.pk].time_zone == "Asia/Kolkata"
    assert posts[repeated.pk].scheduled_fold == 1
    assert posts[draft.pk].scheduled_wall_time is None
    for post in (posts[rome.pk], posts[kolkata.pk], posts[repeated.pk]):
        wall = post.scheduled_wall_time
        assert wall is not None
        assert (
            local_to_utc(wall, post.time_zone, fold=post.scheduled_fold)
            == post.scheduled_at
        )
