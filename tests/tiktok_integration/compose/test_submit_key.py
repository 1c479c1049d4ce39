"""The composer's double-submit key: the same new-post form sent twice (a
second press, a resent request, two at the same instant) writes one post,
and creator info is not asked of TikTok again for the repeat."""

from __future__ import annotations

import uuid
from typing import Any

from django.urls import reverse

from cms.models import Post
from tests.factories.tiktok import TikTokAccountFactory
from tests.tiktok_integration.compose.conftest import compose_request, direct
from tiktok_integration.models import PublishJob
from tiktok_integration.services import compose
from tiktok_integration.services.compose import post_compose
from tiktok_sandbox.models import Endpoint
from tiktok_sandbox.selectors import sandbox_call_count


def _request(rome: Any, member: Any, account: Any, video: Any, key: Any) -> Any:
    return compose_request(
        rome, member, (direct(account),), media_ids=(video.pk,), submit_key=key
    )


def test_the_same_form_sent_twice_writes_one_post(rome, member, public_account, video):
    key = uuid.uuid4()
    first = post_compose(request=_request(rome, member, public_account, video, key))
    asked = sandbox_call_count(endpoint=Endpoint.CREATOR_INFO)
    # when the same form arrives again
    again = post_compose(request=_request(rome, member, public_account, video, key))
    # then it is the first post, and nothing more was written or asked
    assert again.pk == first.pk
    assert Post.objects.count() == 1
    assert PublishJob.objects.count() == 1
    assert sandbox_call_count(endpoint=Endpoint.CREATOR_INFO) == asked


def test_two_sends_at_the_same_instant_write_one_post(
    rome, member, public_account, video, monkeypatch
):
    # given both sends looked for the key before either had saved
    key = uuid.uuid4()
    first = post_compose(request=_request(rome, member, public_account, video, key))
    real = compose._post_of_submit_key
    looks: list[Any] = []

    def not_saved_yet_on_the_first_look(request: Any) -> Any:
        looks.append(request)
        return None if len(looks) == 1 else real(request)

    monkeypatch.setattr(compose, "_post_of_submit_key", not_saved_yet_on_the_first_look)
    # when the second send writes, the database's unique key refuses it
    again = post_compose(request=_request(rome, member, public_account, video, key))
    # then it answers with the first post, and nothing of its own was kept
    assert again.pk == first.pk
    assert Post.objects.count() == 1
    assert PublishJob.objects.count() == 1


def test_new_forms_and_other_workspaces_keys_write_their_own_posts(
    rome, member, public_account, video
):
    post_compose(request=_request(rome, member, public_account, video, uuid.uuid4()))
    post_compose(request=_request(rome, member, public_account, video, uuid.uuid4()))
    post_compose(request=_request(rome, member, public_account, video, None))
    assert Post.objects.count() == 3


def test_each_new_post_form_carries_its_own_key(client, rome, member):
    TikTokAccountFactory(workspace=rome)
    client.force_login(member)
    staff_client = client
    url = reverse("admin:cms_post_compose") + f"?workspace={rome.pk}"
    keys = [staff_client.get(url).context["values"]["submit_key"] for _ in range(2)]
    assert all(uuid.UUID(key) for key in keys)
    assert keys[0] != keys[1]
    body = staff_client.get(url).content.decode()
    assert 'name="submit_key"' in body
