"""A workspace in Europe/Rome with a member, a video, and sandbox creators
connected with the scopes a test needs (over real HTTP)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, cast

import pytest
from django.utils import timezone

from media_library.models import MediaAsset
from tests.factories.media import MediaAssetFactory
from tests.factories.tiktok import TikTokAccountFactory
from tests.factories.workspaces import MembershipFactory, WorkspaceFactory
from tests.tiktok_sandbox.server import ALL_SCOPES, SandboxApi
from tiktok_integration.composer import BRANDED_DECLARATION, MUSIC_DECLARATION
from tiktok_integration.models import TikTokAccount
from tiktok_integration.services.compose import ComposeRequest, ComposeTarget
from tiktok_sandbox.models import SandboxCreator
from tiktok_sandbox.services import sandbox_tokens_issue
from workspaces.models import Workspace

UPLOAD_ONLY = ("user.info.basic", "video.upload")


def connect(
    creator: SandboxCreator, workspace: Workspace, scopes: tuple[str, ...] = ALL_SCOPES
) -> TikTokAccount:
    tokens = sandbox_tokens_issue(creator=creator, scopes=list(scopes))
    return cast(
        TikTokAccount,
        TikTokAccountFactory(
            workspace=workspace,
            open_id=creator.open_id,
            username=creator.username,
            access_token=tokens.access_token,
            refresh_token=tokens.refresh_token,
            granted_scopes=list(scopes),
        ),
    )


@pytest.fixture
def rome(sandbox: SandboxApi) -> Workspace:
    return cast(Workspace, WorkspaceFactory(time_zone="Europe/Rome"))


@pytest.fixture
def member(rome: Workspace) -> Any:
    return MembershipFactory(workspace=rome).user


@pytest.fixture
def public_account(rome: Workspace) -> TikTokAccount:
    return connect(SandboxCreator.objects.get(username="sandbox.public"), rome)


@pytest.fixture
def upload_only_account(rome: Workspace) -> TikTokAccount:
    creator = SandboxCreator.objects.get(username="sandbox.private")
    return connect(creator, rome, UPLOAD_ONLY)


@pytest.fixture
def video(rome: Workspace) -> MediaAsset:
    return cast(MediaAsset, MediaAssetFactory(workspace=rome, duration_seconds=12.0))


def next_week_at(hour: int, minute: int = 0) -> datetime:
    """A naive wall time a week ahead; 10:00 is never in a clock change."""
    day = timezone.now() + timedelta(days=7)
    return datetime(day.year, day.month, day.day, hour, minute)  # noqa: DTZ001


def direct(account: TikTokAccount, **fields: Any) -> ComposeTarget:
    values: dict[str, Any] = {
        "account_id": account.pk,
        "mode": "direct",
        "privacy_level": "SELF_ONLY",
        "declaration_text": BRANDED_DECLARATION
        if fields.get("brand_content")
        else MUSIC_DECLARATION,
        "creator_info_shown": {"nickname": "Pat Public"},
    }
    values.update(fields)
    return ComposeTarget(**values)


def draft(account: TikTokAccount, **fields: Any) -> ComposeTarget:
    return ComposeTarget(account_id=account.pk, mode="draft", **fields)


def compose_request(
    workspace: Workspace, user: Any, targets: tuple[ComposeTarget, ...], **fields: Any
) -> ComposeRequest:
    values: dict[str, Any] = {
        "workspace_id": workspace.pk,
        "user_id": user.pk,
        "post_id": None,
        "title": "",
        "caption": "Launch day #postdeck",
        "media_ids": (),
        "publish_now": False,
        "wall_time": next_week_at(10),
        "time_zone": workspace.time_zone,
        "fold": None,
        "targets": targets,
        "consented": True,
    }
    values.update(fields)
    return ComposeRequest(**values)
