"""SCIM Groups are teams, except the group named settings.SCIM_LD_ADMIN_GROUP, which is
the "L&D admins" access group. A person is in exactly one team: joining a group moves
them there; leaving their team's group moves them to the unassigned team."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from upskill import cache
from upskill.access import LD_ADMINS_GROUP
from upskill.models import EXTERNAL_KEY_LENGTH, Person, ScimConnection, Team
from upskill.scim import GENERATED_PREFIXES, ScimError, attribute_key, invalid, patch_apply
from upskill.services.provisioning_hooks import people_provisioned_notify
from upskill.services.scim.provisioning import (
    UNASSIGNED_TEAM_ID,
    _audit,
    _generated_key,
    _text,
    _unassigned_team,
    _unique_slug,
)


def _member_ids(members) -> list[int]:
    if members is None:
        return []
    if not isinstance(members, list) or not all(isinstance(m, dict) for m in members):
        raise invalid("members must be a list of objects.")
    ids = []
    for member in members:
        value = member.get(attribute_key(member, "value"))
        ref = member.get(attribute_key(member, "$ref"))
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


def _admins_replace(member_ids: list[int], *, connection: ScimConnection) -> None:
    """The L&D admins group's members set (from a POST, PUT or PATCH), and audited."""
    _set_admins(member_ids)
    _audit(
        Group.objects.get(name=LD_ADMINS_GROUP),
        action=LogEntry.Action.UPDATE,
        connection=connection,
        what="Members set",
    )


@transaction.atomic
def scim_group_create(*, connection: ScimConnection, body: dict) -> Team | None:
    """A team (None: the L&D admins group, which always exists)."""
    name, external_id, member_ids = _group_fields(body)
    if is_ld_admin_group(name):
        _admins_replace(member_ids, connection=connection)
        return None
    if external_id and Team.objects.filter(external_id=external_id).exists():
        raise ScimError(409, f"externalId {external_id!r} is taken.", "uniqueness")
    live = Team.objects.filter(removed_on__isnull=True).exclude(external_id=UNASSIGNED_TEAM_ID)
    if live.filter(name__iexact=name).exists():
        raise ScimError(409, f"A team named {name!r} exists already.", "uniqueness")
    team = Team.objects.create(
        name=name,
        slug=_unique_slug(name),
        external_id=external_id or _generated_key(),
    )
    people_provisioned_notify(person_ids=_set_team_members(team, member_ids))
    _audit(team, action=LogEntry.Action.CREATE, connection=connection, what="Group created")
    cache.inputs_changed(cache.ORGANISATION)
    return team


@transaction.atomic
def scim_group_replace(*, connection: ScimConnection, team: Team | None, body: dict) -> Team | None:
    name, external_id, member_ids = _group_fields(body)
    if team is None:
        _admins_replace(member_ids, connection=connection)
        return None
    if external_id and external_id != team.external_id:
        if Team.objects.exclude(pk=team.pk).filter(external_id=external_id).exists():
            raise ScimError(409, f"externalId {external_id!r} is taken.", "uniqueness")
        team.external_id = external_id
    elif not external_id and not team.external_id.startswith(GENERATED_PREFIXES):
        team.external_id = _generated_key()  # the client removed it
    team.name = name
    team.save(update_fields=["name", "external_id"])
    people_provisioned_notify(person_ids=_set_team_members(team, member_ids))
    _audit(team, action=LogEntry.Action.UPDATE, connection=connection, what="Group updated")
    cache.inputs_changed(cache.ORGANISATION)
    return team


def scim_group_patch(
    *, connection: ScimConnection, team: Team | None, representation: dict, body: dict
) -> Team | None:
    operations = body.get(attribute_key(body, "Operations")) if isinstance(body, dict) else None
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
    cache.inputs_changed(cache.ORGANISATION)
