"""Reads for the organisation core.

- `team_sizes`: how many people each team has (the privacy rule's denominator);
- `audit_page`: the audit trail L&D admins browse (its kinds are in upskill.audit), one
  kind at a time, filtered and paginated: two queries a page (three for the sign-in
  logs, which hold usernames: their people's names in one more). People and objects
  are named as stored at write time (upskill.services.audit); times are the site's, to
  the minute (`moment_text`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from auditlog.models import LogEntry
from axes.models import AccessFailureLog, AccessLog
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import Count, DateTimeField, Q
from django.utils import timezone

from upskill.models import AccessDenial, Person, SignInEvent
from upskill.services.audit import changes_in_order, is_noise, moment_text, person_label, what

PAGE_SIZE = 50
ACTIONS = dict(LogEntry.Action.choices)
VALUE_PREVIEW = 80
OBJECTS_SHOWN = 5  # of the objects a merged entry lists per kind; the rest are counted


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

    @property
    def when_text(self) -> str:
        return moment_text(self.when)


def _bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    tz = timezone.get_current_timezone()
    start = datetime.combine(since, time.min, tzinfo=tz) if since else None
    end = datetime.combine(until + timedelta(days=1), time.min, tzinfo=tz) if until else None
    return start, end


def _short(value) -> str:
    text = "—" if value in (None, "", "None") else str(value)
    return text if len(text) <= VALUE_PREVIEW else text[: VALUE_PREVIEW - 1] + "…"


def _shown(field, value) -> str:
    """A stored value as the trail shows it. Entries written before names were stored
    at write time may hold a naive UTC time with seconds: shown like the others."""
    if isinstance(field, DateTimeField) and isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return _short(value)
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=UTC)
        return moment_text(moment)
    return _short(value)


def _change_text(model, action: int, name: str, values) -> str:
    if is_noise(model, name):
        return ""  # a reverse relation, the id, an automatic time (older entries)
    try:
        field = model._meta.get_field(name) if model else None
    except FieldDoesNotExist:
        field = None
    label = str(field.verbose_name) if field is not None else name
    if isinstance(values, dict):
        objects = [str(o) for o in values.get("objects") or []]
        if values.get("type") == "m2m":
            verb = "added" if values.get("operation") == "add" else "removed"
            return f"{label}: {verb} {_short(', '.join(objects))}"
        shown = objects[:OBJECTS_SHOWN]
        more = int(values.get("count") or len(objects)) - len(shown)
        listed = ", ".join(shown) + (f" and {more} more" if more > 0 else "")
        return listed if values.get("type") == "notes" else f"{label}: {listed}"
    if not (isinstance(values, list | tuple) and len(values) == 2):
        return ""
    old, new = values
    if action == LogEntry.Action.DELETE:
        return f"{label}: {_shown(field, old)}" if old not in (None, "") else ""
    if old in (None, "") or action == LogEntry.Action.CREATE:
        return f"{label}: {_shown(field, new)}" if new not in (None, "") else ""
    return f"{label}: {_shown(field, old)} → {_shown(field, new)}"


def _change_row(entry: LogEntry) -> AuditRow:
    model = entry.content_type.model_class()
    parts = (
        _change_text(model, entry.action, name, values) for name, values in changes_in_order(entry)
    )
    return AuditRow(
        when=entry.timestamp,
        who=person_label(entry.actor) if entry.actor else "system",
        what=what(entry),
        detail="; ".join(part for part in parts if part),
    )


def _sign_in_event_row(event: SignInEvent) -> AuditRow:
    parts = (
        event.identity if event.user else "",
        event.reason,
        f"from {event.remote_addr}" if event.remote_addr else "",
    )
    return AuditRow(
        when=event.created_at,
        who=person_label(event.user) if event.user else (event.identity or "—"),
        what=event.get_kind_display(),
        detail="; ".join(part for part in parts if part),
    )


def _names_of(usernames) -> dict[str, str]:
    """The people behind the usernames django-axes logged (as typed), by name: one
    query for a page. A username nobody has keeps its typed form."""
    wanted = {name for name in usernames if name}
    if not wanted:
        return {}
    return {
        user.get_username(): person_label(user)
        for user in get_user_model()
        .objects.filter(username__in=wanted)
        .only("username", "first_name", "last_name")
    }


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
            query = query.filter(
                Q(actor__username__icontains=actor)
                | Q(actor__first_name__icontains=actor)
                | Q(actor__last_name__icontains=actor)
            )
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
        names = _names_of(log.username for log in page)
        rows = [
            AuditRow(
                when=log.attempt_time,
                who=names.get(log.username) or log.username or "—",
                what="Signed in",
                detail=(
                    f"from {log.ip_address}; signed out {moment_text(log.logout_time)}"
                    if log.logout_time
                    else f"from {log.ip_address}"
                ),
            )
            for log in page
        ]
    elif kind == "failed-sign-ins":
        names = _names_of(log.username for log in page)
        rows = [
            AuditRow(
                when=log.attempt_time,
                who=names.get(log.username) or log.username or "—",
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
                who=person_label(denial.user) if denial.user else "anonymous",
                what=f"Refused {denial.method}",
                detail=denial.path,
            )
            for denial in page
        ]
    return page, rows
