"""SCIM requests as Entra ID and Okta send them, authentication, errors and paging."""

import json

import pytest

from pathways.models import Enrollment, PathwayAssignment
from tests.factories import (
    EnrollmentFactory,
    LDAdminFactory,
    PathwayFactory,
    PersonFactory,
    TeamFactory,
)
from upskill import services
from upskill.access import LD_ADMINS_GROUP
from upskill.models import Person, Team

pytestmark = pytest.mark.django_db
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


@pytest.fixture
def scim(client):
    token = services.scim_connection_create(name="Entra ID", created_by=None).token

    def call(method, path, body=None, token=token, **extra):
        return getattr(client, method)(
            f"/scim/v2/{path}",
            data=json.dumps(body) if body is not None else None,
            content_type="application/scim+json",
            headers={"Authorization": f"Bearer {token}"} if token else {},
            **extra,
        )

    return call


def entra_user(**overrides):
    body = {
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "externalId": "E100",
        "userName": "ada@example.com",
        "active": True,
        "emails": [{"primary": True, "type": "work", "value": "ada@example.com"}],
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "title": "Engineer",
        ENTERPRISE: {"employeeNumber": "E100", "department": "Engineering"},
    }
    body.update(overrides)
    return body


def test_missing_unknown_or_revoked_token_and_a_session_get_401(scim, client):
    assert scim("get", "Users", token=None).status_code == 401
    assert scim("get", "Users", token="ups_nope").status_code == 401
    created = services.scim_connection_create(name="Okta", created_by=None)
    assert scim("get", "Users", token=created.token).status_code == 200
    services.scim_connection_revoke(connection=created.connection)
    assert scim("get", "Users", token=created.token).status_code == 401
    client.force_login(LDAdminFactory())  # a signed-in L&D admin, no token
    response = client.get("/scim/v2/Users")
    assert response.status_code == 401
    assert response.json()["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:Error"]


def test_entra_query_then_create_then_find_by_filters(scim):
    response = scim("get", "Users", **{"QUERY_STRING": 'filter=userName eq "ada@example.com"'})
    assert response.json()["totalResults"] == 0
    created = scim("post", "Users", entra_user())
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["externalId"] == "E100"
    person = Person.objects.get(employee_id="E100")
    assert person.user.email == "ada@example.com"
    assert person.job_role.name == "Engineer"
    for expression in (
        'userName eq "ADA@example.com"',
        'externalId eq "E100"',
        'emails.value eq "ada@example.com"',
        'emails[value eq "ada@example.com"]',
    ):
        found = scim("get", "Users", QUERY_STRING=f"filter={expression}").json()
        assert found["totalResults"] == 1, expression
    assert scim("post", "Users", entra_user()).status_code == 409
    assert scim("post", "Users", entra_user(externalId="E101")).json()["scimType"] == "uniqueness"


def test_entra_patch_capitalised_replace_and_active_false_then_true(scim):
    pk = scim("post", "Users", entra_user()).json()["id"]
    response = scim(
        "patch",
        f"Users/{pk}",
        {
            "schemas": [PATCH],
            "Operations": [
                {
                    "op": "Replace",
                    "path": 'emails[type eq "work"].value',
                    "value": "ada.l@example.com",
                },
                {"op": "Replace", "path": "name.familyName", "value": "King"},
                {"op": "Add", "path": f"{ENTERPRISE}:department", "value": "Ignored"},
            ],
        },
    )
    assert response.status_code == 200, response.content
    person = Person.objects.select_related("user").get(pk=pk)
    assert person.user.email == "ada.l@example.com"
    assert person.user.last_name == "King"
    assert person.employee_id == "E100"  # an email change keeps the same person
    response = scim(
        "patch",
        f"Users/{pk}",
        {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "False"}]},
    )
    assert response.json()["active"] is False
    person.refresh_from_db()
    person.user.refresh_from_db()
    assert not person.user.is_active
    assert person.left_on is not None
    # Okta's periodic re-assertion: a value-only replace of active.
    scim(
        "patch",
        f"Users/{pk}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "value": {"active": True}}]},
    )
    person.user.refresh_from_db()
    assert person.user.is_active


def test_manager_by_enterprise_path_and_a_cycle_refused(scim):
    boss = scim(
        "post",
        "Users",
        entra_user(
            externalId="E1", userName="boss@example.com", emails=[{"value": "boss@example.com"}]
        ),
    ).json()["id"]
    pk = scim("post", "Users", entra_user()).json()["id"]
    scim(
        "patch",
        f"Users/{pk}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "Add", "path": f"{ENTERPRISE}:manager", "value": boss}],
        },
    )
    assert Person.objects.get(pk=pk).manager_id == int(boss)
    response = scim(
        "patch",
        f"Users/{boss}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "replace", "path": f"{ENTERPRISE}:manager", "value": {"value": pk}}
            ],
        },
    )
    assert response.status_code == 400
    assert "cycle" in response.json()["detail"]


def test_okta_put_replaces_and_delete_is_a_leaver_with_history(scim):
    pk = scim("post", "Users", entra_user()).json()["id"]
    EnrollmentFactory(person=Person.objects.get(pk=pk))
    body = entra_user(name={"givenName": "Augusta", "familyName": "Lovelace"}, id=pk)
    assert scim("put", f"Users/{pk}", body).json()["name"]["givenName"] == "Augusta"
    assert scim("delete", f"Users/{pk}").status_code == 204
    assert scim("get", f"Users/{pk}").status_code == 404
    person = Person.objects.get(pk=pk)
    assert not person.user.is_active
    assert person.enrollments.count() == 1
    again = scim("post", "Users", entra_user())  # re-provisioned: the same person back
    assert again.json()["id"] == pk
    assert Person.objects.count() == 1


def test_groups_are_teams_and_entra_member_patches_move_people(scim):
    ada = scim("post", "Users", entra_user()).json()["id"]
    grace = scim(
        "post",
        "Users",
        entra_user(
            externalId="E2", userName="grace@example.com", emails=[{"value": "grace@example.com"}]
        ),
    ).json()["id"]
    pathway = PathwayFactory(status="published")
    group = scim(
        "post",
        "Groups",
        {
            "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
            "displayName": "Support",
            "members": [{"value": ada}],
        },
    )
    assert group.status_code == 201, group.content
    gid = group.json()["id"]
    team = Team.objects.get(pk=gid)
    PathwayAssignment.objects.create(pathway=pathway, team=team)
    assert Person.objects.get(pk=ada).team == team
    scim(
        "patch",
        f"Groups/{gid}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "Add", "path": "members", "value": [{"value": grace}]}],
        },
    )
    assert Person.objects.get(pk=grace).team == team
    assert Enrollment.objects.filter(person_id=grace, pathway=pathway).exists()  # same request
    scim(
        "patch",
        f"Groups/{gid}",
        {
            "schemas": [PATCH],
            "Operations": [{"op": "Remove", "path": f'members[value eq "{ada}"]'}],
        },
    )
    assert Person.objects.get(pk=ada).team.external_id == "scim-unassigned"
    listed = scim(
        "get", "Groups", QUERY_STRING='excludedAttributes=members&filter=displayName eq "Support"'
    ).json()
    assert listed["totalResults"] == 1
    assert "members" not in listed["Resources"][0]
    scim("put", f"Groups/{gid}", {"displayName": "Support", "members": [{"value": ada}]})
    assert set(team.members.values_list("pk", flat=True)) == {int(ada)}


def test_the_ld_admin_group_grants_the_access_group(scim, settings):
    ada = scim("post", "Users", entra_user()).json()["id"]
    created = scim(
        "post", "Groups", {"displayName": settings.SCIM_LD_ADMIN_GROUP, "members": [{"value": ada}]}
    )
    assert created.json()["id"] == "ld-admins"
    assert Person.objects.get(pk=ada).user.groups.filter(name=LD_ADMINS_GROUP).exists()
    scim(
        "patch",
        "Groups/ld-admins",
        {"Operations": [{"op": "remove", "path": f'members[value eq "{ada}"]'}]},
    )
    assert not Person.objects.get(pk=ada).user.groups.filter(name=LD_ADMINS_GROUP).exists()


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "scim_type"),
    [
        ("post", "Users", {"name": {}}, 400, "invalidValue"),
        ("post", "Users", {"userName": "x", "emails": [{"value": "nope"}]}, 400, "invalidValue"),
        ("get", "Users?filter=userName%20gt%201", None, 400, "invalidFilter"),
        ("get", "Users?filter=title%20eq%20%22x%22", None, 400, "invalidFilter"),
        ("get", "Users/999", None, 404, None),
        ("get", "Nothing", None, 404, None),
        ("patch", "Users/1", {"Operations": [{"op": "jump"}]}, 400, "invalidSyntax"),
        ("post", "Groups", {"members": "x"}, 400, "invalidValue"),
        ("get", "Users?startIndex=x", None, 400, "invalidValue"),
    ],
)
def test_errors_are_scim_json_with_the_right_status(scim, method, path, body, status, scim_type):
    PersonFactory(pk=1)
    path, _, query = path.partition("?")
    response = scim(method, path, body, QUERY_STRING=query)
    assert response.status_code == status, response.content
    error = response.json()
    assert error["status"] == str(status)
    assert error.get("scimType") == scim_type


def test_a_body_that_is_not_json_or_too_big(scim, client, settings):
    token = services.scim_connection_create(name="x", created_by=None).token
    response = client.post(
        "/scim/v2/Users",
        data=b"{",
        content_type="application/scim+json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert response.json()["scimType"] == "invalidSyntax"
    settings.SCIM_MAX_BODY_BYTES = 10
    assert scim("post", "Users", entra_user()).status_code == 413


def test_a_page_of_users_is_a_constant_number_of_queries(scim, django_assert_num_queries):
    team = TeamFactory()
    PersonFactory.create_batch(3, team=team)
    # 1 token lookup + 1 last-used update + 1 count + 1 page (user, team, role joined)
    with django_assert_num_queries(4):
        first = scim("get", "Users", QUERY_STRING="startIndex=1&count=2")
    PersonFactory.create_batch(20, team=team)
    with django_assert_num_queries(4):
        second = scim("get", "Users", QUERY_STRING="startIndex=3&count=10")
    assert first.json()["itemsPerPage"] == 2
    assert second.json()["totalResults"] == 23
    assert second.json()["startIndex"] == 3


def test_scim_token_create_prints_a_working_token(capsys, scim):
    from django.core.management import call_command

    call_command("scim_token_create", "Okta")
    token = capsys.readouterr().out.strip()
    assert scim("get", "ServiceProviderConfig", token=token).json()["patch"]["supported"] is True
