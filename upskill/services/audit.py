"""The audit trail's writes: one entry per user action, naming people and objects.

django-auditlog writes an entry for every tracked row a save, delete or many-to-many
change touches, so one action a user sees as one (create a pathway with its products,
duplicate it, change a RACI row, an import, an HR sync) became several entries, with
foreign keys as ids and reverse relations as `AlignmentAnswer.None`. Here an *action*
groups them:

- `audit_action()` opens one: every entry written inside it carries the action's
  correlation id (auditlog's `cid`, read through AUDITLOG_CID_GETTER = `action_cid`),
  and when it ends they become ONE entry about the action's subject, its changes merged
  and stated by name (people by full name, choices by their labels, times in the site's
  time zone to the minute; other objects are already named, as auditlog writes a
  reference as its object's name: AUDITLOG_USE_FK_STRING_REPRESENTATION), with a
  one-line summary. Every request
  is an action (upskill.middleware.AuditActionMiddleware); a service doing several
  writes, or running in a job, opens its own, which nests inside the request's.
- `audit_record()` writes an entry of the service's own (an import run's outcome, an HR
  sync, a reorder), for changes that are not one tracked row's save.

Nothing is lost by the merge: the merged entry holds every changed field of its subject,
and the other objects created, deleted or changed, by name (the first MAX_LISTED)."""

from __future__ import annotations

import contextlib
import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection, models, transaction
from django.utils import timezone

MAX_LISTED = 20  # other objects named in a merged entry; the rest are counted
MOMENT_FORMAT = "%Y-%m-%d %H:%M"  # how the trail writes a time: the site's zone, no seconds
_VERBS = {LogEntry.Action.CREATE: "created", LogEntry.Action.DELETE: "deleted"}


def moment_text(moment: dt.datetime) -> str:
    """A time as the audit trail shows it: the site's time zone, to the minute."""
    return timezone.localtime(moment).strftime(MOMENT_FORMAT)


def person_label(user) -> str:
    """A user by name (full name, else username)."""
    return user.get_full_name().strip() or user.get_username()


@dataclass
class AuditAction:
    cid: str
    subject: models.Model | None = None
    summary: str = ""
    action: int | None = None
    actor: object | None = None
    used: bool = False
    subject_pk: object = None  # kept when described: a deleted subject's pk becomes None

    def __post_init__(self) -> None:
        if self.subject is not None:
            self.subject_pk = self.subject.pk

    def describe(
        self, *, subject: models.Model | None = None, summary: str = "", action=None
    ) -> None:
        """Name what the action was about and say it in a line (else the subject is the
        first object written and the summary is derived)."""
        if subject is not None:
            self.subject, self.subject_pk = subject, subject.pk
        self.summary = summary or self.summary
        self.action = self.action if action is None else action


_current: ContextVar[AuditAction | None] = ContextVar("upskill_audit_action", default=None)


def action_cid() -> str | None:
    """AUDITLOG_CID_GETTER: auditlog asks it for the correlation id of each entry it is
    about to write; the current action's (which so knows it has entries to merge)."""
    current = _current.get()
    if current is None:
        return None
    current.used = True
    return current.cid


def audit_describe(*, subject: models.Model | None = None, summary: str = "", action=None) -> None:
    """Describe the current action (AuditAction.describe), from inside a service that
    runs in one (`@audit_action()`); outside any action, nothing to describe."""
    current = _current.get()
    if current is not None:
        current.describe(subject=subject, summary=summary, action=action)


@contextmanager
def audit_action(
    *, subject: models.Model | None = None, summary: str = "", action=None, actor=None
) -> Iterator[AuditAction]:
    """Everything written to the audit trail inside becomes one entry (see the module).
    Use it inside the transaction of the writes, so the entry commits with them. If the
    block raises, its entries are left as written (a rolled-back transaction takes them
    with it)."""
    current = AuditAction(
        cid=f"action:{uuid.uuid4().hex}", subject=subject, summary=summary, action=action,
        actor=actor,
    )  # fmt: skip
    token = _current.set(current)
    try:
        yield current
    finally:
        _current.reset(token)
    if current.used:
        _settle(current)


def audit_record(
    instance: models.Model,
    *,
    summary: str,
    action: int = LogEntry.Action.UPDATE,
    changes: dict | None = None,
    actor=None,
    object_repr: str = "",
) -> LogEntry:
    """One entry of a service's own about `instance` (merged into the current action,
    if any). `changes` as auditlog stores them: {field or label: [old, new]}. Without an
    actor the request's user is recorded, if there is one."""
    entry = LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=action,
        changes=changes or {},
        actor=actor,
        # PostgreSQL's jsonb keeps no key order: the order the changes are read in is kept.
        additional_data={"summary": summary, "merged": 1, "order": list(changes or {})},
        **({"object_repr": object_repr} if object_repr else {}),
    )
    return entry


def changes_in_order(entry: LogEntry) -> list[tuple[str, object]]:
    """An entry's changes in the order they are read: as merged (kept beside them, since
    PostgreSQL's jsonb keeps no key order), else the model's field order, then the rest."""
    changes = entry.changes if isinstance(entry.changes, dict) else {}
    order = entry.additional_data.get("order") if isinstance(entry.additional_data, dict) else None
    if not order:
        model = entry.content_type.model_class()
        order = [field.name for field in model._meta.get_fields()] if model else []
    rank = {name: n for n, name in enumerate(order)}
    return sorted(changes.items(), key=lambda item: (rank.get(item[0], len(rank)), item[0]))


def _is_final(entry: LogEntry) -> bool:
    return isinstance(entry.additional_data, dict) and "merged" in entry.additional_data


def _settle(current: AuditAction) -> None:
    children = list(
        LogEntry.objects.filter(cid=current.cid).select_related("content_type", "actor")
    )
    if not children:
        return  # written and rolled back
    children.sort(key=lambda entry: entry.pk)
    parent_cid = action_cid()  # the enclosing action's, now that this one has ended
    if len(children) == 1 and _is_final(children[0]) and not (current.subject or current.summary):
        if parent_cid:
            LogEntry.objects.filter(pk=children[0].pk).update(cid=parent_cid)
        return
    fields = _merged(children, current)
    fields["cid"] = parent_cid
    if len(children) == 1:
        LogEntry.objects.filter(pk=children[0].pk).update(**fields)
        return
    # The merged entry replaces its parts together: inside the writes' transaction when
    # there is one (a service's action), else in its own (the request's, after the view).
    with contextlib.nullcontext() if connection.in_atomic_block else transaction.atomic():
        LogEntry.objects.create(**fields, remote_addr=children[0].remote_addr)
        LogEntry.objects.filter(pk__in=[child.pk for child in children]).delete()


# --- Merging and naming ---------------------------------------------------------------


def _field(model, name: str):
    try:
        return model._meta.get_field(name) if model else None
    except Exception:  # FieldDoesNotExist, or a key that is a label, not a field
        return None


def is_noise(model, name: str) -> bool:
    """A key auditlog records that says nothing to a reader: a reverse relation (shown
    as `AlignmentAnswer.None`), the primary key, a time set automatically."""
    field = _field(model, name)
    if field is None:
        return False
    if not field.concrete:
        return not field.many_to_many
    if field.primary_key:
        return True
    return isinstance(field, models.DateTimeField) and (field.auto_now or field.auto_now_add)


def _people_names(children: list[LogEntry]) -> dict[str, str]:
    """The names of the people raw entries refer to. auditlog writes every reference
    as its object's name (AUDITLOG_USE_FK_STRING_REPRESENTATION), which for a user is
    the username; the fields that hold a person are declared beside the tracked models
    (AUDIT_PEOPLE_FIELDS). One query, whatever the number of entries."""
    usernames = set()
    for entry in children:
        if _is_final(entry) or not isinstance(entry.changes, dict):
            continue
        for name in _people_fields(entry.content_type.model_class()):
            values = entry.changes.get(name)
            if isinstance(values, list | tuple):
                usernames.update(value for value in values if isinstance(value, str) and value)
    if not usernames:
        return {}
    return {
        user.get_username(): person_label(user)
        for user in get_user_model().objects.filter(username__in=usernames)
    }


def _people_fields(model) -> tuple[str, ...]:
    return tuple(settings.AUDIT_PEOPLE_FIELDS.get(model._meta.label, ())) if model else ()


def _value_text(field, value, people: dict[str, str]) -> object:
    if value is None or field is None:
        return value
    if field.name in _people_fields(field.model):
        return people.get(value, value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "yes" if value in (True, "True") else "no"
    if isinstance(field, models.DateTimeField) and isinstance(value, str):
        try:
            moment = dt.datetime.fromisoformat(value)
        except ValueError:
            return value
        if timezone.is_naive(moment):
            moment = moment.replace(tzinfo=dt.UTC)  # auditlog writes UTC, naive
        return moment_text(moment)
    return value


def humanised(entry: LogEntry, people: dict[str, str]) -> dict:
    """A raw entry's changes by name: noise dropped, people named (`people`: username to
    name), choices labelled, times in the site's zone to the minute. (auditlog already
    wrote the other objects referred to by their names.)"""
    if not isinstance(entry.changes, dict):
        return {}
    if _is_final(entry):
        return dict(changes_in_order(entry))
    model = entry.content_type.model_class()
    result = {}
    for name, values in changes_in_order(entry):
        if is_noise(model, name):
            continue
        field = _field(model, name)
        if isinstance(values, list | tuple) and len(values) == 2:
            result[name] = [_value_text(field, value, people) for value in values]
        else:
            result[name] = values
    return result


def what(entry: LogEntry) -> str:
    """An entry's one line: its summary, else its action, kind and object by name."""
    if isinstance(entry.additional_data, dict) and entry.additional_data.get("summary"):
        return entry.additional_data["summary"]
    model = entry.content_type.model_class()
    label = model._meta.verbose_name if model else entry.content_type.model
    verb = {
        LogEntry.Action.CREATE: "Created",
        LogEntry.Action.DELETE: "Deleted",
    }.get(entry.action, "Changed")
    return f"{verb} {label} “{entry.object_repr}”"


def _merged(children: list[LogEntry], current: AuditAction) -> dict:
    people = _people_names(children)
    if current.subject is not None:
        subject_type = ContentType.objects.get_for_model(current.subject)
        subject_key = (subject_type.pk, str(current.subject_pk))
    elif current.summary:
        # An action said in a line but about no one object (seeding the demo): every
        # object it wrote is listed, none of them stands for it.
        subject_type, subject_key = children[0].content_type, None
    else:
        # A service's own entry (audit_record) says what the action was; else the
        # first object written stands for it.
        first = next((child for child in children if _is_final(child)), children[0])
        subject_type, subject_key = first.content_type, (first.content_type_id, first.object_pk)
    changes: dict = {}
    others: dict[str, list[str]] = defaultdict(list)
    notes: list[str] = []
    own = [c for c in children if (c.content_type_id, c.object_pk) == subject_key]
    for child in children:
        child_changes = humanised(child, people)
        if (child.content_type_id, child.object_pk) == subject_key:
            for name, values in child_changes.items():
                earlier = changes.get(name)
                if isinstance(earlier, list) and isinstance(values, list | tuple):
                    changes[name] = [earlier[0], values[1]]
                elif isinstance(earlier, dict) and isinstance(values, dict):
                    earlier_objects = earlier.get("objects", [])
                    changes[name] = {
                        **values,
                        "objects": [*earlier_objects, *values.get("objects", [])],
                    }
                else:
                    changes[name] = list(values) if isinstance(values, tuple) else values
        elif _is_final(child):
            notes.append(what(child))
        else:
            model = child.content_type.model_class()
            kind = model._meta.verbose_name_plural if model else child.content_type.model
            verb = _VERBS.get(child.action, "changed")
            if verb == "changed":
                for name, values in child_changes.items():
                    field = _field(model, name)
                    label = field.verbose_name if field is not None else name
                    if isinstance(values, list) and len(others["changed"]) < MAX_LISTED:
                        others["changed"].append(
                            f"{child.object_repr}: {label} {values[0]} → {values[1]}"
                        )
            else:
                others[f"{verb} {kind}"].append(child.object_repr)
    for heading, names in others.items():
        changes[heading] = {"type": "objects", "objects": names[:MAX_LISTED], "count": len(names)}
    if notes:
        changes["also"] = {"type": "notes", "objects": notes[:MAX_LISTED], "count": len(notes)}
    lead = own[0] if own else None
    action = current.action
    if action is None:
        action = lead.action if lead is not None else LogEntry.Action.UPDATE
    if current.subject is not None:
        object_fields = {
            "content_type": subject_type,
            "object_pk": str(current.subject_pk),
            "object_id": current.subject_pk if isinstance(current.subject_pk, int) else None,
            "object_repr": (lead.object_repr if lead is not None else str(current.subject)),
        }
    else:
        stand_in = lead or children[0]
        object_fields = {
            "content_type_id": stand_in.content_type_id,
            "object_pk": stand_in.object_pk,
            "object_id": stand_in.object_id,
            "object_repr": stand_in.object_repr,
        }
    own_final = next((child for child in own if _is_final(child)), None)
    summary = current.summary
    if not summary:
        summary = what(own_final or lead) if (own_final or lead) is not None else ""
    actor = current.actor or next((c.actor for c in children if c.actor_id), None)
    return {
        **object_fields,
        "action": action,
        "changes": changes,
        "actor": actor,
        "actor_email": getattr(actor, "email", None),
        "additional_data": {"summary": summary, "merged": len(children), "order": list(changes)},
    }
