"""Users and groups as SCIM shows them (RFC 7643): what GET returns and PATCH edits.

A person is a User with the enterprise extension (employeeNumber is the immutable
employee id, department the team); a team, or the L&D admins access group, is a Group.
"""

from __future__ import annotations

from upskill.models import Person

ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
UNASSIGNED_ROLE = "Not yet assigned"
LD_ADMIN_GROUP_ID = "ld-admins"
# Keys Upskill made up (no externalId was given): never shown to a client as its own.
GENERATED_PREFIXES = ("scim-", "unkeyed-")
# Set by Upskill from the person's key and team: shown when asked for (`attributes=`).
RETURNED_ON_REQUEST = {"employeeNumber", "department"}


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


def representation_project(document: dict, parameters) -> dict:
    """RFC 7644 §3.9 `attributes` / `excludedAttributes` (top-level and extension
    attributes) as `parameters` (the query string, or a search body's) ask; id, schemas
    and meta are always returned."""
    wanted = [a.strip() for a in str(parameters.get("attributes") or "").split(",") if a.strip()]
    excluded = [
        a.strip().lower()
        for a in str(parameters.get("excludedAttributes") or "").split(",")
        if a.strip()
    ]
    extension = document.get(ENTERPRISE)
    if isinstance(extension, dict):
        named = {a.lower().rsplit(":", 1)[-1] for a in wanted}
        for name in list(RETURNED_ON_REQUEST):
            if name.lower() not in named:
                extension.pop(name, None)
        if not extension:
            document.pop(ENTERPRISE)
            document["schemas"] = [s for s in document["schemas"] if s != ENTERPRISE]
    if wanted:
        keep = {a.split(".")[0].lower() for a in wanted} | {"id", "schemas", "meta"}
        keep |= {ENTERPRISE.lower()} if any(":" in a for a in wanted) else set()
        document = {k: v for k, v in document.items() if k.lower() in keep}
    for name in excluded:
        if name not in ("id", "schemas", "meta"):
            document = {k: v for k, v in document.items() if k.lower() != name}
    return document
