"""Staff of workspace A can neither see nor change workspace B's objects anywhere."""

from __future__ import annotations

import pytest
from django.urls import reverse

from media_library.models import MediaAsset
from tests.factories.cms import PostFactory
from tests.factories.media import MediaAssetFactory, MediaConversionFactory, TagFactory
from tests.factories.tiktok import (
    PublishAttemptFactory,
    PublishJobFactory,
    TikTokAccountFactory,
)
from tests.factories.workspaces import MembershipFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db

B_MARK = "zz-workspace-b-zz"


@pytest.fixture
def world():
    """Workspace A (ours) and B (someone else's), each with one of everything."""
    a, b = WorkspaceFactory(name="Alpha"), WorkspaceFactory(name=f"Beta {B_MARK}")
    objects = {}
    for workspace, tag in ((a, "a"), (b, "b")):
        mark = B_MARK if tag == "b" else "alpha-mark"
        account = TikTokAccountFactory(
            workspace=workspace, username=f"{mark}-acct", display_name=mark
        )
        post = PostFactory(workspace=workspace, title=f"{mark} post")
        asset = MediaAssetFactory(workspace=workspace, original_filename=f"{mark}.mp4")
        job = PublishJobFactory(post=post, account=account)
        attempt = PublishAttemptFactory(job=job, log_id=f"{mark}-log")
        library_tag = TagFactory(workspace=workspace, name=f"{mark}-tag")
        asset.tags.add(library_tag)
        conversion = MediaConversionFactory(
            source=MediaAssetFactory(
                workspace=workspace,
                original_filename=f"{mark}-raw.mov",
                is_tiktok_ready=False,
            )
        )
        objects[tag] = {
            "media_library.tag": library_tag,
            "media_library.mediaconversion": conversion,
            "workspaces.workspace": workspace,
            "cms.post": post,
            "media_library.mediaasset": asset,
            "tiktok_integration.tiktokaccount": account,
            "tiktok_integration.publishjob": job,
            "tiktok_integration.publishattempt": attempt,
        }
    return objects


@pytest.fixture
def staff_a(client, world):
    user = MembershipFactory(workspace=world["a"]["workspaces.workspace"]).user
    client.force_login(user)
    return client


def admin_url(label: str, view: str, *args):
    app_label, model_name = label.split(".")
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


LABELS = [
    "media_library.tag",
    "media_library.mediaconversion",
    "workspaces.workspace",
    "cms.post",
    "media_library.mediaasset",
    "tiktok_integration.tiktokaccount",
    "tiktok_integration.publishjob",
    "tiktok_integration.publishattempt",
]


@pytest.mark.parametrize("label", LABELS)
def test_changelist_shows_only_our_workspace(staff_a, world, label):
    # when
    response = staff_a.get(admin_url(label, "changelist"))
    # then
    assert response.status_code == 200
    html = response.content.decode()
    assert B_MARK not in html
    assert f"/{world['a'][label].pk}/change/" in html


@pytest.mark.parametrize("label", LABELS)
def test_other_workspace_objects_answer_404_by_url(staff_a, world, label):
    # given
    foreign = world["b"][label]
    # when / then: change, delete and history views all refuse
    for view in ("change", "delete", "history"):
        response = staff_a.get(admin_url(label, view, foreign.pk))
        assert response.status_code in {403, 404}, (label, view, response.status_code)
        assert B_MARK not in response.content.decode()


@pytest.mark.parametrize("label", ["cms.post", "media_library.mediaasset"])
def test_posting_to_another_workspaces_object_changes_nothing(staff_a, world, label):
    # given
    foreign = world["b"][label]
    # when
    response = staff_a.post(
        admin_url(label, "change", foreign.pk),
        {"title": "hijacked", "workspace": world["a"]["workspaces.workspace"].pk},
    )
    # then
    assert response.status_code in {403, 404}
    foreign.refresh_from_db()
    assert foreign.workspace_id == world["b"]["workspaces.workspace"].pk


def test_autocomplete_never_offers_other_workspaces(staff_a, world):
    # given the autocomplete behind the post form's media picker
    url = reverse("admin:autocomplete")
    params = {
        "app_label": "cms",
        "model_name": "postmedia",
        "field_name": "asset",
        "term": "",
    }
    # when
    response = staff_a.get(url, params)
    # then
    assert response.status_code == 200
    ids = {item["id"] for item in response.json()["results"]}
    ours = {
        str(pk)
        for pk in MediaAsset.objects.filter(
            workspace=world["a"]["workspaces.workspace"]
        ).values_list("pk", flat=True)
    }
    assert str(world["a"]["media_library.mediaasset"].pk) in ids
    assert ids == ours


def test_list_filters_do_not_name_other_workspaces(staff_a, world):
    # given a second account in our workspace, so the account filter is shown
    ours = world["a"]["workspaces.workspace"]
    PublishJobFactory(
        post=PostFactory(workspace=ours),
        account=TikTokAccountFactory(workspace=ours, username="second-ours"),
    )
    # when
    html = staff_a.get(
        admin_url("tiktok_integration.publishjob", "changelist")
    ).content.decode()
    # then
    assert "@second-ours" in html and "@alpha-mark-acct" in html
    assert B_MARK not in html


def test_add_form_offers_only_our_workspaces(staff_a, world):
    html = staff_a.get(admin_url("cms.post", "add")).content.decode()
    assert "Alpha" in html
    assert B_MARK not in html


def test_creating_a_post_in_another_workspace_is_refused(staff_a, world):
    # when
    response = staff_a.post(admin_url("cms.post", "add"), {
        "workspace": world["b"]["workspaces.workspace"].pk, "title": "smuggled", "caption": "",
        "time_zone": "UTC", "post_media-TOTAL_FORMS": "0", "post_media-INITIAL_FORMS": "0",
    })  # fmt: skip
    # then: the form refuses the foreign choice; nothing is created
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert (
        not world["b"]["workspaces.workspace"].posts.filter(title="smuggled").exists()
    )


def test_bulk_delete_is_not_offered_to_staff(staff_a):
    html = staff_a.get(admin_url("cms.post", "changelist")).content.decode()
    assert 'value="delete_selected"' not in html


def test_a_staff_member_of_no_workspace_sees_nothing(client, world):
    # given
    user = MembershipFactory().user  # member of a third, empty workspace
    client.force_login(user)
    # then
    for label in LABELS:
        if label == "workspaces.workspace":
            continue
        html = client.get(admin_url(label, "changelist")).content.decode()
        assert B_MARK not in html and "alpha-mark" not in html


def test_superuser_sees_every_workspace(admin_client, world):
    html = admin_client.get(admin_url("cms.post", "changelist")).content.decode()
    assert B_MARK in html and "alpha-mark" in html


def test_verified_url_prefixes_are_for_superusers_only(staff_a):
    # The prefixes TikTok verified belong to the installation, not a workspace.
    response = staff_a.get(reverse("admin:media_library_verifiedurlprefix_changelist"))
    assert response.status_code == 403
