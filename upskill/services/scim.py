"""The organisation from an identity provider over SCIM 2.0 (RFC 7643/7644): writes.

Users are people, keyed on `externalId` = `Person.employee_id` (the enterprise
extension's `employeeNumber` when there is no externalId; a generated `scim-…` id when
there is neither); `userName` is the username, `emails` the email, `title` the job
role. Groups are teams; the group named settings.SCIM_LD_ADMIN_GROUP is instead the
"L&D admins" access group. A person is in exactly one team, so adding them to a group
moves them there, and removing them from their team's group moves them to the
"Not yet in a team" team until the next group says where they belong.

`active: false` (Okta, Entra's soft delete) makes the person a leaver, exactly as HR sync
does: the user is deactivated, the Person and its history stay; `active: true` brings
them back. DELETE does the same and also hides the user from SCIM (a 404 after), as the
RFC asks; a later POST with the same externalId or userName brings the same person back.

A PATCH is applied to the resource's SCIM representation (add / replace / remove,
case-insensitive op names — Entra sends "Replace" — with attribute paths, URN-prefixed
extension paths and value filters such as `members[value eq "42"]`), and the result is
written like a PUT: one code path for every change. Every change is audited (a
django-auditlog entry naming the connection); joiners and movers go through the
provisioning hooks, so standing pathway rules apply in the same request.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import uuid
from dataclasses import dataclass

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from upskill.access import LD_ADMINS_GROUP
from upskill.models import EXTERNAL_KEY_LENGTH, JobRole, Person, ScimConnection, Team
from upskill.services.provisioning_hooks import people_provisioned_notify

TOKEN_PREFIX = "ups_"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
UNASSIGNED_TEAM_ID = "scim-unassigned"
UNASSIGNED_TEAM_NAME = "Not yet in a team"
UNASSIGNED_ROLE = "Not yet assigned"
LD_ADMIN_GROUP_ID = "ld-admins"
# Keys Upskill made up (no externalId was given): never shown to a client as its own.
GENERATED_PREFIXES = ("scim-", "unkeyed-")


class ScimError(Exception):
    """A SCIM error response: status, scimType (RFC 7644 §3.12) and a detail."""

    def __init__(self, status: int, detail: str, scim_type: str | None = None):
        super().__init__(detail)
        self.status, self.detail, self.scim_type = status, detail, scim_type


def invalid(detail: str, scim_type: str = "invalidValue") -> ScimError:
    return ScimError(400, detail, scim_type)


# --- Tokens -----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedToken:
    connection: ScimConnection
    token: str  # shown once, never stored


def scim_connection_create(*, name: str, created_by) -> CreatedToken:
    """A new identity-provider connection with a random bearer token; only its SHA-256
    and first characters are stored."""
    name = name.strip()
    if not name:
        raise ValidationError("Name the connection, e.g. the identity provider that will use it.")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    connection = ScimConnection(
        name=name, prefix=token[:12], token_hash=_token_hash(token), created_by=created_by
    )
    connection.full_clean()
    connection.save()
    return CreatedToken(connection=connection, token=token)


def scim_connection_revoke(*, connection: ScimConnection) -> ScimConnection:
    """Stop a token working at once; revoking twice keeps the first time."""
    ScimConnection.objects.filter(pk=connection.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    connection.refresh_from_db()
    return connection


def scim_connection_authenticate(*, authorization: str) -> ScimConnection | None:
    """The live connection of an `Authorization: Bearer <token>` header, or None."""
    scheme, _, token = (authorization or "").strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token or len(token) > 200:
        return None
    connection = ScimConnection.objects.filter(
        token_hash=_token_hash(token), revoked_at__isnull=True
    ).first()
    if connection is not None:
        ScimConnection.objects.filter(pk=connection.pk).update(last_used_at=timezone.now())
    return connection


# --- Representations (what PATCH edits and GET returns) ---------------------------------


def user_representation(person: Person, *, location: str = "", manager_location: str = "") -> dict:
    user = person.user
    enterprise = {"employeeNumber": person.employee_id, "department": person.team.name}
    if person.manager_id:
        enterprise["manager"] = {"value": str(person.manager_id), "$ref": manager_location}
    body = {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "id": str(person.pk),
        "userName": user.username,
        "displayName": person.display_name,
        "active": user.is_active,
        ENTERPRISE: enterprise,
        "meta": {"resourceType": "User", "location": location},
    }
    if not person.employee_id.startswith(GENERATED_PREFIXES):
        body["externalId"] = person.employee_id
    name = {"givenName": user.first_name, "familyName": user.last_name}
    if any(name.values()):
        body["name"] = {key: value for key, value in name.items() if value}
    if person.job_role.name != UNASSIGNED_ROLE:
        body["title"] = person.job_role.name
    if user.email:
        body["emails"] = [{"value": user.email, "type": "work", "primary": True}]
    return body


def group_representation(
    *, group_id: str, name: str, external_id: str | None, members: list[dict], location: str = ""
) -> dict:
    body = {
        "schemas": [GROUP_SCHEMA],
        "id": group_id,
        "displayName": name,
        "members": members,
        "meta": {"resourceType": "Group", "location": location},
    }
    if external_id and not external_id.startswith(GENERATED_PREFIXES):
        body["externalId"] = external_id
    return body


# --- PATCH on a representation ----------------------------------------------------------

_FILTERED = re.compile(
    r'^(?P<attr>[\w$]+)\[(?P<key>[\w$.]+)\s+eq\s+"(?P<value>[^"]*)"\](?:\.(?P<sub>[\w$]+))?$', re.I
)


def _key(mapping: dict, name: str) -> str:
    """The key of `mapping` that is `name` case-insensitively (SCIM names are)."""
    for key in mapping:
        if key.lower() == name.lower():
            return key
    return name


def _merge(target: dict, values: dict, *, op: str) -> None:
    for name, value in values.items():
        if name.lower().startswith("urn:") and ":" in name and isinstance(value, dict):
            extension = target.setdefault(_key(target, name), {})
            _merge(extension, value, op=op)
            continue
        if name.lower().startswith(ENTERPRISE.lower() + ":"):
            extension = target.setdefault(ENTERPRISE, {})
            _set(extension, name[len(ENTERPRISE) + 1 :], value, op=op)
            continue
        _set(target, name, value, op=op)


def _set(target: dict, path: str, value, *, op: str) -> None:
    if "." in path and "[" not in path:
        head, _, rest = path.partition(".")
        child = target.setdefault(_key(target, head), {})
        if isinstance(child, list):  # emails.value: the primary (first) element
            child = child[0] if child else child.append({}) or child[0]
        _set(child, rest, value, op=op)
        return
    key = _key(target, path)
    current = target.get(key)
    if op == "add" and isinstance(current, list):
        additions = value if isinstance(value, list) else [value]
        for item in additions:
            if item not in current:
                current.append(item)
    elif op == "add" and isinstance(current, dict) and isinstance(value, dict):
        current.update(value)
    else:
        target[key] = value


def patch_apply(representation: dict, operations: list) -> dict:
    """RFC 7644 §3.5.2 on a copy of `representation`: add, replace and remove."""
    import copy

    result = copy.deepcopy(representation)
    if not isinstance(operations, list) or not operations:
        raise invalid("Operations must be a non-empty list.", "invalidSyntax")
    for operation in operations:
        if not isinstance(operation, dict):
            raise invalid("Each operation must be an object.", "invalidSyntax")
        op = str(operation.get(_key(operation, "op"), "")).lower()
        path = operation.get(_key(operation, "path"))
        value = operation.get(_key(operation, "value"))
        if op not in ("add", "replace", "remove"):
            raise invalid(f"Unknown operation {op!r}: use add, replace or remove.", "invalidSyntax")
        if path is not None and not isinstance(path, str):
            raise invalid("path must be a string.", "invalidPath")
        if not path:
            if op == "remove":
                raise invalid("remove needs a path.", "noTarget")
            if not isinstance(value, dict):
                raise invalid("Without a path, value must be an object.", "invalidSyntax")
            _merge(result, value, op=op)
            continue
        target, path = result, path.strip()
        if path.lower() == ENTERPRISE.lower():
            if op == "remove":
                result.pop(ENTERPRISE, None)
            elif isinstance(value, dict):
                _merge(result.setdefault(ENTERPRISE, {}), value, op=op)
            else:
                raise invalid("The extension's value must be an object.", "invalidValue")
            continue
        if path.lower().startswith(ENTERPRISE.lower() + ":"):
            target = result.setdefault(ENTERPRISE, {})
            path = path[len(ENTERPRISE) + 1 :]
        elif path.lower().startswith(USER_SCHEMA.lower() + ":") or path.lower().startswith(
            GROUP_SCHEMA.lower() + ":"
        ):
            path = path.split(":")[-1]
        filtered = _FILTERED.match(path)
        if filtered:
            items = target.setdefault(_key(target, filtered["attr"]), [])
            if not isinstance(items, list):
                raise invalid(f"{filtered['attr']} is not multi-valued.", "invalidPath")
            matching = [
                item
                for item in items
                if isinstance(item, dict)
                and str(item.get(_key(item, filtered["key"]), "")).lower()
                == filtered["value"].lower()
            ]
            if op == "remove" and not filtered["sub"]:
                target[_key(target, filtered["attr"])] = [i for i in items if i not in matching]
            elif filtered["sub"]:
                if not matching:
                    if op == "remove":
                        continue
                    matching = [{filtered["key"]: filtered["value"]}]
                    items.append(matching[0])
                for item in matching:
                    if op == "remove":
                        item.pop(_key(item, filtered["sub"]), None)
                    else:
                        item[_key(item, filtered["sub"])] = value
            else:
                raise invalid(
                    "A filtered path needs a sub-attribute to add or replace.", "invalidPath"
                )
            continue
        if not re.fullmatch(r"[\w$]+(\.[\w$]+)?", path):
            raise invalid(f"Cannot read the path {path!r}.", "invalidPath")
        if op == "remove":
            head, _, rest = path.partition(".")
            key = _key(target, head)
            if rest and isinstance(target.get(key), dict):
                target[key].pop(_key(target[key], rest), None)
            elif isinstance(target.get(key), list) and value is not None:
                removals = value if isinstance(value, list) else [value]
                ids = {str(v.get("value")) for v in removals if isinstance(v, dict)}
                target[key] = [i for i in target[key] if str(i.get("value")) not in ids]
            else:
                target.pop(key, None)
        else:
            _set(target, path, value, op=op)
    return result


# --- Users ------------------------------------------------------------------------------


def _text(value, name: str, limit: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise invalid(f"{name} must be a string.")
    value = str(value).strip()
    if required and not value:
        raise invalid(f"{name} is required.")
    if len(value) > limit:
        raise invalid(f"{name} is longer than {limit} characters.")
    return value


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
        value, ref = manager.get(_key(manager, "value")), manager.get(_key(manager, "$ref"))
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


def _audit(instance, *, action: int, connection: ScimConnection, what: str) -> None:
    LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=action,
        changes={"SCIM": ["", f"{what} by {connection.name}"]},
        actor=None,
    )


def _unassigned_team() -> Team:
    team, _ = Team.objects.get_or_create(
        external_id=UNASSIGNED_TEAM_ID,
        defaults={"name": UNASSIGNED_TEAM_NAME, "slug": _unique_slug(UNASSIGNED_TEAM_NAME)},
    )
    return team


def _unique_slug(name: str) -> str:
    base = (slugify(name) or "team")[:70]
    slug, n = base, 2
    while Team.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


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
            employee_id=fields.employee_id or f"scim-{uuid.uuid4().hex[:16]}",
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
    return person


@transaction.atomic
def scim_user_replace(*, connection: ScimConnection, person: Person, body: dict) -> Person:
    person, provisioned = _write_user(person, _user_fields(body), connection=connection)
    if provisioned and person.user.is_active:
        people_provisioned_notify(person_ids=[person.pk])
    return person


def scim_user_patch(*, connection: ScimConnection, person: Person, body: dict) -> Person:
    operations = (
        (body or {}).get(_key(body or {}, "Operations")) if isinstance(body, dict) else None
    )
    for operation in operations if isinstance(operations, list) else []:
        if (
            isinstance(operation, dict)
            and str(operation.get(_key(operation, "op"), "")).lower() == "remove"
            and str(operation.get(_key(operation, "path"), "")).lower() == "externalid"
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


# --- Groups -----------------------------------------------------------------------------


def _member_ids(members) -> list[int]:
    if members is None:
        return []
    if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
        raise invalid("members must be a list of objects.")
    ids = []
    for member in members:
        value = member.get(_key(member, "value"))
        ref = member.get(_key(member, "$ref"))
        for candidate in (value, str(ref).rstrip("/").rsplit("/", 1)[-1] if ref else None):
            if candidate is not None and str(candidate).isdigit():
                ids.append(int(candidate))
                break
        else:
            raise invalid(f"member {value!r} is not a known user.")
    known = set(
        Person.objects.filter(pk__in=ids, deprovisioned_at__isnull=True).values_list(
            "pk", flat=True
        )
    )
    unknown = sorted(set(ids) - known)
    if unknown:
        raise invalid(f"member {unknown[0]} is not a known user.")
    return sorted(set(ids))


def _group_fields(body: dict) -> tuple[str, str | None, list[int]]:
    if not isinstance(body, dict):
        raise invalid("The body must be a JSON object.", "invalidSyntax")
    lookup = {key.lower(): value for key, value in body.items()}
    name = _text(
        lookup.get("displayname"),
        "displayName",
        Team._meta.get_field("name").max_length,
        required=True,
    )
    external_id = _text(lookup.get("externalid"), "externalId", EXTERNAL_KEY_LENGTH) or None
    return name, external_id, _member_ids(lookup.get("members"))


def is_ld_admin_group(name: str) -> bool:
    return name.strip().lower() == settings.SCIM_LD_ADMIN_GROUP.strip().lower()


def _set_team_members(team: Team, member_ids: list[int]) -> list[int]:
    """Move the given people into `team`; its other members go to the unassigned team."""
    current = set(team.members.filter(deprovisioned_at__isnull=True).values_list("pk", flat=True))
    wanted = set(member_ids)
    leaving = current - wanted
    if leaving:
        Person.objects.filter(pk__in=leaving).update(team=_unassigned_team())
    joining = sorted(wanted - current)
    if joining:
        Person.objects.filter(pk__in=joining).update(team=team)
    return joining


def _set_admins(member_ids: list[int]) -> None:
    group = Group.objects.get(name=LD_ADMINS_GROUP)
    Through = get_user_model().groups.through
    person_users = Person.objects.values_list("user_id", flat=True)
    wanted = set(Person.objects.filter(pk__in=member_ids).values_list("user_id", flat=True))
    Through.objects.filter(group=group, user_id__in=person_users).exclude(
        user_id__in=wanted
    ).delete()
    Through.objects.bulk_create(
        [Through(group_id=group.pk, user_id=user_id) for user_id in wanted], ignore_conflicts=True
    )


@transaction.atomic
def scim_group_create(*, connection: ScimConnection, body: dict) -> Team | None:
    """A team (None: the L&D admins group, which always exists)."""
    name, external_id, member_ids = _group_fields(body)
    if is_ld_admin_group(name):
        _set_admins(member_ids)
        _audit(
            Group.objects.get(name=LD_ADMINS_GROUP),
            action=LogEntry.Action.UPDATE,
            connection=connection,
            what="Members set",
        )
        return None
    if external_id and Team.objects.filter(external_id=external_id).exists():
        raise ScimError(409, f"externalId {external_id!r} is taken.", "uniqueness")
    live = Team.objects.filter(removed_on__isnull=True).exclude(external_id=UNASSIGNED_TEAM_ID)
    if live.filter(name__iexact=name).exists():
        raise ScimError(409, f"A team named {name!r} exists already.", "uniqueness")
    team = Team.objects.create(
        name=name,
        slug=_unique_slug(name),
        external_id=external_id or f"scim-{uuid.uuid4().hex[:16]}",
    )
    people_provisioned_notify(person_ids=_set_team_members(team, member_ids))
    _audit(team, action=LogEntry.Action.CREATE, connection=connection, what="Group created")
    return team


@transaction.atomic
def scim_group_replace(*, connection: ScimConnection, team: Team | None, body: dict) -> Team | None:
    name, external_id, member_ids = _group_fields(body)
    if team is None:
        _set_admins(member_ids)
        _audit(
            Group.objects.get(name=LD_ADMINS_GROUP),
            action=LogEntry.Action.UPDATE,
            connection=connection,
            what="Members set",
        )
        return None
    if external_id and external_id != team.external_id:
        if Team.objects.exclude(pk=team.pk).filter(external_id=external_id).exists():
            raise ScimError(409, f"externalId {external_id!r} is taken.", "uniqueness")
        team.external_id = external_id
    elif not external_id and not team.external_id.startswith(GENERATED_PREFIXES):
        team.external_id = f"scim-{uuid.uuid4().hex[:16]}"  # the client removed it
    team.name = name
    team.save(update_fields=["name", "external_id"])
    people_provisioned_notify(person_ids=_set_team_members(team, member_ids))
    _audit(team, action=LogEntry.Action.UPDATE, connection=connection, what="Group updated")
    return team


def scim_group_patch(
    *, connection: ScimConnection, team: Team | None, representation: dict, body: dict
) -> Team | None:
    operations = body.get(_key(body, "Operations")) if isinstance(body, dict) else None
    patched = patch_apply(representation, operations)
    return scim_group_replace(connection=connection, team=team, body=patched)


@transaction.atomic
def scim_group_delete(*, connection: ScimConnection, team: Team | None) -> None:
    """A deleted group's team is removed like a team a full HR sync no longer lists:
    kept for history, emptied (its people go to the unassigned team) and leaderless."""
    if team is None:
        _set_admins([])
        return
    _set_team_members(team, [])
    team.leaders.clear()
    team.removed_on = timezone.localdate()
    team.save(update_fields=["removed_on"])
    _audit(team, action=LogEntry.Action.DELETE, connection=connection, what="Group deleted")
