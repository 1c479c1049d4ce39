"""The composer in Chromium against the sandbox: one test per rule of
docs/tiktok.md §8 the screen shows, with screenshots under var/screenshots/."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.tiktok_integration.composer.support import (
    connect,
    member,
    photo_asset,
    shoot,
    sign_in,
    video_asset,
)
from tiktok_integration.admin.composer import texts
from tiktok_integration.composer import BRANDED_DECLARATION, MUSIC_DECLARATION

pytestmark = [pytest.mark.browser]

RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI);
});
"""


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
    assert page.inner_text("[data-declaration=music]") == MUSIC_DECLARATION
    shoot(page, "public")


def panel_of(page: Any, account: Any) -> Any:
    return page.locator(f"#panel-{account.pk}")


def test_the_music_declaration_sits_above_the_publish_button_with_its_link(
    sandbox, brand, page
):
    # given a creator and a video
    account = connect("public", brand)
    video_asset(brand)
    # when
    open_composer(page, sandbox, brand, account)
    page.check("input[name=media_ids]")
    # then TikTok's exact sentence, linked to its Music Usage Confirmation
    declaration = page.locator("[data-declaration=music]")
    assert declaration.is_visible()
    assert declaration.inner_text() == MUSIC_DECLARATION
    link = declaration.locator("a")
    assert link.count() == 1
    assert link.inner_text() == "Music Usage Confirmation"
    assert link.get_attribute("href") == texts.MUSIC_USAGE_URL
    # and it is shown right above the button that publishes
    sentence = declaration.bounding_box()
    button = page.locator("#compose-submit").bounding_box()
    assert sentence is not None and button is not None
    assert sentence["y"] + sentence["height"] <= button["y"]
    assert page.evaluate(
        "document.querySelector('[data-declaration=music]')"
        ".compareDocumentPosition(document.getElementById('compose-submit'))"
        " & Node.DOCUMENT_POSITION_FOLLOWING"
    )
    shoot(page, "music-declaration")


def test_private_creator_gets_its_options_and_no_duet_or_stitch(sandbox, brand, page):
    account = connect("private", brand)
    video_asset(brand)
    open_composer(page, sandbox, brand, account)
    page.check("input[name=media_ids]")
    panel = panel_of(page, account)
    options = panel.locator("select[data-privacy] option").all_inner_texts()
    assert options == ["Choose who can view", "Followers", "Friends", "Only me"]
    for name in ("allow_duet", "allow_stitch"):
        assert panel.locator(f"input[name$='-{name}']").is_disabled()
    assert panel.locator("input[name$='-allow_comment']").is_enabled()
    shoot(page, "private")


def test_comments_off_greys_out_allow_comment(sandbox, brand, page):
    account = connect("nocomments", brand)
    video_asset(brand)
    open_composer(page, sandbox, brand, account)
    box = panel_of(page, account).locator("input[name$='-allow_comment']")
    assert box.is_disabled()
    assert not box.is_checked()
    label = panel_of(page, account).locator("label:has(input[name$='-allow_comment'])")
    assert "composer-disabled" in (label.get_attribute("class") or "")
    assert "turned comments off" in (label.get_attribute("title") or "")
    shoot(page, "nocomments")


def test_duet_and_stitch_off_are_greyed_and_photos_show_only_comment(
    sandbox, brand, page
):
    account = connect("noduet", brand)
    video_asset(brand)
    photo_asset(brand)
    open_composer(page, sandbox, brand, account)
    panel = panel_of(page, account)
    page.check("input[name=media_ids][data-kind=video]")
    assert panel.locator("input[name$='-allow_duet']").is_disabled()
    assert panel.locator("input[name$='-allow_stitch']").is_disabled()
    assert panel.locator("input[name$='-allow_comment']").is_enabled()
    # a photo post shows only Allow Comment
    page.check("input[name=media_ids][data-kind=photo]")
    assert not page.locator("input[name=media_ids][data-kind=video]").is_checked()
    assert panel.locator("input[name$='-allow_duet']").is_hidden()
    assert panel.locator("input[name$='-allow_stitch']").is_hidden()
    assert panel.locator("input[name$='-allow_comment']").is_visible()
    assert page.locator("#compose-photo-title").is_visible()
    shoot(page, "photo")


def test_unaudited_app_explains_the_private_only_rule(sandbox, brand, page):
    account = connect("unaudited", brand)
    open_composer(page, sandbox, brand, account)
    panel = panel_of(page, account)
    assert panel.locator("select[data-privacy] option").all_inner_texts() == [
        "Choose who can view",
        "Only me",
    ]
    banner = panel.locator("[data-unaudited]")
    assert texts.UNAUDITED_BANNER in banner.inner_text()
    assert banner.locator("a").get_attribute("href") == texts.AUDIT_URL
    shoot(page, "unaudited")


def test_video_longer_than_the_creator_may_post_blocks_with_the_numbers(
    sandbox, brand, page
):
    account = connect("max60", brand)
    video_asset(brand, duration=75.0)
    open_composer(page, sandbox, brand, account)
    page.check("input[name=media_ids]")
    panel = panel_of(page, account)
    panel.locator("select[data-privacy]").select_option("PUBLIC_TO_EVERYONE")
    block = panel.locator("[data-duration-block]")
    assert block.is_visible()
    assert "75 s long" in block.inner_text()
    assert "at most 60 s" in block.inner_text()
    assert page.locator("#compose-submit").is_disabled()
    shoot(page, "max60")


def test_creator_who_cannot_post_now_gets_a_plain_blocking_message(
    sandbox, brand, page
):
    account = connect("cannotpost", brand)
    video_asset(brand)
    open_composer(page, sandbox, brand, account)
    page.check("input[name=media_ids]")
    panel = panel_of(page, account)
    assert panel.get_attribute("data-state") == "blocked"
    assert "cannot post right now" in panel.locator(".composer-blocked").inner_text()
    assert panel.locator("select").count() == 0
    assert page.locator("#compose-submit").is_disabled()
    shoot(page, "cannotpost")


def test_upload_scope_only_offers_the_inbox_draft_and_hides_what_tiktok_ignores(
    sandbox, brand, page
):
    account = connect("uploadonly", brand)
    video_asset(brand)
    open_composer(page, sandbox, brand, account)
    page.check("input[name=media_ids]")
    panel = panel_of(page, account)
    assert panel.locator("input[value=direct]").is_disabled()
    assert panel.locator("input[value=draft]").is_checked()
    assert "video.publish" in panel.inner_text()
    assert panel.locator("[data-draft-only]").inner_text() == texts.DRAFT_EXPLANATION
    assert panel.locator("select[data-privacy]").is_hidden()
    assert panel.locator("[data-disclose]").is_hidden()
    assert page.locator("#compose-submit").is_enabled()
    shoot(page, "uploadonly")


def test_draft_mode_hides_the_settings_tiktok_ignores(sandbox, brand, page):
    account = connect("public", brand)
    video_asset(brand)
    open_composer(page, sandbox, brand, account)
    page.check("input[name=media_ids]")
    panel = panel_of(page, account)
    assert page.locator("#compose-submit").is_disabled()  # privacy not chosen
    panel.locator("input[value=draft]").check()
    assert panel.locator("select[data-privacy]").is_hidden()
    assert panel.locator("[data-draft-only]").is_visible()
    assert page.locator("#compose-submit").is_enabled()


def test_caption_is_counted_in_utf16_units_against_the_right_limit(
    sandbox, brand, page
):
    account = connect("public", brand)
    video_asset(brand)
    photo_asset(brand)
    open_composer(page, sandbox, brand, account)
    page.check("input[name=media_ids][data-kind=video]")
    page.fill("#compose-caption", "Hi 😀 #launch")
    # "Hi " 3 + the emoji's surrogate pair 2 + " #launch" 8
    assert page.inner_text("#caption-counter") == "13 / 2,200"
    assert page.inner_text("#preview-caption") == "Hi 😀 #launch"
    page.fill("#compose-caption", "😀" * 1101)
    assert page.inner_text("#caption-counter") == "2,202 / 2,200"
    assert "composer-over" in page.get_attribute("#caption-counter", "class")
    assert page.locator("#compose-submit").is_disabled()
    # photos allow a 4,000-unit description and a 90-unit title
    page.check("input[name=media_ids][data-kind=photo]")
    assert page.inner_text("#caption-counter") == "2,202 / 4,000"
    page.fill("#compose-photo-title", "é" * 91)
    assert page.inner_text("#photo-title-counter") == "91 / 90"
    shoot(page, "counters")


def test_commercial_disclosure_labels_and_branded_content_is_never_private(
    sandbox, brand, page
):
    account = connect("public", brand)
    video_asset(brand)
    open_composer(page, sandbox, brand, account)
    page.check("input[name=media_ids]")
    panel = panel_of(page, account)
    privacy = panel.locator("select[data-privacy]")
    privacy.select_option("PUBLIC_TO_EVERYONE")
    assert page.locator("#compose-submit").is_enabled()
    # off by default; on, it needs at least one choice
    assert not panel.locator("[data-disclose]").is_checked()
    panel.locator("[data-disclose]").check()
    needed = panel.locator("[data-disclosure-needed]")
    assert needed.is_visible()
    assert needed.get_attribute("title") == texts.DISCLOSURE_REQUIRED
    assert page.locator("#compose-submit").is_disabled()
    panel.locator("[data-brand-organic]").check()
    line = panel.locator("[data-label-line]")
    assert line.inner_text() == "Your video will be labeled as 'Promotional content'"
    assert page.inner_text("[data-declaration=music]") == MUSIC_DECLARATION
    panel.locator("[data-brand-content]").check()
    assert line.inner_text() == "Your video will be labeled as 'Paid partnership'"
    declaration = page.locator("[data-declaration=branded]")
    assert declaration.inner_text() == BRANDED_DECLARATION
    assert declaration.locator("a").count() == 2
    # branded content first: "Only me" is disabled with TikTok's hover text
    only_me = privacy.locator("option[value=SELF_ONLY]")
    assert only_me.is_disabled()
    assert only_me.get_attribute("title") == texts.BRANDED_NOT_PRIVATE
    shoot(page, "branded")
    # "Only me" first: branded content is disabled with the explanation
    panel.locator("[data-brand-content]").uncheck()
    privacy.select_option("SELF_ONLY")
    assert panel.locator("[data-brand-content]").is_disabled()
    assert panel.locator("[data-branded-private]").inner_text() == (
        texts.PRIVATE_NOT_BRANDED
    )


def test_preview_plays_the_video_and_the_cover_chooser_sends_milliseconds(
    sandbox, brand, page
):
    account = connect("public", brand)
    video_asset(brand)
    open_composer(page, sandbox, brand, account)
    page.check("input[name=media_ids]")
    page.check("#compose-aigc")
    page.wait_for_function("document.getElementById('preview-video').readyState >= 2")
    assert page.evaluate("!document.getElementById('preview-video').paused")
    assert page.locator("#preview-aigc").inner_text() == (
        "Creator labeled as AI-generated"
    )
    page.locator("#compose-cover").fill("2500")
    assert page.input_value("#compose-cover-ms") == "2500"
    page.wait_for_function(
        "Math.abs(document.getElementById('preview-video').currentTime - 2.5) < 0.1"
    )
    shoot(page, "preview")


def test_when_shows_the_zone_and_its_utc_offset_for_that_day(sandbox, brand, page):
    account = connect("public", brand)
    open_composer(page, sandbox, brand, account)
    assert page.input_value("#compose-zone") == "Europe/Rome"
    page.check("input[name=when][value=later]")
    page.fill("#compose-date", "2031-07-01")
    page.fill("#compose-time", "10:00")
    assert "UTC+02:00" in page.inner_text("#compose-offset")
    page.fill("#compose-date", "2031-12-01")
    assert "UTC+01:00" in page.inner_text("#compose-offset")
    page.select_option("#compose-zone", "America/New_York")
    assert "UTC\u221205:00" in page.inner_text("#compose-offset")
    assert page.inner_text("#compose-submit") == "Schedule"
    shoot(page, "when")


def test_panels_of_several_accounts_load_side_by_side(sandbox, brand, page):
    accounts = [connect("public", brand, number=n) for n in range(3)]
    open_composer(page, sandbox, brand, *accounts)
    assert page.locator(".composer-panel[data-state=ready]").count() == 3


def test_the_composer_raises_no_csp_violation(sandbox, brand, page):
    account = connect("public", brand)
    video_asset(brand)
    page.add_init_script(RECORD_VIOLATIONS)
    open_composer(page, sandbox, brand, account)
    page.check("input[name=media_ids]")
    panel_of(page, account).locator("select[data-privacy]").select_option("SELF_ONLY")
    page.wait_for_function(
        "() => document.getElementById('preview-video').readyState >= 2"
    )
    assert page.evaluate("window.__cspViolations") == []


def test_when_says_as_you_type_that_a_time_is_skipped_or_repeated(sandbox, brand, page):
    account = connect("public", brand)
    open_composer(page, sandbox, brand, account)
    page.check("input[name=when][value=later]")
    page.fill("#compose-date", "2031-03-30")
    page.fill("#compose-time", "02:30")
    assert "does not exist" in page.inner_text("#compose-offset")
    page.fill("#compose-date", "2031-10-26")
    text = page.inner_text("#compose-offset")
    assert "happens twice" in text
    assert "UTC+02:00 and UTC+01:00" in text


def test_choosing_photos_without_a_verified_prefix_shows_the_steps_first(
    sandbox, brand, page, settings
):
    # given production-like settings and no verified pull prefix (§4.5)
    video_asset(brand)
    photo_asset(brand)
    sign_in(page, sandbox.url, member(brand))
    settings.TIKTOK_SANDBOX = False
    settings.BASE_URL = "https://postdeck.example.com"
    page.goto(f"{sandbox.url}{reverse('admin:cms_post_compose')}")
    notice = page.locator("#compose-photo-readiness")
    # when a video is chosen nothing is said; when photos are, the steps show
    page.check("input[name=media_ids][data-kind=video]")
    assert notice.is_hidden()
    page.check("input[name=media_ids][data-kind=photo]")
    assert notice.is_visible()
    steps = notice.locator("ol li").all_inner_texts()
    assert len(steps) == 4
    assert "https://postdeck.example.com/tiktok-media/" in steps[0]
    shoot(page, "photos-need-a-prefix")
