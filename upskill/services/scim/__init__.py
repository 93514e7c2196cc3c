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

Parts: `connections` (bearer tokens), `users`, `groups`, and `provisioning` (what the two
share). The protocol itself (representations, PATCH, discovery, the SCIM error) is
`upskill.scim`; its error, ScimError, is re-exported here because every write raises it.
Callers import from `upskill.services`.
"""

from upskill.scim import ScimError
from upskill.services.scim.connections import (
    TOKEN_PREFIX,
    CreatedToken,
    scim_connection_authenticate,
    scim_connection_create,
    scim_connection_revoke,
)
from upskill.services.scim.groups import (
    is_ld_admin_group,
    scim_group_create,
    scim_group_delete,
    scim_group_patch,
    scim_group_replace,
)
from upskill.services.scim.provisioning import (
    UNASSIGNED_TEAM_ID,
    UNASSIGNED_TEAM_NAME,
)
from upskill.services.scim.users import (
    scim_user_create,
    scim_user_delete,
    scim_user_patch,
    scim_user_replace,
)

__all__ = [
    "TOKEN_PREFIX",
    "UNASSIGNED_TEAM_ID",
    "UNASSIGNED_TEAM_NAME",
    "CreatedToken",
    "ScimError",
    "is_ld_admin_group",
    "scim_connection_authenticate",
    "scim_connection_create",
    "scim_connection_revoke",
    "scim_group_create",
    "scim_group_delete",
    "scim_group_patch",
    "scim_group_replace",
    "scim_user_create",
    "scim_user_delete",
    "scim_user_patch",
    "scim_user_replace",
]
