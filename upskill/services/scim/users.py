"""SCIM Users are people: create, replace, patch and delete (a leaver, history kept)."""

from __future__ import annotations

from dataclasses import dataclass

from auditlog.models import LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from upskill import cache
from upskill.models import EXTERNAL_KEY_LENGTH, JobRole, Person, ScimConnection, Team
from upskill.scim import (
    ENTERPRISE,
    GENERATED_PREFIXES,
    UNASSIGNED_ROLE,
    ScimError,
    attribute_key,
    invalid,
    patch_apply,
    user_representation,
)
from upskill.services.provisioning_hooks import people_provisioned_notify
from upskill.services.scim.provisioning import _audit, _generated_key, _text, _unassigned_team


def _boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"  # older Entra sends "False"
    raise invalid("active must be true or false.")


@dataclass
class _UserFields:
    user_name: str
    employee_id: str | None
    given_name: str
    family_name: str
    email: str
    active: bool
    title: str
    manager_ref: str | None  # a SCIM id (our person pk) or an employee id; "" = none


def _user_fields(body: dict) -> _UserFields:
    if not isinstance(body, dict):
        raise invalid("The body must be a JSON object.", "invalidSyntax")
    User = get_user_model()
    lookup = {key.lower(): value for key, value in body.items()}
    user_name = _text(lookup.get("username"), "userName", 150, required=True)
    name = lookup.get("name") or {}
    if not isinstance(name, dict):
        raise invalid("name must be an object.")
    name = {key.lower(): value for key, value in name.items()}
    emails = lookup.get("emails") or []
    if not isinstance(emails, list) or not all(isinstance(e, dict) for e in emails):
        raise invalid("emails must be a list of objects.")
    primary = next((e for e in emails if e.get("primary") is True), emails[0] if emails else {})
    email = _text(primary.get("value"), "emails.value", User._meta.get_field("email").max_length)
    if not email and "@" in user_name:
        email = user_name
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise invalid(f"{email!r} is not an email address.") from None
    enterprise = lookup.get(ENTERPRISE.lower()) or {}
    if not isinstance(enterprise, dict):
        raise invalid("The enterprise extension must be an object.")
    enterprise = {key.lower(): value for key, value in enterprise.items()}
    employee_id = _text(lookup.get("externalid"), "externalId", EXTERNAL_KEY_LENGTH) or _text(
        enterprise.get("employeenumber"), "employeeNumber", EXTERNAL_KEY_LENGTH
    )
    manager = enterprise.get("manager")
    if isinstance(manager, dict):
        value, ref = (
            manager.get(attribute_key(manager, "value")),
            manager.get(attribute_key(manager, "$ref")),
        )
        if ref and not (isinstance(value, str) and value.isdigit()):
            value = str(ref).rstrip("/").rsplit("/", 1)[-1]  # the user the reference names
        manager = value
    manager_ref = None if manager is None else _text(manager, "manager.value", 200)
    return _UserFields(
        user_name=user_name,
        employee_id=employee_id or None,
        given_name=_text(name.get("givenname"), "name.givenName", 150),
        family_name=_text(name.get("familyname"), "name.familyName", 150),
        email=email,
        active=_boolean(lookup.get("active", True)),
        title=_text(lookup.get("title"), "title", JobRole._meta.get_field("name").max_length),
        manager_ref=manager_ref,
    )


def _manager(ref: str | None, *, person: Person | None) -> Person | None:
    if not ref:
        return None
    query = Person.objects.filter(deprovisioned_at__isnull=True)
    manager = (query.filter(pk=int(ref)).first() if ref.isdigit() else None) or query.filter(
        employee_id=ref
    ).first()
    if manager is None:
        raise invalid(f"manager {ref!r} is not a known user.")
    if person is not None:
        seen, current = {person.pk}, manager
        while current is not None:
            if current.pk in seen:
                raise invalid("That manager would make a manager cycle.")
            seen.add(current.pk)
            current = current.manager
    return manager


def _check_unique(fields: _UserFields, *, person: Person | None) -> None:
    User = get_user_model()
    others = User.objects.exclude(pk=person.user_id) if person else User.objects.all()
    if others.filter(username__iexact=fields.user_name).exists():
        raise ScimError(409, f"userName {fields.user_name!r} is taken.", "uniqueness")
    if fields.email and others.filter(email__iexact=fields.email).exists():
        raise ScimError(409, f"The email {fields.email!r} belongs to another user.", "uniqueness")
    if fields.employee_id:
        people = Person.objects.exclude(pk=person.pk) if person else Person.objects.all()
        if people.filter(employee_id=fields.employee_id).exists():
            raise ScimError(409, f"externalId {fields.employee_id!r} is taken.", "uniqueness")


def _write_user(person: Person | None, fields: _UserFields, *, connection) -> tuple[Person, bool]:
    """Create or replace; returns the person and whether their team or role is new."""
    User = get_user_model()
    if (
        person is not None
        and fields.employee_id
        and fields.employee_id != person.employee_id
        and not person.employee_id.startswith(GENERATED_PREFIXES)
    ):
        raise ScimError(
            400, "externalId is the immutable employee id; it cannot change.", "mutability"
        )
    _check_unique(fields, person=person)
    role_name = fields.title or UNASSIGNED_ROLE  # a replace without a title clears it
    role, _ = JobRole.objects.get_or_create(name=role_name)
    today = timezone.localdate()
    if person is None:
        user = User.objects.create(
            username=fields.user_name,
            email=fields.email,
            first_name=fields.given_name,
            last_name=fields.family_name,
            is_active=fields.active,
            password=make_password(None),
        )
        person = Person.objects.create(
            user=user,
            employee_id=fields.employee_id or _generated_key(),
            team=_unassigned_team(),
            job_role=role,
            joined_on=today,
            left_on=None if fields.active else today,
        )
        person.manager = _manager(fields.manager_ref, person=person)
        person.save(update_fields=["manager"])
        _audit(person, action=LogEntry.Action.CREATE, connection=connection, what="Provisioned")
        return person, True
    user = person.user
    was_active = user.is_active
    user.username, user.email = fields.user_name, fields.email
    user.first_name, user.last_name = fields.given_name, fields.family_name
    user.is_active = fields.active
    user.save(update_fields=["username", "email", "first_name", "last_name", "is_active"])
    new_role = role.pk != person.job_role_id
    person.job_role = role
    if fields.employee_id:
        person.employee_id = fields.employee_id
    if fields.manager_ref is not None or person.manager_id:
        person.manager = _manager(fields.manager_ref, person=person)
    if not fields.active and was_active:
        person.left_on = today
        Team.leaders.through.objects.filter(user_id=user.pk).delete()
    elif fields.active:
        person.left_on = None
    person.deprovisioned_at = None
    person.save()
    what = "Deactivated (leaver)" if was_active and not fields.active else "Updated"
    _audit(person, action=LogEntry.Action.UPDATE, connection=connection, what=what)
    return person, new_role or (fields.active and not was_active)


def _resurrectable(fields: _UserFields) -> Person | None:
    """A person DELETEd earlier, provisioned again: the same person comes back."""
    query = Person.objects.select_related("user", "job_role", "team").filter(
        deprovisioned_at__isnull=False
    )
    if fields.employee_id:
        return query.filter(employee_id=fields.employee_id).first()
    return query.filter(user__username__iexact=fields.user_name).first()


@transaction.atomic
def scim_user_create(*, connection: ScimConnection, body: dict) -> Person:
    fields = _user_fields(body)
    person, provisioned = _write_user(_resurrectable(fields), fields, connection=connection)
    if provisioned and fields.active:
        people_provisioned_notify(person_ids=[person.pk])
    cache.inputs_changed(cache.ORGANISATION)
    return person


@transaction.atomic
def scim_user_replace(*, connection: ScimConnection, person: Person, body: dict) -> Person:
    person, provisioned = _write_user(person, _user_fields(body), connection=connection)
    if provisioned and person.user.is_active:
        people_provisioned_notify(person_ids=[person.pk])
    cache.inputs_changed(cache.ORGANISATION)
    return person


def scim_user_patch(*, connection: ScimConnection, person: Person, body: dict) -> Person:
    operations = (
        (body or {}).get(attribute_key(body or {}, "Operations"))
        if isinstance(body, dict)
        else None
    )
    for operation in operations if isinstance(operations, list) else []:
        if (
            isinstance(operation, dict)
            and str(operation.get(attribute_key(operation, "op"), "")).lower() == "remove"
            and str(operation.get(attribute_key(operation, "path"), "")).lower() == "externalid"
            and not person.employee_id.startswith(GENERATED_PREFIXES)
        ):
            raise ScimError(
                400, "externalId is the immutable employee id; it cannot be removed.", "mutability"
            )
    patched = patch_apply(user_representation(person), operations)
    return scim_user_replace(connection=connection, person=person, body=patched)


@transaction.atomic
def scim_user_delete(*, connection: ScimConnection, person: Person) -> None:
    """A leaver (history kept) whom SCIM no longer shows."""
    user = person.user
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        person.left_on = timezone.localdate()
        Team.leaders.through.objects.filter(user_id=user.pk).delete()
    person.deprovisioned_at = timezone.now()
    person.save(update_fields=["left_on", "deprovisioned_at"])
    _audit(person, action=LogEntry.Action.UPDATE, connection=connection, what="Deleted (leaver)")
    cache.inputs_changed(cache.ORGANISATION)
