"""The composer's server side: workspace scoping, CSRF, and reading the form
without trusting the browser."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.http import QueryDict
from django.test import Client
from django.urls import reverse

from cms.models import Post
from media_library.models import MediaAsset
from tests.factories.cms import PostFactory
from tests.factories.media import MediaAssetFactory, VerifiedUrlPrefixFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tests.factories.workspaces import MembershipFactory, WorkspaceFactory
from tiktok_integration.admin.composer import texts
from tiktok_integration.admin.composer.submission import parse_submission
from tiktok_integration.composer import BRANDED_DECLARATION, MUSIC_DECLARATION
from tiktok_integration.models import PublishJob

pytestmark = pytest.mark.django_db


def form(**fields: str | list[str]) -> QueryDict:
    data = QueryDict(mutable=True)
    for name, value in fields.items():
        if isinstance(value, list):
            data.setlist(name, value)
        else:
            data[name] = value
    return data


def parse(data: QueryDict):  # type: ignore[no-untyped-def]
    return parse_submission(data, workspace_id=1, user_id=2, post_id=None)


def test_another_workspaces_account_post_or_workspace_is_not_found(staff_client):
    # given a workspace the user is not a member of
    other = WorkspaceFactory()
    account = TikTokAccountFactory(workspace=other)
    post = PostFactory(workspace=other)
    # then every composer URL answers 404 for it
    urls = [
        reverse("admin:cms_post_compose_panels") + f"?accounts={account.pk}",
        reverse("admin:cms_post_compose_edit", args=[post.pk]),
        reverse("admin:cms_post_compose_status", args=[post.pk]),
        reverse("admin:cms_post_compose") + f"?workspace={other.pk}",
    ]
    for url in urls:
        assert staff_client.get(url).status_code == 404, url


def test_the_page_lists_only_the_workspaces_accounts(staff_client, workspace):
    mine = TikTokAccountFactory(workspace=workspace, username="ours")
    TikTokAccountFactory(workspace=WorkspaceFactory(), username="theirs")
    response = staff_client.get(reverse("admin:cms_post_compose"))
    assert response.status_code == 200
    body = response.content.decode()
    assert f'name="targets" value="{mine.pk}"' in body
    assert "@theirs" not in body
    assert "script-src" in response.headers["Content-Security-Policy"]


def test_a_member_of_two_workspaces_chooses_one_first(client, workspace):
    user = MembershipFactory(workspace=workspace).user
    second = WorkspaceFactory(name="Second brand")
    MembershipFactory(workspace=second, user=user)
    client.force_login(user)
    response = client.get(reverse("admin:cms_post_compose"))
    assert f"?workspace={second.pk}" in response.content.decode()


def test_the_post_needs_the_csrf_token(staff_user, workspace):
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    response = client.post(reverse("admin:cms_post_compose"), {"consent": "yes"})
    assert response.status_code == 403


def test_posts_list_and_dashboard_link_to_the_composer(staff_client):
    url = reverse("admin:cms_post_compose")
    assert (
        url in staff_client.get(reverse("admin:cms_post_changelist")).content.decode()
    )
    assert url in staff_client.get(reverse("admin:index")).content.decode()


def test_draft_targets_keep_nothing_tiktok_ignores():
    submission = parse(
        form(
            targets=["7"],
            **{
                "t-7-mode": "draft",
                "t-7-privacy_level": "PUBLIC_TO_EVERYONE",
                "t-7-allow_comment": "on",
                "t-7-disclose": "on",
                "t-7-brand_content": "on",
            },
            consent="yes",
        )
    )
    assert submission.request is not None
    (target,) = submission.request.targets
    assert (target.mode, target.privacy_level, target.allow_comment) == (
        "draft",
        "",
        False,
    )
    assert not target.brand_content
    assert submission.request.consented


def test_a_disclosure_that_names_nothing_is_refused_before_anything_else():
    submission = parse(
        form(
            targets=["7"],
            **{"t-7-mode": "direct", "t-7-disclose": "on"},
        )
    )
    assert submission.request is None
    assert submission.errors["target:7:brand_organic"] == [texts.DISCLOSURE_REQUIRED]


def test_each_target_keeps_the_declaration_its_choices_showed():
    submission = parse(
        form(
            targets=["7", "8"],
            **{
                "t-7-mode": "direct",
                "t-7-privacy_level": "PUBLIC_TO_EVERYONE",
                "t-7-disclose": "on",
                "t-7-brand_content": "on",
                "t-7-brand_organic": "on",
                "t-8-mode": "direct",
                "t-8-privacy_level": "SELF_ONLY",
                # ticked but the toggle is off: not disclosed
                "t-8-brand_content": "on",
            },
        )
    )
    assert submission.request is not None
    first, second = submission.request.targets
    assert (first.brand_organic, first.brand_content) == (True, True)
    assert (second.brand_organic, second.brand_content) == (False, False)
    assert first.declaration_text == BRANDED_DECLARATION
    assert second.declaration_text == MUSIC_DECLARATION


def test_caption_line_breaks_count_as_tiktok_counts_them():
    submission = parse(
        form(caption="one\r\ntwo 😀", targets=["7"], **{"t-7-mode": "draft"})
    )
    assert submission.request is not None
    assert submission.request.caption == "one\ntwo 😀"


def test_the_time_typed_and_a_picked_dst_choice_are_read_as_wall_times():
    typed = parse(
        form(
            when="later",
            when_date="2031-03-30",
            when_time="02:30",
            time_zone="Europe/Rome",
            targets=["7"],
            **{"t-7-mode": "draft"},
        )
    )
    assert typed.request is not None
    assert typed.request.wall_time is not None
    assert typed.request.wall_time.isoformat() == "2031-03-30T02:30:00"
    assert typed.request.fold is None
    assert not typed.request.publish_now
    picked = parse(
        form(
            when="later",
            when_date="2031-10-26",
            when_time="02:30",
            when_pick="2031-10-26T02:30|1",
            time_zone="Europe/Rome",
            targets=["7"],
            **{"t-7-mode": "draft"},
        )
    )
    assert picked.request is not None
    assert picked.request.fold == 1
    missing = parse(form(when="later", targets=["7"], **{"t-7-mode": "draft"}))
    assert missing.errors["when"]


def test_a_forged_post_for_another_workspaces_account_saves_nothing(
    staff_client, workspace
):
    # given an account of a workspace the user is not a member of
    theirs = TikTokAccountFactory(workspace=WorkspaceFactory())
    # when the form is forged to target it
    response = staff_client.post(
        reverse("admin:cms_post_compose") + f"?workspace={workspace.pk}",
        {
            "workspace": workspace.pk,
            "caption": "Hello",
            "targets": [theirs.pk],
            f"t-{theirs.pk}-mode": "draft",
            "when": "now",
            "consent": "yes",
        },
    )
    # then the page comes back with the refusal and nothing is written
    assert response.status_code == 200
    assert b"compose-errors-summary" in response.content
    assert not Post.objects.exists()
    assert not PublishJob.objects.exists()


def test_without_pressing_the_button_nothing_is_saved(staff_client, workspace):
    mine = TikTokAccountFactory(
        workspace=workspace, granted_scopes=["video.upload"], username="mine"
    )
    response = staff_client.post(
        reverse("admin:cms_post_compose"),
        {
            "caption": "Hello",
            "targets": [mine.pk],
            f"t-{mine.pk}-mode": "draft",
            "when": "now",
        },
    )
    assert response.status_code == 200
    assert not Post.objects.exists()


def test_editing_a_post_starts_from_its_accounts_and_choices(staff_client, workspace):
    job = PublishJobFactory(
        post=PostFactory(workspace=workspace, caption="Edit me"),
        privacy_level="MUTUAL_FOLLOW_FRIENDS",
        allow_comment=True,
    )
    response = staff_client.get(
        reverse("admin:cms_post_compose_edit", args=[job.post.pk])
    )
    body = response.content.decode()
    assert f'name="targets" value="{job.account.pk}" data-username' in body
    assert "Edit me</textarea>" in body
    data = response.context["page_data"]["targetValues"][str(job.account.pk)]
    assert data["privacy_level"] == "MUTUAL_FOLLOW_FRIENDS"
    assert data["allow_comment"] is True


def test_live_state_gives_words_and_the_public_link(staff_client, workspace):
    job = PublishJobFactory(
        post=PostFactory(workspace=workspace),
        status=PublishJob.Status.PUBLISHED,
        public_url="https://www.tiktok.com/@creator/video/123",
    )
    failed = PublishJobFactory(
        post=job.post,
        status=PublishJob.Status.FAILED,
        failure_message="TikTok refused the video: its frame rate is too high.",
    )
    state = staff_client.get(
        reverse("admin:cms_post_compose_status", args=[job.post.pk])
    ).json()
    assert state["ended"] is True
    by_account = {target["account_id"]: target for target in state["targets"]}
    assert by_account[job.account_id]["url"] == job.public_url
    assert by_account[job.account_id]["words"] == "Published."
    assert by_account[failed.account_id]["words"] == (
        "Failed: TikTok refused the video: its frame rate is too high."
    )


def test_live_state_writes_the_planned_time_and_whether_review_holds_it(
    staff_client, workspace
):
    # given a post planned for 1 Dec 2026, 16:49 in Berlin (15:49 UTC)
    workspace.time_zone = "Europe/Berlin"
    workspace.save()
    job = PublishJobFactory(
        post=PostFactory(workspace=workspace, time_zone="Europe/Berlin"),
        status=PublishJob.Status.SCHEDULED,
        scheduled_at=datetime(2026, 12, 1, 15, 49, tzinfo=UTC),
    )
    # when
    state = staff_client.get(
        reverse("admin:cms_post_compose_status", args=[job.post.pk])
    ).json()
    # then: day, month in words, minutes, the zone's abbreviation and name
    assert state["targets"][0]["words"] == (
        "Scheduled for 1 Dec 2026, 16:49 CET (Europe/Berlin)."
    )
    # and while it waits for review it does not claim to be scheduled
    Post.objects.filter(pk=job.post.pk).update(
        editorial_state=Post.EditorialState.IN_REVIEW
    )
    state = staff_client.get(
        reverse("admin:cms_post_compose_status", args=[job.post.pk])
    ).json()
    assert state["targets"][0]["words"] == (
        "Planned for 1 Dec 2026, 16:49 CET (Europe/Berlin); it goes out once approved."
    )


def _photo_notice(body: str) -> str | None:
    start = body.find('id="compose-photo-readiness"')
    if start == -1:
        return None
    return body[start : body.index("</div>", start)]


def test_the_page_lists_the_steps_before_photos_can_be_posted(
    staff_client, workspace, settings
):
    # given production-like settings, no verified prefix, a photo in the library
    settings.TIKTOK_SANDBOX = False
    settings.BASE_URL = "https://postdeck.example.com"
    MediaAssetFactory(
        workspace=workspace,
        kind=MediaAsset.Kind.PHOTO,
        mime_type="image/jpeg",
        duration_seconds=None,
    )
    # when
    body = staff_client.get(reverse("admin:cms_post_compose")).content.decode()
    # then the photo-only notice near the media says what to do, step by step
    notice = _photo_notice(body)
    assert notice is not None and "data-photo-only" in notice
    assert body.index('id="compose-media"') < body.index(notice)
    steps = notice.split("<li>")[1:]
    assert len(steps) == 4
    assert "https://postdeck.example.com/tiktok-media/" in steps[0]
    assert steps[3].startswith("Add https://postdeck.example.com/tiktok-media/")
    # and once the prefix is verified the notice is gone
    VerifiedUrlPrefixFactory(prefix="https://postdeck.example.com/tiktok-media/")
    body = staff_client.get(reverse("admin:cms_post_compose")).content.decode()
    assert _photo_notice(body) is None


def test_a_new_post_starts_at_the_day_and_time_in_the_address(staff_client, workspace):
    # given the calendar's "new post" link for a slot
    response = staff_client.get(
        reverse("admin:cms_post_compose"),
        {"date": "2031-05-06", "time": "14:30", "tz": "Asia/Tokyo"},
    )
    body = response.content.decode()
    # then the composer's "when" is filled in with it
    assert 'name="when" value="later" checked' in body
    assert 'value="2031-05-06"' in body and 'value="14:30"' in body
    assert '<option value="Asia/Tokyo" selected' in body
