"""In Chromium: pages work under the Content-Security-Policy, and 2FA sign-in."""

from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import screenshot
from tests.factories.cms import PostFactory
from tests.factories.media import MediaAssetFactory
from tests.factories.tiktok import PublishJobFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-password-1"

# Collects every CSP violation the page reports, before any page script runs.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


def sign_in(page, base_url, code=None):
    page.goto(f"{base_url}/admin/")
    page.fill("#id_username", "editor")
    page.fill("#id_password", PASSWORD)
    if code is not None:
        page.fill("#id_otp_token", code)
    page.click("input[type=submit]")


def test_admin_pages_raise_no_csp_violation(live_server, page):
    # given
    get_user_model().objects.create_superuser("editor", "e@example.com", PASSWORD)
    job = PublishJobFactory(post=PostFactory(title="Spring launch teaser"))
    asset = MediaAssetFactory(workspace=job.post.workspace, file=None)
    asset.file.save("clip.mp4", ContentFile(b"not really a video"))
    asset.thumbnail.save("thumb.jpg", ContentFile(b"not really a jpeg"))
    job.account.creator_info = {
        "avatar_url": "https://p16.example.com/avatar.jpeg",
        "nickname": "Creator",
        "username": "creator",
        "privacy_level_options": ["SELF_ONLY"],
    }
    job.account.save()
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.add_init_script(RECORD_VIOLATIONS)
    pages = [
        reverse("admin:index"),
        reverse("admin:cms_post_changelist"),
        reverse("admin:cms_post_change", args=[job.post.pk]),
        reverse("admin:media_library_mediaasset_changelist"),
        reverse("admin:media_library_mediaasset_change", args=[asset.pk]),
        reverse("admin:tiktok_integration_tiktokaccount_changelist"),
        reverse("admin:tiktok_integration_tiktokaccount_change", args=[job.account.pk]),
        reverse("admin:tiktok_integration_publishjob_changelist"),
        reverse("admin:tiktok_integration_publishjob_add"),
        reverse("admin:tiktok_integration_publishjob_change", args=[job.pk]),
        reverse("admin:two_factor"),
    ]
    # when
    page.goto(f"{live_server.url}/admin/login/")
    login_violations = page.evaluate("window.__cspViolations")
    sign_in(page, live_server.url)
    page.wait_for_selector("#dashboard")
    violations = {}
    for path in pages:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        assert "script-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("load")
        found = page.evaluate("window.__cspViolations")
        if found:
            violations[path] = found
    # then
    assert login_violations == []
    assert violations == {}
    assert [text for text in console if "Content Security Policy" in text] == []
    screenshot(page, "two-factor-setup")


def test_two_factor_sign_in_asks_for_the_code(live_server, page):
    # given
    user = get_user_model().objects.create_superuser(
        "editor", "e@example.com", PASSWORD
    )
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time()
    # when: password only
    sign_in(page, live_server.url)
    asked = page.locator("#login-error").inner_text()
    # and then with a wrong code, and with the right one
    sign_in(page, live_server.url, code=f"{(totp.token() + 1) % 1_000_000:06d}")
    refused = page.locator("#login-error").inner_text()
    screenshot(page, "two-factor-login-refused")
    time.sleep(1.1)  # the device waits a second after a wrong code
    sign_in(page, live_server.url, code=f"{totp.token():06d}")
    page.wait_for_selector("#dashboard")
    # then
    assert "enter the 6-digit code" in asked
    assert "That authentication code is not right" in refused
    assert page.locator("#two-factor-link").is_visible()
