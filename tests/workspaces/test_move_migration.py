"""A database made before Workspace left cms keeps every row when migrated forward.

The database is taken back to the migration state of the release before the move
(cms 0002, media_library 0002, tiktok_integration 0004; every other app at its
latest), filled through the historical models, then migrated forward with the
real ``migrate`` command, as an upgrade would be. Runs in both the SQLite and the
PostgreSQL pass.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from django.apps.registry import Apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import Client
from django.urls import reverse

from cms.models import Post
from cms.permissions import STAFF_GROUP_NAME
from media_library.models import MediaAsset, Tag
from tests.factories.workspaces import UserFactory
from tiktok_integration.models import PublishJob, TikTokAccount
from workspaces.models import Workspace, WorkspaceMembership

BEFORE_THE_MOVE = [
    ("cms", "0002_initial"),
    ("media_library", "0002_library"),
    ("tiktok_integration", "0004_account_refresh_lease"),
    ("workspaces", None),
]

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def old_apps() -> Iterator[Apps]:
    """Historical models of the database before the move; latest schema afterwards."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVE)
    executor.loader.build_graph()
    try:
        yield executor.loader.project_state(
            list(executor.loader.applied_migrations)
        ).apps
    finally:
        # Later tests need the latest schema, whatever happened here.
        call_command("migrate", verbosity=0)


def seed_before_the_move(apps: Apps) -> dict[str, Any]:
    """One row in every table the move touches, as the old code would have written."""
    user_model = apps.get_model("auth", "User")
    content_type = apps.get_model("contenttypes", "ContentType")
    permission = apps.get_model("auth", "Permission")
    group = apps.get_model("auth", "Group")
    log_entry = apps.get_model("admin", "LogEntry")
    workspace_model = apps.get_model("cms", "Workspace")

    editor = user_model.objects.create(username="editor", is_staff=True)
    workspace = workspace_model.objects.create(
        name="Acme", slug="acme", time_zone="Europe/Berlin"
    )
    membership = apps.get_model("cms", "WorkspaceMembership").objects.create(
        workspace=workspace, user=editor, role="manager"
    )
    asset = apps.get_model("media_library", "MediaAsset").objects.create(
        workspace=workspace,
        kind="video",
        file="media/acme.mp4",
        sha256="a" * 64,
        size_bytes=1234,
    )
    tag = apps.get_model("media_library", "Tag").objects.create(
        workspace=workspace, name="launch"
    )
    asset.tags.add(tag)
    post = apps.get_model("cms", "Post").objects.create(
        workspace=workspace,
        title="Launch video",
        scheduled_at=datetime(2026, 12, 1, 9, tzinfo=UTC),
    )
    apps.get_model("cms", "PostMedia").objects.create(
        post=post, asset=asset, position=0
    )
    account = apps.get_model("tiktok_integration", "TikTokAccount").objects.create(
        workspace=workspace, open_id="open-acme", username="acme"
    )
    job = apps.get_model("tiktok_integration", "PublishJob").objects.create(
        post=post, account=account, scheduled_at=post.scheduled_at
    )

    workspace_type, _ = content_type.objects.get_or_create(
        app_label="cms", model="workspace"
    )
    membership_type, _ = content_type.objects.get_or_create(
        app_label="cms", model="workspacemembership"
    )
    change_workspace, _ = permission.objects.get_or_create(
        content_type=workspace_type,
        codename="change_workspace",
        defaults={"name": "Can change workspace"},
    )
    view_membership, _ = permission.objects.get_or_create(
        content_type=membership_type,
        codename="view_workspacemembership",
        defaults={"name": "Can view workspace membership"},
    )
    brand_leads = group.objects.create(name="Brand leads")
    brand_leads.permissions.add(change_workspace)
    editor.user_permissions.add(view_membership)
    log = log_entry.objects.create(
        user=editor,
        content_type=workspace_type,
        object_id=str(workspace.pk),
        object_repr="Acme",
        action_flag=CHANGE,
        change_message="Renamed before the upgrade",
    )
    return {
        "editor": editor.pk,
        "workspace": workspace.pk,
        "membership": membership.pk,
        "asset": asset.pk,
        "tag": tag.pk,
        "post": post.pk,
        "account": account.pk,
        "job": job.pk,
        "workspace_type": workspace_type.pk,
        "membership_type": membership_type.pk,
        "log": log.pk,
    }


def test_every_row_and_relation_survives_the_move(old_apps):
    # given a database as the previous release left it
    ids = seed_before_the_move(old_apps)
    # when it is upgraded
    call_command("migrate", verbosity=0)
    # then the workspace and its members are there, under the new app
    workspace = Workspace.objects.get(pk=ids["workspace"])
    assert (workspace.name, workspace.slug, workspace.time_zone) == (
        "Acme",
        "acme",
        "Europe/Berlin",
    )
    membership = WorkspaceMembership.objects.get(pk=ids["membership"])
    assert membership.workspace_id == workspace.pk
    assert membership.user_id == ids["editor"]
    assert membership.role == WorkspaceMembership.Role.MANAGER
    assert list(workspace.members.values_list("pk", flat=True)) == [ids["editor"]]
    # and everything that belonged to it still does
    post = Post.objects.get(pk=ids["post"])
    assert post.workspace_id == workspace.pk
    assert list(post.media.values_list("pk", flat=True)) == [ids["asset"]]
    asset = MediaAsset.objects.get(pk=ids["asset"])
    assert asset.workspace_id == workspace.pk
    assert list(asset.tags.values_list("pk", flat=True)) == [ids["tag"]]
    assert Tag.objects.get(pk=ids["tag"]).workspace_id == workspace.pk
    account = TikTokAccount.objects.get(pk=ids["account"])
    assert account.workspace_id == workspace.pk
    job = PublishJob.objects.get(pk=ids["job"])
    assert (job.post_id, job.account_id) == (post.pk, account.pk)
    assert set(workspace.posts.all()) == {post}
    assert set(workspace.tiktok_accounts.all()) == {account}


def test_foreign_keys_in_the_database_follow_the_renamed_table(old_apps):
    # given
    seed_before_the_move(old_apps)
    # when
    call_command("migrate", verbosity=0)
    # then every column that pointed at the old workspace table points at the new one
    referencing = {
        "workspaces_workspacemembership": "workspace_id",
        "cms_post": "workspace_id",
        "media_library_mediaasset": "workspace_id",
        "media_library_tag": "workspace_id",
        "tiktok_integration_tiktokaccount": "workspace_id",
    }
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        assert "cms_workspace" not in tables
        assert "cms_workspacemembership" not in tables
        for table, column in referencing.items():
            relations = connection.introspection.get_relations(cursor, table)
            assert relations[column] == ("id", "workspaces_workspace"), table
    # and the moved tables still hand out ids and enforce their constraints
    newer = Workspace.objects.create(name="Newer", slug="newer")
    assert newer.pk > Workspace.objects.get(slug="acme").pk
    member = WorkspaceMembership.objects.get(workspace__slug="acme").user
    with pytest.raises(IntegrityError), transaction.atomic():
        WorkspaceMembership.objects.create(
            workspace=Workspace.objects.get(slug="acme"), user=member
        )


def test_permissions_groups_and_admin_history_follow_the_models(old_apps):
    # given
    ids = seed_before_the_move(old_apps)
    # when
    call_command("migrate", verbosity=0)
    # then the same content type rows now carry the new app label
    ContentType.objects.clear_cache()
    assert ContentType.objects.get(pk=ids["workspace_type"]).natural_key() == (
        "workspaces",
        "workspace",
    )
    assert ContentType.objects.get(pk=ids["membership_type"]).natural_key() == (
        "workspaces",
        "workspacemembership",
    )
    assert not ContentType.objects.filter(
        app_label="cms", model__in=["workspace", "workspacemembership"]
    ).exists()
    # and the permissions given before the upgrade still apply
    editor = get_user_model().objects.get(pk=ids["editor"])
    assert editor.has_perm("workspaces.view_workspacemembership")
    brand_leads = Group.objects.get(name="Brand leads")
    assert set(
        brand_leads.permissions.values_list("content_type__app_label", "codename")
    ) == {("workspaces", "change_workspace")}
    # and the staff group, rebuilt by migrate, can still see and edit workspaces
    staff = Group.objects.get(name=STAFF_GROUP_NAME)
    staff_workspace_permissions = set(
        staff.permissions.filter(codename__endswith="_workspace").values_list(
            "content_type__app_label", "codename"
        )
    )
    assert staff_workspace_permissions == {
        ("workspaces", "view_workspace"),
        ("workspaces", "change_workspace"),
    }
    assert not Permission.objects.filter(content_type__app_label="cms").filter(
        codename__endswith="_workspace"
    )
    # and the workspace's admin history still shows what was done before
    entry = LogEntry.objects.get(pk=ids["log"])
    assert entry.get_edited_object() == Workspace.objects.get(pk=ids["workspace"])
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    history = client.get(
        reverse("admin:workspaces_workspace_history", args=[ids["workspace"]])
    )
    assert history.status_code == 200
    assert "Renamed before the upgrade" in history.content.decode()
