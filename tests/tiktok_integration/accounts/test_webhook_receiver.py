"""The webhook receiver: signatures, duplicates, and authorization.removed."""

from __future__ import annotations

import json
import time

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from tests.factories.cms import PostFactory
from tests.factories.tiktok import PublishJobFactory, TikTokAccountFactory
from tests.factories.workspaces import MembershipFactory
from tiktok_integration.client import sign
from tiktok_integration.models import PublishJob, TikTokAccount, WebhookEvent
from tiktok_integration.services.webhooks import webhook_event_apply

pytestmark = pytest.mark.django_db


def envelope(
    event: str, open_id: str, content: dict, create_time: int | None = None
) -> bytes:
    return json.dumps({
        "client_key": "sandbox-client-key",
        "event": event,
        "create_time": create_time or int(time.time()),
        "user_openid": open_id,
        "content": json.dumps(content),
    }).encode()  # fmt: skip


def post(body: bytes, header: str | None):
    client = Client(enforce_csrf_checks=True)
    headers = {"HTTP_TIKTOK_SIGNATURE": header} if header is not None else {}
    return client.post(
        reverse("tiktok:webhook"), body, content_type="application/json", **headers
    )


def signed(body: bytes, secret: str, at: int | None = None) -> str:
    return sign(secret, body, at or int(time.time()))


def test_valid_webhook_is_stored_once_and_answered_200(
    settings, django_capture_on_commit_callbacks
):
    # given
    body = envelope(
        "post.publish.complete", "open-1", {"publish_id": "v_pub_file~v2-1.1"}
    )
    header = signed(body, settings.TIKTOK_CLIENT_SECRET)
    # when it is delivered twice (TikTok retries for 72 h)
    with django_capture_on_commit_callbacks() as callbacks:
        first = post(body, header)
        second = post(body, header)
    # then
    assert (first.status_code, second.status_code) == (200, 200)
    assert WebhookEvent.objects.count() == 1
    assert len(callbacks) == 1


@pytest.mark.parametrize(
    "tamper",
    [
        "body_changed",
        "wrong_secret",
        "too_old",
        "from_the_future",
        "missing_header",
        "garbage_header",
    ],
)
def test_forged_or_stale_webhooks_are_refused_and_not_stored(settings, tamper):
    # given
    body = envelope("authorization.removed", "open-1", {"reason": 1})
    secret, at = settings.TIKTOK_CLIENT_SECRET, int(time.time())
    header: str | None = signed(body, secret, at)
    if tamper == "body_changed":
        body = body.replace(b'"reason\\": 1', b'"reason\\": 2')
    elif tamper == "wrong_secret":
        header = signed(body, "not-the-secret", at)
    elif tamper == "too_old":
        header = signed(body, secret, at - 301)
    elif tamper == "from_the_future":
        header = signed(body, secret, at + 301)
    elif tamper == "missing_header":
        header = None
    else:
        header = "t=abc,s=zz"
    # when
    response = post(body, header)
    # then
    assert response.status_code == 401
    assert not WebhookEvent.objects.exists()


def test_authorization_removed_pauses_the_account_and_tells_staff(
    settings, django_capture_on_commit_callbacks
):
    # given an account with three scheduled posts and a manager to tell
    account = TikTokAccountFactory()
    MembershipFactory(
        workspace=account.workspace, role="manager", user__email="manager@example.com"
    )
    jobs = [
        PublishJobFactory(
            account=account, post=PostFactory(workspace=account.workspace)
        )
        for _ in range(3)
    ]
    body = envelope("authorization.removed", account.open_id, {"reason": 1})
    # when TikTok reports the creator removed the app, and the event is applied
    assert post(body, signed(body, settings.TIKTOK_CLIENT_SECRET)).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_apply(event_id=WebhookEvent.objects.get().pk)
    # then
    account.refresh_from_db()
    assert account.status == TikTokAccount.Status.REAUTH_REQUIRED
    assert "disconnected Postdeck in the TikTok app" in account.status_reason
    assert account.access_token is None
    assert account.refresh_token is None
    assert {
        job.status for job in PublishJob.objects.filter(pk__in=[j.pk for j in jobs])
    } == {PublishJob.Status.PAUSED_REAUTH}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["manager@example.com"]
    assert "3 scheduled post(s) are paused" in mail.outbox[0].body


def test_applying_an_event_twice_acts_once(
    settings, django_capture_on_commit_callbacks
):
    account = TikTokAccountFactory()
    MembershipFactory(workspace=account.workspace, user__email="staff@example.com")
    body = envelope("authorization.removed", account.open_id, {"reason": 4})
    post(body, signed(body, settings.TIKTOK_CLIENT_SECRET))
    event = WebhookEvent.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        webhook_event_apply(event_id=event.pk)
        webhook_event_apply(event_id=event.pk)
    assert len(mail.outbox) == 1
    event.refresh_from_db()
    assert event.outcome == WebhookEvent.Outcome.APPLIED


def test_webhook_is_exempt_from_csrf_but_everything_else_is_not(
    staff_client, staff_user, workspace
):
    # The webhook is the only csrf_exempt view; an admin form without a token fails.
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff_user)
    response = client.post(
        reverse("admin:cms_post_add"), {"workspace": workspace.pk, "title": "x"}
    )
    assert response.status_code == 403
