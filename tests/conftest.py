from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from scripts.services import ServiceUnavailableError, throwaway_redis

IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_PASS = os.environ.get("TEST_PASS", "sqlite")


def pytest_report_header(config: pytest.Config) -> str:
    return f"Postdeck test pass: {TEST_PASS} (CI={IN_CI})"


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    if TEST_PASS == "postgres":
        return
    postgres_only = [item for item in items if item.get_closest_marker("postgres")]
    if postgres_only:
        # They run in the PostgreSQL pass of `make test`; SQLite has no row locks.
        config.hook.pytest_deselected(items=postgres_only)
        items[:] = [item for item in items if not item.get_closest_marker("postgres")]


def missing_service(reason: str) -> None:
    """Skip with a visible reason, or fail under CI where nothing may be skipped."""
    if IN_CI:
        pytest.fail(f"CI must run this test but a service is missing: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    try:
        with throwaway_redis() as url:
            yield url
    except ServiceUnavailableError as error:
        missing_service(str(error))


@pytest.fixture
def workspace(db):  # type: ignore[no-untyped-def]
    from tests.factories.cms import WorkspaceFactory

    return WorkspaceFactory()


@pytest.fixture
def staff_user(db, workspace):  # type: ignore[no-untyped-def]
    from tests.factories.cms import MembershipFactory

    return MembershipFactory(workspace=workspace).user


@pytest.fixture
def staff_client(client, staff_user):  # type: ignore[no-untyped-def]
    client.force_login(staff_user)
    return client
