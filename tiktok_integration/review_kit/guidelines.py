"""TikTok's Content Sharing Guidelines (docs/tiktok.md §8), each next to where
Postdeck satisfies it and the tests that prove it (paths relative to the
repository; tests/tiktok_integration/test_review_kit.py checks they exist)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class GuidelineRule:
    """One rule: ``section`` (§8.n), what TikTok asks, where Postdeck does it,
    and ``tests`` as ``path::test_name`` node ids (empty: not covered by an
    automated test on this installation, shown as such)."""

    section: str
    title: str
    requirement: str
    where: str
    tests: tuple[str, ...]


COMPOSER = "tests/tiktok_integration/publishing/test_composer.py"
ADMIN = "tests/tiktok_integration/publishing/test_webhooks_and_admin.py"
#: The composer screen in Chromium against the sandbox.
SCREEN = "tests/tiktok_integration/composer/test_screen_browser.py"
PUBLISH = "tests/tiktok_integration/composer/test_publish_browser.py"
VIEWS = "tests/tiktok_integration/composer/test_views.py"
#: ``post_compose``: the server checks the screen's submit again.
REFUSALS = "tests/tiktok_integration/compose/test_compose_refusals.py"
SAVED = "tests/tiktok_integration/compose/test_post_compose.py"

GUIDELINES: tuple[GuidelineRule, ...] = (
    GuidelineRule(
        "§8.1",
        "Fresh creator info",
        "Call creator_info each time the post page is shown; show the nickname; "
        "stop when the creator cannot post; block videos over the creator's "
        "maximum duration.",
        "The composer screen (New post on the dashboard or Posts) asks "
        "TikTok for each chosen account's panel and shows the nickname and "
        "avatar; a creator who cannot post gets a blocking message, a video "
        "over the creator's maximum is blocked with both numbers. "
        "post_compose asks again on "
        "submit and the worker before every init (publishing/prepare.py).",
        (
            f"{SCREEN}::test_public_creator_panel_offers_exactly_tiktoks_options",
            f"{SCREEN}::test_creator_who_cannot_post_now_gets_a_plain_blocking_message",
            f"{SCREEN}::test_video_longer_than_the_creator_may_post_blocks_with_the_numbers",
            f"{REFUSALS}::test_video_longer_than_the_creator_may_post",
            f"{COMPOSER}::test_a_creator_who_cannot_post",
            f"{COMPOSER}::test_video_longer_than_the_creator_allows",
        ),
    ),
    GuidelineRule(
        "§8.2",
        "Metadata the user controls",
        "Editable title; privacy dropdown with no default offering only "
        "privacy_level_options; Comment/Duet/Stitch unticked by default and "
        "disabled when creator_info disables them; photos show only Comment.",
        "The composer screen: caption and photo title are staff's own fields, "
        "counted as TikTok counts; 'who can view' has no default and offers "
        "only the options TikTok returns; Comment/Duet/Stitch start unticked, "
        "greyed out when the creator turned them off, photos show only "
        "Comment. post_compose refuses anything else "
        "(tiktok_integration/composer.py).",
        (
            f"{SCREEN}::test_public_creator_panel_offers_exactly_tiktoks_options",
            f"{SCREEN}::test_private_creator_gets_its_options_and_no_duet_or_stitch",
            f"{SCREEN}::test_comments_off_greys_out_allow_comment",
            f"{SCREEN}::test_duet_and_stitch_off_are_greyed_and_photos_show_only_comment",
            f"{SCREEN}::test_caption_is_counted_in_utf16_units_against_the_right_limit",
            f"{REFUSALS}::test_direct_choices_breaking_a_rule",
            f"{REFUSALS}::test_a_disabled_interaction_ticked",
        ),
    ),
    GuidelineRule(
        "§8.3",
        "Music Usage Confirmation before Publish",
        '"By posting, you agree to TikTok\'s Music Usage Confirmation" (linked) '
        "above the publish button.",
        "The composer screen, right above its publish button, with the link to "
        "TikTok's Music Usage Confirmation.",
        (
            f"{SCREEN}::test_the_music_declaration_sits_above_the_publish_button_with_its_link",
            f"{SCREEN}::test_public_creator_panel_offers_exactly_tiktoks_options",
        ),
    ),
    GuidelineRule(
        "§8.4",
        "Commercial content disclosure",
        "A toggle off by default with 'Your brand' and 'Branded content'; at "
        "least one ticked; branded content cannot be private.",
        "The composer screen's disclosure toggle (off by default) with 'Your "
        "brand' and 'Branded content', TikTok's label line, and 'Only me' "
        "disabled for branded content (and the reverse); post_compose and the "
        "job's transitions refuse branded content with 'Only me'.",
        (
            f"{SCREEN}::test_commercial_disclosure_labels_and_branded_content_is_never_private",
            f"{VIEWS}::test_a_disclosure_that_names_nothing_is_refused_before_anything_else",
            f"{REFUSALS}::test_direct_choices_breaking_a_rule",
            f"{COMPOSER}::test_branded_content_cannot_be_private",
            "tests/tiktok_integration/publishing/test_transitions.py"
            "::test_branded_content_cannot_be_private",
        ),
    ),
    GuidelineRule(
        "§8.5",
        "Declaration text",
        "Music Usage Confirmation, plus the Branded Content Policy when branded "
        "content is ticked.",
        "The composer screen's declaration switches to the Branded Content "
        "Policy sentence (both linked) when branded content is ticked; each "
        "job stores the sentence staff consented to (consent_snapshot).",
        (
            f"{SCREEN}::test_commercial_disclosure_labels_and_branded_content_is_never_private",
            f"{VIEWS}::test_each_target_keeps_the_declaration_its_choices_showed",
            f"{SAVED}::test_a_direct_post_keeps_the_wall_time_and_stores_the_evidence",
        ),
    ),
    GuidelineRule(
        "§8.6",
        "Awareness and control",
        "Preview; no watermark; nothing sent before consent; say processing "
        "takes minutes; poll or use webhooks and show the result.",
        "The composer screen previews the video unchanged and lets staff pick "
        "the cover; nothing is saved until its button is pressed; after it, "
        "the screen says processing takes minutes and shows each account's "
        "state until published. Status is polled and webhooks applied.",
        (
            f"{SCREEN}::test_preview_plays_the_video_and_the_cover_chooser_sends_milliseconds",
            f"{PUBLISH}::test_one_post_scheduled_for_two_accounts_publishes_on_the_same_screen",
            f"{VIEWS}::test_without_pressing_the_button_nothing_is_saved",
            f"{REFUSALS}::test_no_consent",
            "tests/tiktok_integration/publishing/test_pipeline.py"
            "::test_a_due_video_goes_through_every_state_to_published",
            f"{ADMIN}::test_webhooks_and_polling_agree_and_duplicates_are_ignored",
        ),
    ),
    GuidelineRule(
        "§8.7",
        "Intended use, secrets, PULL_FROM_URL",
        "Authentic creators; client_secret kept confidential; PULL_FROM_URL when "
        "the media is already on your servers.",
        "Secrets never reach logs; media already in Postdeck is pulled from "
        "/tiktok-media/ once the prefix is verified (photos always: until "
        "then the composer screen lists the steps and refuses photo posts).",
        (
            "tests/tiktok_integration/publishing/test_secrets_in_logs.py"
            "::test_no_log_line_of_a_connect_and_publish_run_holds_a_secret",
            "tests/tiktok_integration/publishing/test_photos.py"
            "::test_a_three_photo_post_is_pulled_from_postdeck_and_published",
            "tests/tiktok_integration/test_pull_media.py"
            "::test_a_video_is_uploaded_unless_the_prefix_is_registered",
            f"{REFUSALS}::test_photos_without_a_verified_pull_prefix_are_refused_with_the_steps",
            f"{VIEWS}::test_the_page_lists_the_steps_before_photos_can_be_posted",
            f"{SCREEN}::test_choosing_photos_without_a_verified_prefix_shows_the_steps_first",
        ),
    ),
    GuidelineRule(
        "§8.8",
        "Unaudited clients",
        "Everything private (SELF_ONLY) to private accounts; at most 5 posting "
        "users a day until the audit passes.",
        "The composer screen explains the private-only rule on an account whose "
        "app looks unaudited and offers only the privacy options TikTok "
        "returns; the account page flags it too; the daily cap is anticipated.",
        (
            f"{SCREEN}::test_unaudited_app_explains_the_private_only_rule",
            "tests/tiktok_integration/publishing/test_errors.py"
            "::test_daily_cap_is_anticipated_from_history",
        ),
    ),
    GuidelineRule(
        "§8.9",
        "Sandbox and demo videos",
        "Review needs demo videos recorded in a sandbox when the app was never "
        "approved.",
        "The built-in sandbox and the walkthrough on this page.",
        (
            "tests/tiktok_integration/accounts/test_connect_browser.py"
            "::test_connect_a_sandbox_creator_through_the_consent_page",
        ),
    ),
)

#: What the review video must show (§8; TikTok's app-review guidelines).
REVIEW_VIDEO: tuple[str, ...] = (
    "Signing in to Postdeck and connecting a TikTok account through TikTok's "
    "own consent page (Login Kit), with the scopes requested.",
    "The composer screen (New post): the creator's nickname and avatar "
    "from creator_info, the privacy dropdown with no default, "
    "Comment/Duet/Stitch unticked, the commercial content toggle and the "
    "Music Usage Confirmation line.",
    "Choosing branded content and seeing 'Only me' refused.",
    "Publishing, the note that processing may take a few minutes, and the "
    "status changing to published (or the draft reaching the inbox).",
    "The post on the TikTok profile (in the sandbox: the sandbox's post page).",
    "Disconnecting the account and deleting its stored data.",
)
