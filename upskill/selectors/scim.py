"""SCIM reads: one user or group, and pages of them with `filter`, `startIndex` and
`count` (RFC 7644 §3.4.2). A page of users is two queries (the count, and the page
with user, team, job role joined), whatever the number of users; a page of groups adds
one query for all of its members."""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q, QuerySet

from upskill.access import LD_ADMINS_GROUP
from upskill.models import Person, Team
from upskill.scim import LD_ADMIN_GROUP_ID, ScimError, invalid
from upskill.services import UNASSIGNED_TEAM_ID, is_ld_admin_group

_FILTER = re.compile(
    r'^\s*(?P<attr>[\w.:$-]+)\s+(?P<op>eq|sw|co)\s+"(?P<value>(?:[^"\\]|\\.)*)"\s*$', re.I
)
USER_FILTERS = {
    "username": "user__username",
    "externalid": "employee_id",
    "emails.value": "user__email",
    "emails": "user__email",
    "id": "pk",
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:user:employeenumber": "employee_id",
}
GROUP_FILTERS = {"displayname": "name", "externalid": "external_id", "id": "pk"}


@dataclass(frozen=True)
class ScimPage:
    total: int
    start_index: int
    items: list


def scim_filter_parse(text: str, fields: dict[str, str]) -> Q:
    """`attr eq "value"` (also sw, co), case-insensitive as RFC 7643 has userName."""
    text = re.sub(
        r'^emails\[value eq ("[^"]*")\]$', r"emails.value eq \1", text.strip(), flags=re.I
    )
    match = _FILTER.match(text)
    if not match:
        raise ScimError(
            400, f'Cannot read the filter {text!r}; use attribute eq "value".', "invalidFilter"
        )
    attribute = match["attr"].lower()
    if attribute not in fields:
        raise ScimError(400, f"Filtering on {match['attr']} is not supported.", "invalidFilter")
    value = match["value"].replace('\\"', '"')
    field = fields[attribute]
    if field == "pk":
        return Q(pk=int(value)) if value.isdigit() else Q(pk__in=[])
    lookup = {"eq": "iexact", "sw": "istartswith", "co": "icontains"}[match["op"].lower()]
    return Q(**{f"{field}__{lookup}": value})


def _paging(start_index: str | None, count: str | None) -> tuple[int, int]:
    try:
        start = max(1, int(start_index or 1))
        size = int(count) if count not in (None, "") else 100
    except ValueError:
        raise invalid("startIndex and count must be integers.") from None
    return start, max(0, min(size, settings.SCIM_MAX_PAGE_SIZE))


def _users() -> QuerySet[Person]:
    return Person.objects.filter(deprovisioned_at__isnull=True).select_related(
        "user", "team", "job_role"
    )


def scim_user_get(pk: str) -> Person:
    person = _users().filter(pk=int(pk)).first() if pk.isdigit() else None
    if person is None:
        raise ScimError(404, f"User {pk} not found.")
    return person


def scim_users_page(*, filter_text: str | None, start_index=None, count=None) -> ScimPage:
    start, size = _paging(start_index, count)
    query = _users()
    if filter_text:
        query = query.filter(scim_filter_parse(filter_text, USER_FILTERS))
    total = query.count()
    items = list(query.order_by("pk")[start - 1 : start - 1 + size]) if size else []
    return ScimPage(total=total, start_index=start, items=items)


def _teams() -> QuerySet[Team]:
    return Team.objects.filter(removed_on__isnull=True).exclude(external_id=UNASSIGNED_TEAM_ID)


def scim_team_get(pk: str) -> Team | None:
    """The team with that SCIM id, or None for the L&D admins group."""
    if pk == LD_ADMIN_GROUP_ID:
        return None
    team = _teams().filter(pk=int(pk)).first() if pk.isdigit() else None
    if team is None:
        raise ScimError(404, f"Group {pk} not found.")
    return team


def scim_group_members(team_ids: list[int], *, ld_admins: bool) -> dict:
    """Members of the given teams (and of the L&D admins group), in one query each."""
    members: dict = {team_id: [] for team_id in team_ids}
    for pk, team_id in (
        Person.objects.filter(team_id__in=team_ids, deprovisioned_at__isnull=True)
        .values_list("pk", "team_id")
        .order_by("pk")
    ):
        members[team_id].append({"value": str(pk)})
    if ld_admins:
        members[LD_ADMIN_GROUP_ID] = [
            {"value": str(pk)}
            for pk in Person.objects.filter(
                user__groups__name=LD_ADMINS_GROUP, deprovisioned_at__isnull=True
            )
            .values_list("pk", flat=True)
            .order_by("pk")
        ]
    return members


def scim_groups_page(*, filter_text: str | None, start_index=None, count=None) -> ScimPage:
    """Teams, then the L&D admins group (listed last: it is not a team)."""
    start, size = _paging(start_index, count)
    query = _teams()
    include_admins = True
    if filter_text:
        condition = scim_filter_parse(filter_text, GROUP_FILTERS)
        query = query.filter(condition)
        match = _FILTER.match(filter_text)
        include_admins = (
            match is not None
            and match["attr"].lower() == "displayname"
            and match["op"].lower() == "eq"
            and is_ld_admin_group(match["value"])
        ) or (
            match is not None
            and match["attr"].lower() == "id"
            and match["value"] == LD_ADMIN_GROUP_ID
        )
    total = query.count() + (1 if include_admins else 0)
    teams = list(query.order_by("pk")[start - 1 : start - 1 + size]) if size else []
    items: list = list(teams)
    if include_admins and size and start - 1 + size >= total and len(items) < size:
        items.append(None)  # the L&D admins group
    return ScimPage(total=total, start_index=start, items=items)
