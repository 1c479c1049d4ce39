"""Review emails, as each user chose (``NotificationSetting``): each
notification as it happens (the default), at most one digest a day of the
unread ones, or none; the admin's notification list has them all either way.

Every email carries a signed link where its reader changes that without
signing in, and the one-click unsubscribe headers mail clients show as an
"Unsubscribe" button (``List-Unsubscribe`` with ``List-Unsubscribe-Post``,
RFC 8058). The link holds the user's id, signed with ``SECRET_KEY``; it does
not expire, as unsubscribe links must keep working.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.urls import reverse

from cms.review.models import Notification, NotificationSetting

Email = NotificationSetting.Email
DIGEST_EVERY = timedelta(hours=24)
_SALT = "postdeck.review.email-setting"


def email_setting_token(user_id: int) -> str:
    """The signed token of ``user_id``'s email-setting link."""
    return signing.Signer(salt=_SALT).sign(str(user_id))


def email_setting_user_id(token: str) -> int | None:
    """The user id a token was signed for; None when it was not signed by us."""
    try:
        return int(signing.Signer(salt=_SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        return None


def email_setting_url(user_id: int, *, one_click: bool = False) -> str:
    """Absolute URL of the page (or, ``one_click``, the RFC 8058 endpoint)
    where ``user_id``'s reader changes their review emails."""
    name = "review_email_one_click" if one_click else "review_email_setting"
    return settings.BASE_URL + reverse(name, args=[email_setting_token(user_id)])


def email_choice_of(user_id: int) -> str:
    """``user_id``'s ``NotificationSetting.Email`` (EACH without a row)."""
    found = NotificationSetting.objects.filter(user_id=user_id).values_list(
        "email", flat=True
    )
    return next(iter(found), Email.EACH)


def email_choice_set(*, user_id: int, email: str) -> None:
    """Save ``user_id``'s choice (a ``NotificationSetting.Email`` value).
    Raises ``ValueError`` for any other value."""
    if email not in Email.values:
        raise ValueError(f"Unknown email choice {email!r}.")
    NotificationSetting.objects.update_or_create(
        user_id=user_id, defaults={"email": email}
    )


def _message(user: Any, subject: str, body: str) -> EmailMessage:
    page = email_setting_url(user.pk)
    return EmailMessage(
        subject=subject,
        body=f"{body}\n\n--\nChange or stop these emails: {page}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{email_setting_url(user.pk, one_click=True)}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )


def _send_on_commit(messages: list[EmailMessage]) -> None:
    if messages:
        transaction.on_commit(partial(_send, messages))


def _send(messages: list[EmailMessage]) -> None:
    get_connection(fail_silently=False).send_messages(messages)


def notification_emails_send(users: Iterable[Any], message: str, link: str) -> None:
    """Email ``message`` (with ``link``) now to those of ``users`` who want
    each notification, once the transaction commits. Users without an email
    address, or who chose a digest or no emails, get none now."""
    users = [user for user in users if user.email]
    chosen = dict(
        NotificationSetting.objects.filter(
            user_id__in=[user.pk for user in users]
        ).values_list("user_id", "email")
    )
    _send_on_commit(
        [
            _message(user, f"[Postdeck] {message[:150]}", f"{message}\n\n{link}")
            for user in users
            if chosen.get(user.pk, Email.EACH) == Email.EACH
        ]
    )


@dataclass(frozen=True, slots=True)
class _Line:
    message: str
    link: str


def review_digests_send(*, now: datetime) -> int:
    """Send each digest that is due: to every user who chose the daily digest,
    whose last one is at least 24 h old (or who has had none), and who has
    unread notifications since then (at most the last 24 h). Returns how many
    were sent. Three queries and one email connection, however many users."""
    due = list(
        NotificationSetting.objects.filter(email=Email.DAILY)
        .exclude(digest_sent_at__gt=now - DIGEST_EVERY)
        .exclude(user__email="")
        .filter(user__is_active=True)
        .select_related("user")
    )
    if not due:
        return 0
    since = {
        setting.user_id: max(
            setting.digest_sent_at or now - DIGEST_EVERY, now - DIGEST_EVERY
        )
        for setting in due
    }
    lines: dict[int, list[_Line]] = {}
    for note in (
        Notification.objects.filter(
            user_id__in=list(since),
            read_at__isnull=True,
            created_at__gt=now - DIGEST_EVERY,
        )
        .order_by("created_at", "pk")
        .only("user_id", "post_id", "message", "created_at")
    ):
        if note.created_at > since[note.user_id]:
            lines.setdefault(note.user_id, []).append(
                _Line(note.message, _review_link(note.post_id))
            )
    sent = [setting for setting in due if setting.user_id in lines]
    messages = [
        _message(
            setting.user,
            f"[Postdeck] {len(lines[setting.user_id])} review notification(s)",
            "\n\n".join(
                f"{line.message}\n{line.link}" for line in lines[setting.user_id]
            ),
        )
        for setting in sent
    ]
    if messages:
        # Sent before it is recorded: a failed send is tried again next hour.
        _send(messages)
        NotificationSetting.objects.filter(
            pk__in=[setting.pk for setting in sent]
        ).update(digest_sent_at=now)
    return len(messages)


def _review_link(post_id: int | None) -> str:
    if post_id is None:
        return settings.BASE_URL + reverse("admin:cms_post_review_inbox")
    return settings.BASE_URL + reverse("admin:cms_post_review", args=[post_id])
