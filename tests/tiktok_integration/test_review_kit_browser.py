"""The review kit page in a real browser, wide and narrow, with its copy
buttons (static JS; the CSP allows no inline script)."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize("width", [1280, 390])
def test_staff_open_the_review_kit_and_copy_a_setting(
    live_server, browser, settings, width
):
    # given a superuser and this live server as Postdeck's address
    settings.BASE_URL = live_server.url
    settings.ALLOWED_HOSTS = ["localhost", "127.0.0.1", "testserver"]
    settings.TIKTOK_REDIRECT_URI = f"{live_server.url}/tiktok/callback/"
    get_user_model().objects.create_superuser(
        "kit", "kit@example.com", "a-long-password-1"
    )
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)
    errors: list[str] = []
    page.on(
        "console", lambda msg: errors.append(msg.text) if msg.type == "error" else None
    )
    try:
        page.goto(f"{live_server.url}/admin/login/?next=/admin/tiktok-review-kit/")
        page.fill("#id_username", "kit")
        page.fill("#id_password", "a-long-password-1")
        page.click("input[type=submit]")
        page.wait_for_selector("#review-kit")
        # then every section is there and the checks ran
        for section in (
            "kit-settings",
            "kit-guidelines",
            "kit-video",
            "kit-walkthrough",
        ):
            assert page.locator(f"#{section}").is_visible()
        assert page.locator(".kit-row").count() >= 6
        assert "sandbox" in page.locator("#kit-walkthrough h2").inner_text()
        # when a copy button is pressed it answers
        button = page.locator(".copy-button").first
        button.click()
        page.wait_for_function(
            "b => b.textContent !== 'Copy'", arg=button.element_handle()
        )
        assert button.inner_text() in {"Copied", "Press Ctrl+C"}
        screenshot(page, f"review-kit-{width}")
        assert not [e for e in errors if "Content Security Policy" in e]
    finally:
        context.close()
