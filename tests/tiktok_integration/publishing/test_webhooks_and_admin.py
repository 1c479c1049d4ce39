from __future__ import annotations

import json
import time
from datetime import datetime

from django.core.management import call_command
from django.urls import reverse

from tests.factories.cms import schedule
from tests.factories.workspaces import MembershipFactory
from tests.tiktok_integration.publishing.conftest import drive, scheduled_job
from tiktok_integration.client import sign
from tiktok_integration.models import PublishJob, WebhookEvent
from tiktok_integration.publishing.dispatch import publish_dispatch_tick
from tiktok_integration.publishing.run import publish_job_run
from tiktok_integration.services.webhooks import webhook_event_apply
from tiktok_sandbox.selectors import sandbox_init_count
from tiktok_sandbox.services import (
    sandbox_creator_update,
    sandbox_settings_update,
)

Status = PublishJob.Status


def envelope(settings, event: str, open_id: str, content: dict) -> bytes:
    return json.dumps(
        {
            "client_key": settings.TIKTOK_CLIENT_KEY,
            "event": event,
            "create_time": int(time.time()),
            "user_openid": open_id,
            "content": json.dumps(content),
        }
    ).encode()


def deliver(client, body: bytes, secret: str) -> int:
    header = sign(secret, body, int(time.time()))
    response = client.post(
        "/tiktok/webhook/", body, content_type="application/json",
        headers={"TikTok-Signature": header},
    )  # fmt: skip
    for pending in WebhookEvent.objects.filter(outcome=WebhookEvent.Outcome.PENDING):
        webhook_event_apply(event_id=pending.pk)
    return response.status_code


def test_webhooks_and_polling_agree_and_duplicates_are_ignored(
    account, client, settings
):
    # given a job TikTok is processing
    job = scheduled_job(account)
    claim = publish_dispatch_tick()[0]
    publish_job_run(publish_job_id=job.pk, lease_version=claim.lease_version)
    job.refresh_from_db()
    content = {"publish_id": job.publish_id, "publish_type": "DIRECT_PUBLISH"}
    body = envelope(settings, "post.publish.complete", account.open_id, content)
    # when the webhook says complete, twice
    first = deliver(client, body, settings.TIKTOK_CLIENT_SECRET)
    job.refresh_from_db()
    assert job.status == Status.PUBLISHED
    published_at = job.published_at
    deliver(client, body, settings.TIKTOK_CLIENT_SECRET)
    # and polling later agrees
    drive()
    # then
    job.refresh_from_db()
    assert first == 200
    assert job.status == Status.PUBLISHED
    assert job.published_at == published_at
    assert WebhookEvent.objects.filter(event="post.publish.complete").count() == 1


def test_a_forged_webhook_changes_nothing(account, client, settings):
    # given
    job = scheduled_job(account)
    claim = publish_dispatch_tick()[0]
    publish_job_run(publish_job_id=job.pk, lease_version=claim.lease_version)
    job.refresh_from_db()
    content = {"publish_id": job.publish_id, "reason": "spam_risk"}
    # when someone without the client secret sends "failed"
    body = envelope(settings, "post.publish.failed", account.open_id, content)
    body_status = deliver(client, body, "forger")
    # then
    job.refresh_from_db()
    assert body_status in (400, 401, 403)
    assert job.status == Status.PROCESSING
    assert not WebhookEvent.objects.exists()


def test_publish_due_command_runs_one_tick(account):
    # given
    job = scheduled_job(account)
    # when
    call_command("publish_due")
    # then the job is claimed and handed to the publish queue
    job.refresh_from_db()
    assert job.status == Status.CLAIMED
    assert job.lease_version == 1


def test_admin_adds_a_job_from_a_post_under_the_composer_rules(
    account, client, public_creator
):
    # given staff of the account's workspace and a post with a video, and a
    # creator who (at TikTok, right now) has comments off and whose app is
    # unaudited, so only "Only me" is offered
    user = MembershipFactory(workspace=account.workspace).user
    client.force_login(user)
    draft = scheduled_job(account)
    post = schedule(draft.post, datetime(2030, 1, 1, 10, 0))  # noqa: DTZ001
    draft.delete()
    sandbox_creator_update(creator=public_creator, is_comment_disabled=True)
    sandbox_settings_update(is_audited=False)
    url = reverse("admin:tiktok_integration_publishjob_add")
    form = {
        "post": post.pk, "account": account.pk, "mode": "direct",
        "source": "FILE_UPLOAD", "privacy_level": "PUBLIC_TO_EVERYONE",
        "allow_comment": "on",
        "photo_cover_index": 0, "attempts-TOTAL_FORMS": 0,
        "attempts-INITIAL_FORMS": 0,
    }  # fmt: skip
    # when the form breaks two rules
    page = client.get(url, {"post": post.pk})
    refused = client.post(url, form)
    # then it is refused with TikTok's reasons, and accepted once fixed
    assert page.status_code == 200
    assert refused.status_code == 200
    assert b"no longer offers" in refused.content
    assert b"Comments are turned off" in refused.content
    form.update(privacy_level="SELF_ONLY")
    form.pop("allow_comment")
    accepted = client.post(url, form)
    assert accepted.status_code == 302, accepted.content[:2000]
    job = PublishJob.objects.get(post=post)
    assert job.status == Status.SCHEDULED and not job.allow_comment
    # and it goes out at the post's time, not one typed on the job
    assert job.scheduled_at == post.scheduled_at


def test_admin_actions_cancel_retry_and_mark_published(account, client):
    # given a job that failed at TikTok and one still scheduled
    user = MembershipFactory(workspace=account.workspace).user
    client.force_login(user)
    failed = scheduled_job(account, status=Status.FAILED)
    waiting = scheduled_job(account)
    changelist = reverse("admin:tiktok_integration_publishjob_changelist")
    # when
    client.post(changelist, {"action": "cancel_jobs", "_selected_action": [waiting.pk]})
    client.post(changelist, {"action": "retry_jobs", "_selected_action": [failed.pk]})
    failed.refresh_from_db()
    assert failed.status == Status.SCHEDULED
    drive()
    mark = reverse(
        "admin:tiktok_integration_publishjob_mark_published", args=[failed.pk]
    )
    client.post(mark, {"url": "https://www.tiktok.com/@x/video/7000000000000000001"})
    # then
    waiting.refresh_from_db()
    failed.refresh_from_db()
    assert waiting.status == Status.CANCELLED
    assert failed.status == Status.PUBLISHED
    assert sandbox_init_count() == 1
    detail = client.get(
        reverse("admin:tiktok_integration_publishjob_change", args=[failed.pk])
    )
    assert detail.status_code == 200
    assert b"video_init" in detail.content
