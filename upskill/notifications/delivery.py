"""Emailing notifications: never lost, never sent twice.

A notification starts `pending`. A sender claims rows with a conditional UPDATE
(`pending` -> `sending`, stamped with its own claim token), so two workers can never
claim the same row; it sends, then marks each message's rows `sent` at once. A failed
send puts its rows back to `pending` (the task retries with back-off, and the beat
catch-up re-sends anything still pending — e.g. after a broker outage, when no task was
ever queued). A worker that died mid-send leaves `sending` rows; after STALE_CLAIM they
are pending again. (That is the one case where a person may get an email twice: SMTP
accepted it, then the worker died before marking it. Losing it would be worse.)

Quiet by default: review outcomes go at once, one email each; every other kind waits for
the person's one batched email a day (the day in their time zone), which lists all that
is waiting — so a reviewer gets at most one email a day listing every submission waiting.
Kinds a person turned off, leavers and people without an address are never emailed
(`skipped`); the bell still shows what is theirs."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from upskill.models import Notification, NotificationPreference
from upskill.notifications.due import local_date, zone_named
from upskill.notifications.preferences import IMMEDIATE_KINDS
from upskill.notifications.tokens import unsubscribe_token

logger = logging.getLogger(__name__)

Email = Notification.Email
STALE_CLAIM = dt.timedelta(minutes=10)
RECIPIENTS_PER_BATCH = 500


class EmailDeliveryFailed(Exception):
    """Some messages could not be sent; their notifications are pending again."""


@dataclass
class DeliveryResult:
    emails_sent: int = 0
    notifications_sent: int = 0
    skipped: int = 0
    failed: int = 0
    waiting: int = 0  # batched kinds held for tomorrow's email
    recipients: list[str] = field(default_factory=list)


@dataclass
class _Message:
    user: object
    rows: list[Notification]
    batched: bool
    previous_batch_day: dt.date | None = None


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def release_stale_claims(*, now: dt.datetime) -> int:
    return Notification.objects.filter(
        email=Email.SENDING, email_claimed_at__lt=now - STALE_CLAIM
    ).update(email=Email.PENDING, email_claim="")


def notification_emails_send(
    *, recipient_ids: list[int] | None = None, now: dt.datetime | None = None
) -> DeliveryResult:
    """Email what is due (for the given recipients, or everyone): the task queued after
    each notification is created, and the beat catch-up, call this. Safe to run at any
    time and on several workers at once."""
    now = now or timezone.now()
    result = DeliveryResult()
    release_stale_claims(now=now)
    pending = Notification.objects.filter(email=Email.PENDING)
    if recipient_ids is not None:
        pending = pending.filter(recipient_id__in=recipient_ids)
    due_recipients = sorted(set(pending.values_list("recipient_id", flat=True)))
    for start in range(0, len(due_recipients), RECIPIENTS_PER_BATCH):
        _send_batch(due_recipients[start : start + RECIPIENTS_PER_BATCH], now, result)
    if result.failed:
        raise EmailDeliveryFailed(f"{result.failed} emails failed; they stay pending")
    return result


def _claim(recipient_ids: list[int], now: dt.datetime, result: DeliveryResult) -> list[_Message]:
    """In one transaction: skip what must never be emailed, take today's batch slot of
    each person whose slot is free (locked rows are another worker's: skipped), and claim
    the rows to send. A constant number of queries per batch of recipients."""
    users = {
        user.pk: user
        for user in get_user_model()
        .objects.filter(pk__in=recipient_ids)
        .only("pk", "email", "is_active", "first_name", "last_name", "username")
    }
    NotificationPreference.objects.bulk_create(
        [NotificationPreference(user_id=pk) for pk in recipient_ids], ignore_conflicts=True
    )
    token = uuid.uuid4().hex
    messages: list[_Message] = []
    with transaction.atomic():
        preferences = {
            p.user_id: p
            for p in NotificationPreference.objects.select_for_update(skip_locked=True).filter(
                user_id__in=recipient_ids
            )
        }
        rows = list(
            Notification.objects.filter(
                recipient_id__in=list(preferences), email=Email.PENDING
            ).order_by("created_at", "pk")
        )
        skip, claim, slot_taken = [], [], []
        by_user: dict[int, list[Notification]] = defaultdict(list)
        for row in rows:
            user, preference = users.get(row.recipient_id), preferences[row.recipient_id]
            never = (
                user is None
                or not user.is_active
                or not user.email
                or row.kind in preference.email_off
                or (row.kind == Notification.Kind.DIGEST and not preference.digest)
            )
            if never:
                skip.append(row.pk)
            else:
                by_user[row.recipient_id].append(row)
        for user_id, user_rows in by_user.items():
            preference = preferences[user_id]
            today = local_date(now, zone_named(preference.time_zone))
            for row in user_rows:
                if row.kind in IMMEDIATE_KINDS:
                    messages.append(_Message(user=users[user_id], rows=[row], batched=False))
            batch = [row for row in user_rows if row.kind not in IMMEDIATE_KINDS]
            if batch and preference.batch_sent_on != today:
                messages.append(
                    _Message(
                        user=users[user_id],
                        rows=batch,
                        batched=True,
                        previous_batch_day=preference.batch_sent_on,
                    )
                )
                slot_taken.append(user_id)
            else:
                result.waiting += len(batch)
        claim = [row.pk for message in messages for row in message.rows]
        if skip:
            Notification.objects.filter(pk__in=skip, email=Email.PENDING).update(
                email=Email.SKIPPED
            )
            result.skipped += len(skip)
        if claim:
            Notification.objects.filter(pk__in=claim, email=Email.PENDING).update(
                email=Email.SENDING, email_claim=token, email_claimed_at=now
            )
        if slot_taken:
            for user_id in slot_taken:  # each person's own date (time zones differ)
                preferences[user_id].batch_sent_on = local_date(
                    now, zone_named(preferences[user_id].time_zone)
                )
            NotificationPreference.objects.bulk_update(
                [preferences[u] for u in slot_taken], ["batch_sent_on"]
            )
    # Only rows this claim won (the conditional UPDATE) are sent.
    won = set(
        Notification.objects.filter(email_claim=token, email=Email.SENDING).values_list(
            "pk", flat=True
        )
    )
    for message in messages:
        message.rows = [row for row in message.rows if row.pk in won]
    return [message for message in messages if message.rows]


def _send_batch(recipient_ids: list[int], now: dt.datetime, result: DeliveryResult) -> None:
    messages = _claim(recipient_ids, now, result)
    if not messages:
        return
    connection = get_connection()
    try:
        connection.open()
    except Exception:
        logger.warning("Could not reach the mail server; %d emails stay pending", len(messages))
        for message in messages:
            _release(message)
        result.failed += len(messages)
        return
    try:
        for message in messages:
            email = build_email(message.user, message.rows, batched=message.batched)
            try:
                connection.send_messages([email])
            except Exception as exc:
                # The exception's class only: its text may quote the message.
                logger.warning(
                    "Sending a notification email to user #%s failed (%s); it stays pending",
                    message.user.pk,
                    type(exc).__name__,
                )
                _release(message)
                result.failed += 1
                continue
            Notification.objects.filter(pk__in=[row.pk for row in message.rows]).update(
                email=Email.SENT, email_sent_at=timezone.now(), email_claim=""
            )
            result.emails_sent += 1
            result.notifications_sent += len(message.rows)
            result.recipients.append(message.user.email)
    finally:
        connection.close()


def _release(message: _Message) -> None:
    Notification.objects.filter(pk__in=[row.pk for row in message.rows]).update(
        email=Email.PENDING, email_claim="", email_attempts=F("email_attempts") + 1
    )
    if message.batched:  # the day's slot was not used after all
        NotificationPreference.objects.filter(user_id=message.user.pk).update(
            batch_sent_on=message.previous_batch_day
        )


def build_email(user, rows: list[Notification], *, batched: bool) -> EmailMultiAlternatives:
    """One email (plain text and HTML from templates) listing `rows`, each with a link to
    the page that acts on it, and RFC 8058 one-click unsubscribe headers for its kinds."""
    kinds = sorted({row.kind for row in rows})
    token = unsubscribe_token(user_id=user.pk, kinds=kinds)
    unsubscribe_url = absolute(reverse("notifications:unsubscribe", args=[token]))
    items = [
        {
            "subject": row.subject,
            "body": row.body,
            "url": absolute(row.url),
            "kind": row.get_kind_display(),
            "stop_url": absolute(
                reverse(
                    "notifications:unsubscribe",
                    args=[unsubscribe_token(user_id=user.pk, kinds=[row.kind])],
                )
            ),
        }
        for row in rows
    ]
    if len(rows) == 1:
        subject = rows[0].subject
    else:
        subject = f"{len(rows)} things waiting for you in Upskill"
    context = {
        "name": user.get_full_name() or user.get_username(),
        "items": items,
        "batched": batched,
        "preferences_url": absolute(reverse("notifications:preferences")),
        "unsubscribe_url": unsubscribe_url,
        "notifications_url": absolute(reverse("notifications:list")),
    }
    email = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("upskill/notifications/email/notifications.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[user.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Auto-Submitted": "auto-generated",
        },
    )
    email.attach_alternative(
        render_to_string("upskill/notifications/email/notifications.html", context), "text/html"
    )
    return email
