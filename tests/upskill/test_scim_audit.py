"""Every SCIM change is audited: a create, a PATCH and a DELETE of a user (and a group's
creation) each leave an audit entry naming the identity-provider connection, and L&D
admins read them on /audit/."""

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from tests.upskill.test_scim import PATCH, entra_user
from tests.upskill.test_scim import scim as scim  # the fixture: a client with a bearer token
from upskill.models import Person, Team

pytestmark = pytest.mark.django_db


def scim_entries(model) -> list[str]:
    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model)
    ).order_by("pk")
    return [entry.changes_dict.get("SCIM", ["", ""])[1] for entry in entries]


def test_scim_create_patch_and_delete_are_audited_naming_the_connection(scim, client, ld_admin):
    created = scim("post", "Users", entra_user())
    assert created.status_code == 201, created.content
    user_id = created.json()["id"]
    patched = scim(
        "patch",
        f"Users/{user_id}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "Replace", "path": "title", "value": "Architect"}],
        },
    )
    assert patched.status_code == 200, patched.content
    assert scim("delete", f"Users/{user_id}").status_code == 204
    group = scim(
        "post",
        "Groups",
        {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"], "displayName": "Payments"},
    )
    assert group.status_code == 201, group.content

    person_entries = scim_entries(Person)
    assert person_entries[0] == "Provisioned by Entra ID"
    assert any(entry.endswith("by Entra ID") for entry in person_entries[1:-1])
    assert person_entries[-1] == "Deleted (leaver) by Entra ID"
    assert "Group created by Entra ID" in scim_entries(Team)
    assert Person.objects.get(employee_id="E100").user.is_active is False  # history kept

    client.force_login(ld_admin)
    page = client.get("/audit/", {"kind": "changes"}).content.decode()
    assert "Provisioned by Entra ID" in page
    assert "Deleted (leaver) by Entra ID" in page
    assert "Group created by Entra ID" in page
