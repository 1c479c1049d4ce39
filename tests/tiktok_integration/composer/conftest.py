from __future__ import annotations

from typing import Any, cast

import pytest

from tests.factories.workspaces import WorkspaceFactory
from workspaces.models import Workspace


@pytest.fixture
def brand(sandbox: Any) -> Workspace:
    """The workspace composing, with the sandbox running (real HTTP)."""
    return cast(Workspace, WorkspaceFactory(name="Demo brand", time_zone="Europe/Rome"))
