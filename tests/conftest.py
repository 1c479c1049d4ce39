from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from scripts.services import ServiceUnavailableError, throwaway_redis

# The sandbox-over-HTTP fixtures (sandbox, public_tokens, ...) serve both the
# sandbox's own tests and the client's, so they load for the whole tree.
pytest_plugins = ["tests.tiktok_sandbox.fixtures"]

IN_CI = os.environ.get("CI", "").lower() == "true"
TEST_PASS = os.environ.get("TEST_PASS", "sqlite")


def pytest_report_header(config: pytest.Config) -> str:
    return f"Postdeck test pass: {TEST_PASS} (CI={IN_CI})"


def pytest_collection_modifyitems(
    config: pytest.Config, items: list[pytest.Item]
) -> None:
    # Tests of one backend's behaviour run only in that pass of `make test`:
    # row locks need PostgreSQL; SQLite's own locking is tested on SQLite.
    other_backend = "sqlite_only" if TEST_PASS == "postgres" else "postgres"
    elsewhere = [item for item in items if item.get_closest_marker(other_backend)]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [
            item for item in items if not item.get_closest_marker(other_backend)
        ]


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
    from tests.factories.workspaces import WorkspaceFactory

    return WorkspaceFactory()


@pytest.fixture
def staff_user(db, workspace):  # type: ignore[no-untyped-def]
    from tests.factories.workspaces import MembershipFactory

    return MembershipFactory(workspace=workspace).user


@pytest.fixture
def staff_client(client, staff_user):  # type: ignore[no-untyped-def]
    client.force_login(staff_user)
    return client


CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = os.path.join(os.path.dirname(os.path.dirname(__file__)), "test-artifacts")


@pytest.fixture(scope="session")
def browser():  # type: ignore[no-untyped-def]
    """Debian's Chromium driven by Playwright (no browser download needed)."""
    if not os.path.exists(CHROMIUM):
        missing_service(f"{CHROMIUM} is not installed (apt-get install chromium)")
    # Playwright's sync API runs an event loop in this thread; the ORM calls the
    # tests make around it are still synchronous.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    yield tab
    context.close()


def browser_session(browser, live_server, width: int, username: str | None):  # type: ignore[no-untyped-def]
    """A new browser context ``width`` px wide and its tab, signed in to the
    admin as ``username`` (the factories' password), or anonymous for None.
    The caller closes the context."""
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(15_000)
    if username:
        tab.goto(f"{live_server.url}/admin/login/")
        tab.fill("#id_username", username)
        tab.fill("#id_password", "correct horse battery staple")
        tab.click("input[type=submit]")
        tab.wait_for_selector("#content")
    return context, tab


def screenshot(page, name: str) -> str:  # type: ignore[no-untyped-def]
    """Save a full-page screenshot under test-artifacts/ for a person to look at."""
    os.makedirs(ARTIFACTS, exist_ok=True)
    path = os.path.join(ARTIFACTS, f"{name}.png")
    page.screenshot(path=path, full_page=True)
    return path
