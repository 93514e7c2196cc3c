"""Reads for the organisation core.

- `team_sizes`: how many people each team has (the privacy rule's denominator);
- `audit_page`: the audit trail L&D admins browse (its kinds are in upskill.audit), one
  kind at a time, filtered and paginated: two queries a page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from auditlog.models import LogEntry
from axes.models import AccessFailureLog, AccessLog
from django.core.paginator import Page, Paginator
from django.db.models import Count, Q
from django.utils import timezone

from upskill.models import AccessDenial, Person, SignInEvent

PAGE_SIZE = 50
ACTIONS = dict(LogEntry.Action.choices)
VALUE_PREVIEW = 80


def team_sizes(team_ids) -> dict[int, int]:
    """People per team, for the teams given (a team with nobody is absent). One query."""
    return dict(
        Person.objects.filter(team_id__in=team_ids)
        .values("team_id")
        .annotate(n=Count("id"))
        .order_by()  # Person's default ordering would join auth_user for nothing
        .values_list("team_id", "n")
    )


@dataclass(frozen=True)
class AuditRow:
    when: datetime
    who: str
    what: str
    detail: str


def _bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tzinfo=tz) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz) if until else None
    return start, end


def _short(value) -> str:
    text = "—" if value in (None, "", "None") else str(value)
    return text if len(text) <= VALUE_PREVIEW else text[: VALUE_PREVIEW - 1] + "…"


def _change_row(entry: LogEntry) -> AuditRow:
    changes = entry.changes_dict if isinstance(entry.changes_dict, dict) else {}
    parts = []
    for field, values in sorted(changes.items()):
        if isinstance(values, dict):  # many-to-many: {"type": ..., "objects": [...]}
            parts.append(
                f"{field}: {values.get('type', 'changed')} {_short(values.get('objects'))}"
            )
        elif isinstance(values, list | tuple) and len(values) == 2:
            parts.append(f"{field}: {_short(values[0])} → {_short(values[1])}")
    model = entry.content_type.model_class()
    label = model._meta.verbose_name if model else entry.content_type.model
    return AuditRow(
        when=entry.timestamp,
        who=entry.actor.get_username() if entry.actor else "system",
        what=f"{ACTIONS.get(entry.action, 'changed').capitalize()} {label} “{entry.object_repr}”",
        detail="; ".join(parts),
    )


def _sign_in_event_row(event: SignInEvent) -> AuditRow:
    parts = (
        event.identity if event.user else "",
        event.reason,
        f"from {event.remote_addr}" if event.remote_addr else "",
    )
    return AuditRow(
        when=event.created_at,
        who=event.user.get_username() if event.user else (event.identity or "—"),
        what=event.get_kind_display(),
        detail="; ".join(part for part in parts if part),
    )


def audit_page(
    *,
    kind: str,
    actor: str = "",
    since: date | None = None,
    until: date | None = None,
    page_number: int | str = 1,
) -> tuple[Page, list[AuditRow]]:
    start, end = _bounds(since, until)
    if kind == "changes":
        query = LogEntry.objects.select_related("actor", "content_type").order_by("-timestamp")
        if actor:
            query = query.filter(actor__username__icontains=actor)
        time_field = "timestamp"
    elif kind == "sign-ins":
        query = AccessLog.objects.order_by("-attempt_time")
        if actor:
            query = query.filter(username__icontains=actor)
        time_field = "attempt_time"
    elif kind == "failed-sign-ins":
        query = AccessFailureLog.objects.order_by("-attempt_time")
        if actor:
            query = query.filter(username__icontains=actor)
        time_field = "attempt_time"
    elif kind == "single-sign-on":
        query = SignInEvent.objects.select_related("user").order_by("-created_at")
        if actor:
            query = query.filter(Q(user__username__icontains=actor) | Q(identity__icontains=actor))
        time_field = "created_at"
    else:
        query = AccessDenial.objects.select_related("user").order_by("-created_at")
        if actor:
            query = query.filter(user__username__icontains=actor)
        time_field = "created_at"
    if start:
        query = query.filter(**{f"{time_field}__gte": start})
    if end:
        query = query.filter(**{f"{time_field}__lt": end})
    page = Paginator(query, PAGE_SIZE).get_page(page_number)
    if kind == "changes":
        rows = [_change_row(entry) for entry in page]
    elif kind == "sign-ins":
        rows = [
            AuditRow(
                when=log.attempt_time,
                who=log.username or "—",
                what="Signed in",
                detail=(
                    f"from {log.ip_address}; signed out {log.logout_time:%Y-%m-%d %H:%M}"
                    if log.logout_time
                    else f"from {log.ip_address}"
                ),
            )
            for log in page
        ]
    elif kind == "failed-sign-ins":
        rows = [
            AuditRow(
                when=log.attempt_time,
                who=log.username or "—",
                what="Failed sign-in" + (" — locked out" if log.locked_out else ""),
                detail=f"from {log.ip_address}",
            )
            for log in page
        ]
    elif kind == "single-sign-on":
        rows = [_sign_in_event_row(event) for event in page]
    else:
        rows = [
            AuditRow(
                when=denial.created_at,
                who=denial.user.get_username() if denial.user else "anonymous",
                what=f"Refused {denial.method}",
                detail=denial.path,
            )
            for denial in page
        ]
    return page, rows
