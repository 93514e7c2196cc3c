"""The in-app notification centre: the bell's unread count, the list, mark read."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone

from upskill.models import Notification

LIST_LIMIT = 50


def unread_count(*, user_id: int) -> int:
    return Notification.objects.filter(recipient_id=user_id, read_at__isnull=True).count()


def notifications_recent(*, user_id: int, limit: int = LIST_LIMIT) -> QuerySet[Notification]:
    """The user's latest notifications, newest first (one query)."""
    return Notification.objects.filter(recipient_id=user_id).only(
        "pk", "kind", "subject", "body", "url", "created_at", "read_at"
    )[:limit]


def notifications_mark_read(*, user_id: int, pk: int | None = None) -> int:
    """Mark one of the user's notifications (or all of them) read. Someone else's id
    changes nothing: the filter is on the recipient."""
    query = Notification.objects.filter(recipient_id=user_id, read_at__isnull=True)
    if pk is not None:
        query = query.filter(pk=pk)
    return query.update(read_at=timezone.now())
