"""A newcomer connects a sandbox creator in a real browser: three clicks."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from tests.conftest import screenshot
from tests.factories.workspaces import WorkspaceFactory
from tiktok_integration.models import TikTokAccount

pytestmark = [pytest.mark.browser]


def test_connect_a_sandbox_creator_through_the_consent_page(sandbox, settings, page):
    # given the demo set-up: a superuser and a workspace, TikTok's redirect
    # pointing back at this server
    settings.TIKTOK_REDIRECT_URI = f"{sandbox.url}/tiktok/callback/"
    workspace = WorkspaceFactory(name="Demo brand")
    user = get_user_model().objects.create_superuser(
        "demo", "demo@example.com", "a-long-password-1"
    )
    workspace.memberships.create(user=user, role="manager")
    page.goto(f"{sandbox.url}/admin/login/")
    page.fill("#id_username", "demo")
    page.fill("#id_password", "a-long-password-1")
    page.click("input[type=submit]")
    # when: click 1, open the accounts list and press "Connect TikTok account"
    page.goto(f"{sandbox.url}/admin/tiktok_integration/tiktokaccount/")
    page.click(f"#connect-{workspace.slug}")
    # click 2: pick a creator on the consent page
    page.wait_for_selector("text=Authorize")
    screenshot(page, "sandbox-consent")
    page.check(
        "input[name=creator][value='{}']".format(
            TikTokAccount._meta.apps.get_model("tiktok_sandbox", "SandboxCreator")
            .objects.get(username="sandbox.nocomments")
            .open_id
        )
    )
    # click 3: authorize
    page.click("button[value=approve]")
    page.wait_for_selector("text=Connected @sandbox.nocomments")
    # then the account page shows it healthy, with what TikTok allows
    page.click("#recheck-button")
    page.wait_for_selector("text=TikTok says this account can post now.")
    screenshot(page, "account-connected")
    body = page.inner_text("body")
    assert "Connected: Postdeck can post with this account." in body
    assert "Comments off" in body
    account = TikTokAccount.objects.get()
    assert account.workspace == workspace
    assert account.status == TikTokAccount.Status.ACTIVE
    assert account.creator_info["comment_disabled"] is True
