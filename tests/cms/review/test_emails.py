"""Review emails as each person chose: each one (the default), one daily
digest of the unread ones, or none; every email links to a page that changes
it without signing in, and carries one-click unsubscribe headers (RFC 8058)."""

from __future__ import annotations

from datetime import timedelta

from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cms.review.email import (
    email_choice_of,
    email_choice_set,
    email_setting_token,
    review_digests_send,
)
from cms.review.models import Notification, NotificationSetting
from tests.cms.review.conftest import submitted

Email = NotificationSetting.Email


def _submit(agency, editor, hooks):  # type: ignore[no-untyped-def]
    with hooks(execute=True):
        return submitted(agency, editor)


def test_each_email_says_how_to_stop_them_and_has_one_click_headers(
    agency, editor, approver, django_capture_on_commit_callbacks
):
    _submit(agency, editor, django_capture_on_commit_callbacks)
    [message] = mail.outbox
    token = email_setting_token(approver.pk)
    page = reverse("review_email_setting", args=[token])
    assert "Change or stop these emails: http://" in message.body
    assert message.body.rstrip().endswith(page)
    assert message.extra_headers["List-Unsubscribe"].endswith(
        reverse("review_email_one_click", args=[token]) + ">"
    )
    assert message.extra_headers["List-Unsubscribe-Post"] == (
        "List-Unsubscribe=One-Click"
    )


def test_someone_who_chose_no_emails_gets_none_but_keeps_the_notification(
    agency, editor, approver, django_capture_on_commit_callbacks
):
    email_choice_set(user_id=approver.pk, email=Email.OFF)
    _submit(agency, editor, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    assert Notification.objects.filter(user=approver).count() == 1


def test_the_daily_digest_lists_the_unread_notifications_once_a_day(
    agency, editor, approver, manager, django_capture_on_commit_callbacks
):
    # given the approver chose the digest, and two posts wait for review
    email_choice_set(user_id=approver.pk, email=Email.DAILY)
    first = _submit(agency, editor, django_capture_on_commit_callbacks)
    second = _submit(agency, editor, django_capture_on_commit_callbacks)
    # then nothing was mailed to them as it happened (the manager got theirs)
    assert [message.to for message in mail.outbox] == [[manager.email]] * 2
    mail.outbox.clear()
    # when the hourly digest runs
    now = timezone.now()
    assert review_digests_send(now=now) == 1
    # then one email lists both, with their links
    [digest] = mail.outbox
    assert digest.to == [approver.email]
    assert "2 review notification(s)" in digest.subject
    assert first.title in digest.body and second.title in digest.body
    assert reverse("admin:cms_post_review", args=[first.pk]) in digest.body
    # and an hour later nothing more goes out, even with a new notification
    _submit(agency, editor, django_capture_on_commit_callbacks)
    mail.outbox.clear()
    assert review_digests_send(now=now + timedelta(hours=1)) == 0
    # but a day later the new one comes, and only it
    assert review_digests_send(now=now + timedelta(hours=24)) == 1
    assert mail.outbox[0].subject.endswith("1 review notification(s)")


def test_read_notifications_are_left_out_of_the_digest(
    agency, editor, approver, django_capture_on_commit_callbacks
):
    email_choice_set(user_id=approver.pk, email=Email.DAILY)
    _submit(agency, editor, django_capture_on_commit_callbacks)
    Notification.objects.update(read_at=timezone.now())
    mail.outbox.clear()
    assert review_digests_send(now=timezone.now()) == 0
    assert mail.outbox == []


def test_the_link_changes_the_setting_without_signing_in(approver):
    url = reverse("review_email_setting", args=[email_setting_token(approver.pk)])
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(url)
    assert page.status_code == 200
    assert approver.email in page.content.decode()
    token = page.cookies["csrftoken"].value
    saved = browser.post(url, {"email": Email.DAILY, "csrfmiddlewaretoken": token})
    assert "Saved." in saved.content.decode()
    assert email_choice_of(approver.pk) == Email.DAILY


def test_the_setting_page_refuses_a_forged_token_and_a_post_without_csrf(approver):
    forged = email_setting_token(approver.pk)[:-2] + "xx"
    assert (
        Client().get(reverse("review_email_setting", args=[forged])).status_code == 404
    )
    url = reverse("review_email_setting", args=[email_setting_token(approver.pk)])
    refused = Client(enforce_csrf_checks=True).post(url, {"email": Email.OFF})
    assert refused.status_code == 403
    assert email_choice_of(approver.pk) == Email.EACH


def test_a_mail_clients_one_click_unsubscribe_stops_the_emails(approver):
    url = reverse("review_email_one_click", args=[email_setting_token(approver.pk)])
    answer = Client(enforce_csrf_checks=True).post(
        url,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert answer.status_code == 200
    assert email_choice_of(approver.pk) == Email.OFF


def test_the_waiting_page_shows_the_choice_and_links_to_it(client, approver):
    client.force_login(approver)
    body = client.get(reverse("admin:cms_post_review_inbox")).content.decode()
    assert "Emails: Each one as it happens." in body
    assert (
        reverse("review_email_setting", args=[email_setting_token(approver.pk)]) in body
    )
