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

GUIDELINES: tuple[GuidelineRule, ...] = (
    GuidelineRule(
        "§8.1",
        "Fresh creator info",
        "Call creator_info each time the post page is shown; show the nickname; "
        "stop when the creator cannot post; block videos over the creator's "
        "maximum duration.",
        "The publish job form asks TikTok again before saving and shows the "
        "creator card (nickname, avatar, options); the worker asks again before "
        "every init (publishing/prepare.py).",
        (
            f"{COMPOSER}::test_a_creator_who_cannot_post",
            f"{COMPOSER}::test_video_longer_than_the_creator_allows",
            f"{ADMIN}::test_admin_adds_a_job_from_a_post_under_the_composer_rules",
        ),
    ),
    GuidelineRule(
        "§8.2",
        "Metadata the user controls",
        "Editable title; privacy dropdown with no default offering only "
        "privacy_level_options; Comment/Duet/Stitch unticked by default and "
        "disabled when creator_info disables them; photos show only Comment.",
        "Caption and photo title are staff's own fields; 'who can view' has no "
        "default and is checked against the options TikTok returns "
        "(tiktok_integration/composer.py).",
        (
            f"{COMPOSER}::test_privacy_has_no_default",
            f"{COMPOSER}::test_privacy_must_be_offered_now",
            f"{COMPOSER}::test_disabled_comments_cannot_be_allowed",
        ),
    ),
    GuidelineRule(
        "§8.3",
        "Music Usage Confirmation before Publish",
        '"By posting, you agree to TikTok\'s Music Usage Confirmation" (linked) '
        "above the publish button.",
        "The compose screen, above its publish button.",
        (),
    ),
    GuidelineRule(
        "§8.4",
        "Commercial content disclosure",
        "A toggle off by default with 'Your brand' and 'Branded content'; at "
        "least one ticked; branded content cannot be private.",
        "The job's 'your brand' and 'branded content' choices (off by default); "
        "branded content with 'Only me' is refused (composer.py, transitions).",
        (
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
        "The compose screen's declaration, stored with the job as what staff "
        "consented to (consent_snapshot).",
        (),
    ),
    GuidelineRule(
        "§8.6",
        "Awareness and control",
        "Preview; no watermark; nothing sent before consent; say processing "
        "takes minutes; poll or use webhooks and show the result.",
        "Media is sent unchanged; only a job staff saved is sent; status is "
        "polled and webhooks applied, shown on the job and the dashboard.",
        (
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
        "/tiktok-media/ once the prefix is verified (photos always).",
        (
            "tests/tiktok_integration/publishing/test_secrets_in_logs.py"
            "::test_no_log_line_of_a_connect_and_publish_run_holds_a_secret",
            "tests/tiktok_integration/publishing/test_photos.py"
            "::test_a_three_photo_post_is_pulled_from_postdeck_and_published",
            "tests/tiktok_integration/test_pull_media.py"
            "::test_a_video_is_uploaded_unless_the_prefix_is_registered",
        ),
    ),
    GuidelineRule(
        "§8.8",
        "Unaudited clients",
        "Everything private (SELF_ONLY) to private accounts; at most 5 posting "
        "users a day until the audit passes.",
        "The account page flags an app that looks unaudited; only the privacy "
        "options TikTok returns can be chosen; the daily cap is anticipated.",
        (
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
    "The post page: the creator's nickname and avatar from creator_info, the "
    "privacy dropdown with no default, Comment/Duet/Stitch unticked, the "
    "commercial content toggle and the Music Usage Confirmation line.",
    "Choosing branded content and seeing 'Only me' refused.",
    "Publishing, the note that processing may take a few minutes, and the "
    "status changing to published (or the draft reaching the inbox).",
    "The post on the TikTok profile (in the sandbox: the sandbox's post page).",
    "Disconnecting the account and deleting its stored data.",
)
