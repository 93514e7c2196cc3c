"""What SCIM's user and group writes share: reading a text attribute, the audit entry
naming the connection, the team people wait in until a group places them."""

from __future__ import annotations

import uuid

from auditlog.models import LogEntry
from django.utils.text import slugify

from upskill.models import ScimConnection, Team
from upskill.scim import invalid

UNASSIGNED_TEAM_ID = "scim-unassigned"
UNASSIGNED_TEAM_NAME = "Not yet in a team"


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


def _generated_key() -> str:
    """A key for a user or group the client gave no externalId (see GENERATED_PREFIXES)."""
    return f"scim-{uuid.uuid4().hex[:16]}"


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
