"""Hand-made composer requests that break one rule each: refused on the server
with the key of what to fix, and nothing written."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

import pytest

from cms.models import Post
from cms.scheduling import AmbiguousLocalTimeError, NonexistentLocalTimeError
from media_library.models import MediaAsset
from tests.factories.media import MediaAssetFactory, VerifiedUrlPrefixFactory
from tests.factories.workspaces import MembershipFactory, WorkspaceFactory
from tests.tiktok_integration.compose.conftest import (
    compose_request,
    connect,
    direct,
    draft,
)
from tiktok_integration.models import PublishJob
from tiktok_integration.services.compose import ComposeError, post_compose
from tiktok_sandbox.models import SandboxCreator


def refused(request: Any) -> ComposeError:
    with pytest.raises(ComposeError) as caught:
        post_compose(request=request)
    assert Post.objects.count() == 0
    assert PublishJob.objects.count() == 0
    return caught.value


def photos(workspace: Any, count: int) -> tuple[int, ...]:
    return tuple(
        cast(
            MediaAsset,
            MediaAssetFactory(
                workspace=workspace,
                kind=MediaAsset.Kind.PHOTO,
                original_filename=f"photo-{n}.jpg",
                mime_type="image/jpeg",
                duration_seconds=None,
            ),
        ).pk
        for n in range(count)
    )


@pytest.fixture
def no_comments(rome: Any) -> Any:
    return connect(SandboxCreator.objects.get(username="sandbox.nocomments"), rome)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"privacy_level": "FOLLOWER_OF_CREATOR"}, "privacy_level"),
        ({"privacy_level": ""}, "privacy_level"),
        ({"brand_content": True}, "brand_content"),
        ({"declaration_text": "Sure."}, "declaration_text"),
    ],
)
def test_direct_choices_breaking_a_rule(
    rome, member, public_account, video, fields, field
):
    error = refused(
        compose_request(
            rome, member, (direct(public_account, **fields),), media_ids=(video.pk,)
        )
    )
    assert list(error.errors) == [f"target:{public_account.pk}:{field}"]


def test_caption_too_long_in_utf16_units(rome, member, public_account, video):
    # 1,101 emoji are 2,202 UTF-16 units: over TikTok's 2,200
    error = refused(
        compose_request(
            rome,
            member,
            (direct(public_account),),
            media_ids=(video.pk,),
            caption="😀" * 1101,
        )
    )
    assert "2202 characters" in error.errors["caption"][0]


def test_photo_title_over_90(rome, member, public_account):
    error = refused(
        compose_request(
            rome,
            member,
            (direct(public_account, photo_title="t" * 91),),
            media_ids=photos(rome, 2),
        )
    )
    assert list(error.errors) == [f"target:{public_account.pk}:photo_title"]


def test_more_than_35_photos(rome, member, public_account):
    error = refused(
        compose_request(
            rome, member, (direct(public_account),), media_ids=photos(rome, 36)
        )
    )
    assert "at most 35 photos" in error.errors["media"][0]


def test_a_disabled_interaction_ticked(rome, member, no_comments, video):
    error = refused(
        compose_request(
            rome,
            member,
            (direct(no_comments, allow_comment=True),),
            media_ids=(video.pk,),
        )
    )
    assert list(error.errors) == [f"target:{no_comments.pk}:allow_comment"]


def test_video_longer_than_the_creator_may_post(rome, member, no_comments):
    long_video = MediaAssetFactory(workspace=rome, duration_seconds=90.0)
    error = refused(
        compose_request(
            rome, member, (direct(no_comments),), media_ids=(long_video.pk,)
        )
    )
    assert "at most 60 s" in error.errors[f"target:{no_comments.pk}"][0]


def test_a_draft_with_what_only_direct_posts_carry(
    rome, member, upload_only_account, video
):
    # the example: 'AI-generated' ticked and 'Everyone' for an inbox draft
    error = refused(
        compose_request(
            rome,
            member,
            (
                draft(
                    upload_only_account,
                    is_aigc=True,
                    privacy_level="PUBLIC_TO_EVERYONE",
                ),
            ),
            media_ids=(video.pk,),
        )
    )
    key = f"target:{upload_only_account.pk}"
    assert set(error.errors) == {f"{key}:is_aigc", f"{key}:privacy_level"}
    assert error.errors[f"{key}:is_aigc"] == [
        "A draft sent to the inbox carries no 'AI-generated' label: TikTok does "
        "not receive it, the creator sets it in the TikTok app. Clear it, or post "
        "directly."
    ]


def test_direct_without_video_publish(rome, member, upload_only_account, video):
    error = refused(
        compose_request(
            rome, member, (direct(upload_only_account),), media_ids=(video.pk,)
        )
    )
    message = error.errors[f"target:{upload_only_account.pk}:mode"][0]
    assert "did not grant video.publish" in message
    assert "send a draft instead" in message


def test_time_in_the_past(rome, member, public_account, video):
    error = refused(
        compose_request(
            rome,
            member,
            (direct(public_account),),
            media_ids=(video.pk,),
            wall_time=datetime(2020, 5, 4, 10, 0),  # noqa: DTZ001
        )
    )
    assert "has already passed" in error.errors["when"][0]


def test_a_time_in_the_spring_gap(rome, member, public_account, video):
    error = refused(
        compose_request(
            rome,
            member,
            (direct(public_account),),
            media_ids=(video.pk,),
            wall_time=datetime(2027, 3, 28, 2, 30),  # noqa: DTZ001
        )
    )
    assert error.errors["when"] == [
        "02:30 on 28 March 2027 does not exist in Europe/Rome: the clocks jump "
        "from 02:00 to 03:00. Choose 01:59 or 03:00."
    ]
    assert isinstance(error.local_time_error, NonexistentLocalTimeError)


def test_a_repeated_time_without_fold(rome, member, public_account, video):
    error = refused(
        compose_request(
            rome,
            member,
            (direct(public_account),),
            media_ids=(video.pk,),
            wall_time=datetime(2027, 10, 31, 2, 30),  # noqa: DTZ001
        )
    )
    assert "happens twice" in error.errors["when"][0]
    assert isinstance(error.local_time_error, AmbiguousLocalTimeError)


def test_a_repeated_time_with_fold_is_saved_as_chosen(
    rome, member, public_account, video
):
    post = post_compose(
        request=compose_request(
            rome,
            member,
            (direct(public_account),),
            media_ids=(video.pk,),
            wall_time=datetime(2027, 10, 31, 2, 30),  # noqa: DTZ001
            fold=1,
        )
    )
    post.refresh_from_db()
    assert post.scheduled_fold == 1
    assert post.scheduled_at.isoformat() == "2027-10-31T01:30:00+00:00"


def test_account_and_media_of_another_workspace(rome, member, public_account, video):
    elsewhere = WorkspaceFactory()
    their_video = MediaAssetFactory(workspace=elsewhere)
    their_account = connect(
        SandboxCreator.objects.get(username="sandbox.nocomments"), elsewhere
    )
    error = refused(
        compose_request(
            rome,
            member,
            (direct(public_account), direct(their_account)),
            media_ids=(their_video.pk,),
        )
    )
    assert "not in this workspace's library" in error.errors["media"][0]
    assert "not in the workspace" in error.errors[f"target:{their_account.pk}"][0]


def test_no_consent(rome, member, public_account, video):
    error = refused(
        compose_request(
            rome,
            member,
            (direct(public_account),),
            media_ids=(video.pk,),
            consented=False,
        )
    )
    assert "consent" in error.errors[""][0]


def test_someone_outside_the_workspace(rome, public_account, video):
    outsider = MembershipFactory().user
    error = refused(
        compose_request(
            rome, outsider, (direct(public_account),), media_ids=(video.pk,)
        )
    )
    assert error.errors == {"": ["You are not a member of this workspace."]}


def test_photos_without_a_verified_pull_prefix_are_refused_with_the_steps(
    settings, rome, member, public_account
):
    # given production-like settings and no verified prefix (docs/tiktok.md §4.5)
    settings.TIKTOK_SANDBOX = False
    settings.BASE_URL = "https://postdeck.example.com"
    prefix = "https://postdeck.example.com/tiktok-media/"
    # when (a draft: the sandbox answers creator_info only in sandbox mode)
    error = refused(
        compose_request(
            rome, member, (draft(public_account),), media_ids=photos(rome, 2)
        )
    )
    # then the media error says what to do, in numbered steps
    (message,) = error.errors["media"]
    assert "verified" in message
    assert (
        f"1. In TikTok's developer portal, under your app's URL properties, add the URL prefix {prefix}"
        in message
    )
    assert f"4. Add {prefix} under Media library > Verified URL prefixes" in message


def test_photos_are_accepted_once_the_pull_prefix_is_verified(
    settings, rome, member, public_account
):
    # given
    settings.TIKTOK_SANDBOX = False
    settings.BASE_URL = "https://postdeck.example.com"
    VerifiedUrlPrefixFactory(prefix="https://postdeck.example.com/tiktok-media/")
    # when
    post = post_compose(
        request=compose_request(
            rome, member, (draft(public_account),), media_ids=photos(rome, 2)
        )
    )
    # then
    assert post.publish_jobs.count() == 1
