"""Creating notifications: each event once, by its key, for active people only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Model

from upskill.models import Notification


@dataclass(frozen=True)
class NotificationDraft:
    """One notification to create. `key` names the event (e.g. "overdue:12:2025-03-01:1")
    so that whoever creates it again — a re-run, a redelivered task, a second worker —
    creates nothing. `body` says what happened in a sentence; it never quotes evidence
    or pulse answers. `url` is the path of the page that acts on it."""

    recipient_id: int
    kind: str
    key: str
    subject: str
    url: str
    body: str = ""


def notifications_create(*, drafts: Iterable[NotificationDraft]) -> int:
    """Create the drafts whose key is new, for active recipients, and queue their email.
    Returns how many were created. Two queries and one bulk insert, however many drafts:
    safe to call with thousands (a pulse opening for the whole organisation).

    Leavers (inactive users) get nothing. A key created concurrently by another worker is
    skipped by the unique constraint (ignore_conflicts), never duplicated."""
    from upskill import enqueue

    drafts = {draft.key: draft for draft in drafts}  # the same event twice in one call
    if not drafts:
        return 0
    active = set(
        get_user_model()
        .objects.filter(pk__in={d.recipient_id for d in drafts.values()}, is_active=True)
        .values_list("pk", flat=True)
    )
    new = rows_insert_new(
        Notification,
        [
            Notification(
                recipient_id=draft.recipient_id,
                kind=draft.kind,
                key=key[:200],
                subject=draft.subject[:200],
                body=draft.body,
                url=draft.url[:500],
            )
            for key, draft in drafts.items()
            if draft.recipient_id in active
        ],
    )
    if new:
        enqueue.notification_emails_send(recipient_ids=sorted({n.recipient_id for n in new}))
    return len(new)


def rows_insert_new(model: type[Model], rows: list[Model]) -> list[Model]:
    """Insert the rows whose event key (`model.key`, unique) is not there yet, and return
    them: one query for the existing keys, one bulk insert, however many rows. A key
    inserted meanwhile by another worker is skipped by the unique constraint
    (ignore_conflicts), never duplicated. Notifications and team chat posts share it."""
    rows_by_key = {row.key: row for row in rows}
    if not rows_by_key:
        return []
    existing = set(model.objects.filter(key__in=list(rows_by_key)).values_list("key", flat=True))
    new = [row for key, row in rows_by_key.items() if key not in existing]
    if new:
        model.objects.bulk_create(new, ignore_conflicts=True, batch_size=1000)
    return new


def notification_create(
    *, recipient_id: int, kind: str, key: str, subject: str, url: str, body: str = ""
) -> bool:
    """One notification; True when it was new."""
    draft = NotificationDraft(
        recipient_id=recipient_id, kind=kind, key=key, subject=subject, url=url, body=body
    )
    return notifications_create(drafts=[draft]) == 1
