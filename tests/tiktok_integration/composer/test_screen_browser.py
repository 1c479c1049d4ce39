"""The composer in Chromium against the sandbox: one test per rule of
docs/tiktok.md §8 the screen shows, with screenshots under var/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.tiktok_integration.composer.support import (
    connect,
    member,
    shoot,
    sign_in,
    video_asset,
)
from tiktok_integration.admin.composer import texts

pytestmark = [pytest.mark.browser]


def open_composer(page: Any, sandbox: Any, brand: Any, *accounts: Any) -> None:
    sign_in(page, sandbox.url, member(brand))
    ids = ",".join(str(account.pk) for account in accounts)
    page.goto(f"{sandbox.url}{reverse('admin:cms_post_compose')}?accounts={ids}")
    for account in accounts:
        page.wait_for_selector(
            f".composer-panel[data-account-id='{account.pk}']:not([data-state=loading])"
        )


def test_public_creator_panel_offers_exactly_tiktoks_options(sandbox, brand, page):
    # given a public creator and a video
    account = connect("public", brand)
    video_asset(brand)
    # when
    open_composer(page, sandbox, brand, account)
    page.check("input[name=media_ids]")
    # then the nickname shows, privacy has no default and TikTok's wording
    panel = page.locator(f"#panel-{account.pk}")
    assert "Pat Public" in panel.inner_text()
    select = panel.locator("select[data-privacy]")
    assert select.input_value() == ""
    options = select.locator("option").all_inner_texts()
    assert options == ["Choose who can view", "Everyone", "Friends", "Only me"]
    for name in ("allow_comment", "allow_duet", "allow_stitch"):
        box = panel.locator(f"input[name$='-{name}']")
        assert not box.is_checked()
        assert box.is_enabled()
    assert page.locator("#compose-submit").is_disabled()
    assert page.inner_text("[data-declaration=music]") == texts.DECLARATION_MUSIC
    shoot(page, "public")
