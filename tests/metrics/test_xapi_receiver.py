# ruff: noqa: E501  (the tables of statements below read one case per line)
"""The xAPI 1.0.3 receiver's rules: PUT, GET read-back, /about, the version header,
conflicting duplicates, CORS, voiding (down to the rollups), agents by mbox, SHA-1 or
account, the in-app verb and activity mapping with its report, and strict validation
(each class of invalid statement is a 400 naming the statement and the property, and
nothing is stored)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from metrics import services
from metrics.models import (
    ActivityRecord,
    WeeklyRollup,
    XapiActivityMapping,
    XapiStatement,
    XapiVerbMapping,
)
from tests.factories import PersonFactory, StepFactory, TeamFactory

pytestmark = pytest.mark.usefixtures("eager_celery")

URL = "/xapi/statements"
PREFIX = "https://upskill.example/xapi/steps/"
STEP_IRI = PREFIX + "ai-basics/prompting-101"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ATTENDED = "http://adlnet.gov/expapi/verbs/attended"
VOIDED = "http://adlnet.gov/expapi/verbs/voided"
WEEK = dt.date(2025, 3, 3)


@pytest.fixture
def world(db, settings):
    settings.XAPI_STEP_IRI_PREFIX = PREFIX
    settings.XAPI_CORS_ALLOWED_ORIGINS = ["https://content.example"]
    team = TeamFactory(slug="learning-ops")
    ana = PersonFactory(team=team, user__email="Ana@Example.com", user__username="ana.k")
    step = StepFactory(key="prompting-101", stage__pathway__slug="ai-basics")
    created = services.xapi_key_create(name="LMS", created_by=None)
    other = services.xapi_key_create(name="Other LMS", created_by=None)
    return {
        "team": team,
        "ana": ana,
        "step": step,
        "key": created.key,
        "xapi_key": created.xapi_key,
        "other_key": other.key,
    }


def statement(**overrides) -> dict:
    body = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "mbox": "mailto:ana@example.com"},
        "verb": {"id": COMPLETED, "display": {"en-US": "completed"}},
        "object": {"id": STEP_IRI, "objectType": "Activity"},
        "timestamp": "2025-03-04T10:00:00.000Z",
        "result": {"duration": "PT30M", "completion": True},
    }
    body.update(overrides)
    return body


def headers(key: str | None, version: str | None = "1.0.3", **extra) -> dict:
    sent = dict(extra)
    if key:
        sent["Authorization"] = f"Bearer {key}"
    if version:
        sent["X-Experience-API-Version"] = version
    return sent


def post(client, payload, key, **extra):
    return client.post(
        URL, json.dumps(payload), content_type="application/json", headers=headers(key, **extra)
    )


def put(client, payload, key, statement_id):
    return client.put(
        f"{URL}?statementId={statement_id}",
        json.dumps(payload),
        content_type="application/json",
        headers=headers(key),
    )


def get(client, key, **params):
    return client.get(URL, params, headers=headers(key))


# --- PUT, POST ids, GET, about ------------------------------------------------------------


def test_put_stores_a_statement_and_an_identical_put_is_204_again(world, client):
    sent = statement()
    sent.pop("id")
    statement_id = str(uuid.uuid4())

    first = put(client, sent, world["key"], statement_id)
    again = put(client, sent, world["key"], statement_id)

    assert (first.status_code, again.status_code) == (204, 204)
    assert first.content == b""
    assert first["X-Experience-API-Version"] == "1.0.3"
    assert ActivityRecord.objects.get().source_id == statement_id
    assert XapiStatement.objects.get().received["id"] == statement_id


def test_put_with_different_content_under_a_stored_id_is_a_409(world, client):
    sent = statement()
    put(client, sent, world["key"], sent["id"])

    response = put(client, {**sent, "result": {"duration": "PT5M"}}, world["key"], sent["id"])

    assert response.status_code == 409
    assert f"a different statement with id {sent['id']}" in response.json()["error"]
    assert ActivityRecord.objects.get().minutes == 30


@pytest.mark.parametrize(
    ("query", "body_id", "message"),
    [
        ("", None, "needs the statementId parameter"),
        ("?statementId=nope", None, "is not a UUID"),
        (f"?statementId={uuid.uuid4()}", str(uuid.uuid4()), "differs from the statementId"),
    ],
)
def test_a_put_without_a_matching_statement_id_is_a_400(world, client, query, body_id, message):
    sent = statement()
    sent.pop("id")
    if body_id:
        sent["id"] = body_id

    response = client.put(
        URL + query,
        json.dumps(sent),
        content_type="application/json",
        headers=headers(world["key"]),
    )

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert not XapiStatement.objects.exists()


def test_post_generates_the_ids_of_statements_without_one(world, client):
    batch = [statement(), statement()]
    batch[1].pop("id")

    response = post(client, batch, world["key"])

    ids = response.json()
    assert response.status_code == 200
    assert ids[0] == batch[0]["id"]
    assert uuid.UUID(ids[1]).version == 4
    assert set(ActivityRecord.objects.values_list("source_id", flat=True)) == set(ids)
    assert XapiStatement.objects.get(statement_id=ids[1]).received["id"] == ids[1]


def test_a_post_repeating_a_stored_id_with_other_content_is_a_409_storing_nothing(world, client):
    stored = statement()
    post(client, stored, world["key"])
    fresh = statement()

    response = post(client, [fresh, {**stored, "verb": {"id": ATTENDED}}], world["key"])

    assert response.status_code == 409
    assert "statement 2" in response.json()["error"]
    assert list(XapiStatement.objects.values_list("statement_id", flat=True)) == [
        uuid.UUID(stored["id"])
    ]


def test_get_reads_back_a_statement_this_key_sent(world, client):
    sent = statement()
    sent.pop("timestamp")
    post(client, sent, world["key"])

    response = get(client, world["key"], statementId=sent["id"])
    other_key = get(client, world["other_key"], statementId=sent["id"])
    as_voided = get(client, world["key"], voidedStatementId=sent["id"])

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("id", "actor", "verb", "object", "result")} == {
        k: sent[k] for k in ("id", "actor", "verb", "object", "result")
    }
    assert body["version"] == "1.0.0"
    assert body["timestamp"] == body["stored"]
    assert body["authority"]["account"]["name"] == world["xapi_key"].prefix
    assert response["X-Experience-API-Consistent-Through"] == body["stored"]
    assert (other_key.status_code, as_voided.status_code) == (404, 404)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "give statementId or voidedStatementId"),
        ({"statementId": str(uuid.uuid4()), "voidedStatementId": str(uuid.uuid4())}, "one of them"),
        ({"statementId": str(uuid.uuid4()), "verb": COMPLETED}, "not verb"),
    ],
)
def test_get_answers_single_statements_only(world, client, params, message):
    response = get(client, world["key"], **params)

    assert response.status_code == 400
    assert message in response.json()["error"]


def test_about_needs_no_key_and_lists_the_versions(client, db):
    response = client.get("/xapi/about")

    assert response.status_code == 200
    assert response.json() == {"version": ["1.0.3", "1.0.2", "1.0.1", "1.0.0"]}
    assert response["X-Experience-API-Version"] == "1.0.3"


# --- The version header and CORS ------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "message"),
    [(None, "header is required"), ("0.95", "'0.95' is not supported"), ("2.0.0", "not supported")],
)
def test_a_request_without_a_supported_version_header_is_a_400(world, client, version, message):
    response = post(client, statement(), world["key"], version=version)

    assert response.status_code == 400
    assert message in response.json()["error"]
    assert response["X-Experience-API-Version"] == "1.0.3"
    assert not XapiStatement.objects.exists()


@pytest.mark.parametrize("version", ["1.0", "1.0.0", "1.0.1", "1.0.2", "1.0.3"])
def test_every_1_0_version_is_accepted(world, client, version):
    assert post(client, statement(), world["key"], version=version).status_code == 200


def test_every_response_carries_the_version_header(world, client):
    responses = [
        post(client, statement(), None),  # 401
        get(client, world["key"]),  # 400
        get(client, world["key"], statementId=str(uuid.uuid4())),  # 404
        client.delete(URL, headers=headers(world["key"])),  # 405
        client.options(URL),  # preflight
    ]

    assert [r.status_code for r in responses] == [401, 400, 404, 405, 204]
    assert {r["X-Experience-API-Version"] for r in responses} == {"1.0.3"}


def test_a_preflight_from_an_allowed_origin_is_answered(world, client):
    response = client.options(
        URL,
        headers={
            "Origin": "https://content.example",
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "authorization,content-type,x-experience-api-version",
        },
    )

    assert response.status_code == 204
    assert response["Access-Control-Allow-Origin"] == "https://content.example"
    assert "PUT" in response["Access-Control-Allow-Methods"]
    assert "X-Experience-API-Version" in response["Access-Control-Allow-Headers"]
    assert "Authorization" in response["Access-Control-Allow-Headers"]


def test_cors_headers_go_to_allowed_origins_only(world, client):
    allowed = post(client, statement(), world["key"], Origin="https://content.example")
    refused = post(client, statement(), world["key"], Origin="https://evil.example")

    assert allowed["Access-Control-Allow-Origin"] == "https://content.example"
    assert "X-Experience-API-Version" in allowed["Access-Control-Expose-Headers"]
    assert "Access-Control-Allow-Origin" not in refused
    assert "Origin" in refused["Vary"]


# --- Voiding --------------------------------------------------------------------------------


def voiding(target_id: str) -> dict:
    return statement(
        verb={"id": VOIDED, "display": {"en-US": "voided"}},
        object={"objectType": "StatementRef", "id": target_id},
        result={},
    )


def learning_minutes(team) -> float | None:
    """The team-week's minutes on all pathways: the sum of its disjoint cells."""
    values = WeeklyRollup.objects.filter(
        team=team, week_start=WEEK, metric="learning_minutes"
    ).values_list("value", flat=True)
    return sum(values) if values else None


def test_voiding_removes_the_attendance_and_recomputes_its_rollup(
    world, client, django_capture_on_commit_callbacks
):
    kept = statement(verb={"id": ATTENDED}, result={"duration": "PT30M"})
    mistaken = statement(verb={"id": ATTENDED}, result={"duration": "PT45M"})
    with django_capture_on_commit_callbacks(execute=True):
        post(client, [kept, mistaken], world["key"])
    before = learning_minutes(world["team"])

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, voiding(mistaken["id"]), world["key"])

    assert response.status_code == 200
    assert before == 75
    assert learning_minutes(world["team"]) == 30
    assert list(ActivityRecord.objects.values_list("source_id", flat=True)) == [kept["id"]]
    assert XapiStatement.objects.get(statement_id=mistaken["id"]).outcome == "voided"
    assert get(client, world["key"], statementId=mistaken["id"]).status_code == 404
    assert (
        get(client, world["key"], voidedStatementId=mistaken["id"]).json()["id"] == mistaken["id"]
    )


def test_a_statement_arriving_after_its_voiding_statement_is_stored_voided(world, client):
    late = statement()

    post(client, voiding(late["id"]), world["key"])
    post(client, late, world["key"])

    assert not ActivityRecord.objects.exists()
    assert XapiStatement.objects.get(statement_id=late["id"]).outcome == "voided"


def test_voiding_in_the_same_batch_as_the_target_counts_nothing(world, client):
    target = statement()

    post(client, [target, voiding(target["id"])], world["key"])

    assert not ActivityRecord.objects.exists()


def test_another_key_cannot_void_a_statement(world, client):
    target = statement()
    post(client, target, world["key"])

    response = post(client, voiding(target["id"]), world["other_key"])

    assert response.status_code == 200
    assert ActivityRecord.objects.get().source_id == target["id"]


def test_a_voiding_statement_cannot_be_voided(world, client):
    target = statement()
    first_void = voiding(target["id"])
    post(client, [target, first_void], world["key"])

    post(client, voiding(first_void["id"]), world["key"])

    assert XapiStatement.objects.get(statement_id=first_void["id"]).outcome == "voiding"
    assert not ActivityRecord.objects.exists()


# --- Agents ---------------------------------------------------------------------------------


def test_an_agent_by_mbox_sha1sum_is_the_person_with_that_email(world, client):
    digest = hashlib.sha1(b"mailto:ana@example.com").hexdigest()

    post(client, statement(actor={"mbox_sha1sum": digest}), world["key"])

    assert ActivityRecord.objects.get().person == world["ana"]


def test_an_account_name_is_matched_by_the_configured_field(world, client, settings):
    moodle = {"homePage": "https://moodle.example.com", "name": "ANA.K"}

    post(client, statement(actor={"account": moodle}), world["key"])
    settings.XAPI_ACCOUNT_NAME_FIELD = "email"
    post(client, statement(actor={"account": {**moodle, "name": "ana@example.com"}}), world["key"])

    assert ActivityRecord.objects.filter(person=world["ana"]).count() == 2


def test_accounts_on_other_systems_are_not_matched_when_homepages_are_set(world, client, settings):
    settings.XAPI_ACCOUNT_HOMEPAGES = ["https://moodle.example.com"]
    ours = statement(
        actor={"account": {"homePage": "https://moodle.example.com/", "name": "ana.k"}}
    )
    theirs = statement(actor={"account": {"homePage": "https://other.example", "name": "ana.k"}})

    post(client, [ours, theirs], world["key"])

    assert ActivityRecord.objects.get().source_id == ours["id"]
    assert XapiStatement.objects.get(statement_id=theirs["id"]).outcome == "person"


def test_a_group_actor_is_stored_not_counted(world, client):
    group = {"objectType": "Group", "member": [{"mbox": "mailto:ana@example.com"}]}

    response = post(client, statement(actor=group), world["key"])

    assert response.status_code == 200
    assert XapiStatement.objects.get().outcome == "person"
    assert not ActivityRecord.objects.exists()


# --- The mapping an L&D admin configures ------------------------------------------------------


def test_an_admin_maps_a_verb_and_a_foreign_activity_and_they_count(world, client, ld_admin):
    moodle_course = "https://moodle.example.com/course/view.php?id=42"
    viewed = "http://id.tincanapi.com/verb/viewed"
    client.force_login(ld_admin)

    verb = client.post(reverse("metrics:xapi_mapping"), {"verb_iri": viewed, "kind": "practiced"})
    activity = client.post(
        reverse("metrics:xapi_mapping"),
        {"activity_iri": moodle_course, "step_reference": "ai-basics/prompting-101"},
    )
    post(client, statement(verb={"id": viewed}, object={"id": moodle_course}), world["key"])

    assert (verb.status_code, activity.status_code) == (302, 302)
    record = ActivityRecord.objects.get()
    assert (record.kind, record.step) == ("practiced", world["step"])


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"verb_iri": "completed", "kind": "completed"}, "must be an absolute IRI"),
        ({"verb_iri": VOIDED, "kind": "completed"}, "cannot count"),
        ({"verb_iri": COMPLETED, "kind": "graduated"}, "Select a valid choice"),
        ({"activity_iri": "https://x.example/1", "step_reference": "ai-basics/nope"}, "No step"),
        (
            {"activity_iri": "not an iri", "step_reference": "ai-basics/prompting-101"},
            "absolute IRI",
        ),
    ],
)
def test_a_bad_mapping_is_refused_on_the_page_and_nothing_saved(
    world, client, ld_admin, data, message
):
    client.force_login(ld_admin)
    verbs_before = XapiVerbMapping.objects.count()

    response = client.post(reverse("metrics:xapi_mapping"), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert XapiVerbMapping.objects.count() == verbs_before
    assert not XapiActivityMapping.objects.exists()


def test_removing_a_verb_stops_it_counting(world, client, ld_admin):
    client.force_login(ld_admin)
    mapping = XapiVerbMapping.objects.get(verb_iri=COMPLETED)

    client.post(reverse("metrics:xapi_verb_mapping_delete", args=[mapping.pk]))
    post(client, statement(), world["key"])

    assert not ActivityRecord.objects.exists()
    assert XapiStatement.objects.get().outcome == "verb"


def test_the_page_reports_what_is_not_counted(world, client, ld_admin):
    launched = "http://adlnet.gov/expapi/verbs/launched"
    post(client, [statement(verb={"id": launched}) for _ in range(42)], world["key"])
    post(client, statement(object={"id": "https://elsewhere.example/course"}), world["key"])
    client.force_login(ld_admin)

    page = client.get(reverse("metrics:xapi_mapping")).content.decode()

    assert "42 statements with verbs Upskill does not count" in page
    assert "1 statement about activities not mapped to a step" in page
    assert launched in page
    assert "https://elsewhere.example/course" in page


def test_the_mapping_page_runs_a_fixed_number_of_queries(
    world, client, ld_admin, django_assert_num_queries
):
    client.force_login(ld_admin)
    # session, user, the user's groups (L&D admin check), the user's Person (navigation),
    # verb mappings, activity mappings with their steps and pathways (one JOIN), the
    # statements by outcome, the most frequent unmapped IRIs = 8
    with django_assert_num_queries(8):
        client.get(reverse("metrics:xapi_mapping"))
    services.xapi_activity_mapping_set(
        activity_iri="https://moodle.example.com/course/1", step_reference="ai-basics/prompting-101"
    )
    services.xapi_verb_mapping_set(verb_iri="http://id.tincanapi.com/verb/viewed", kind="practiced")
    post(client, [statement(verb={"id": f"https://v.example/{n}"}) for n in range(5)], world["key"])
    with django_assert_num_queries(8):
        client.get(reverse("metrics:xapi_mapping"))


# --- Strict validation: every class of invalid statement --------------------------------------

INVALID = [
    # (what changes, the property named in the message)
    ({"actor": {"mbox": "mailto:ana@example.com", "account": {"homePage": "https://x.example", "name": "a"}}}, "actor has 2 inverse functional identifiers"),
    ({"actor": {"name": "Ana"}}, "actor has 0 inverse functional identifiers"),
    ({"actor": {"Mbox": "mailto:ana@example.com"}}, "actor.Mbox is not an xAPI property here (property names are case sensitive: 'mbox')"),
    ({"actor": {"mbox": "mailto:ana@example.com", "objectType": "Person"}}, "actor.objectType must be \"Agent\""),
    ({"actor": {"mbox_sha1sum": "abc"}}, "actor.mbox_sha1sum 'abc' is not a hex SHA-1"),
    ({"actor": {"objectType": "Group"}}, "actor.member is required for an anonymous Group"),
    ({"actor": {"objectType": "Group", "member": [{"objectType": "Group", "mbox": "mailto:g@example.com"}]}}, "actor.member[0] is a Group"),
    ({"actor": {"mbox": "mailto:ana@example.com", "name": None}}, "actor.name is null"),
    ({"verb": {"id": COMPLETED, "display": {"en_US": "done"}}}, "verb.display.en_US is not an RFC 5646 language tag"),
    ({"verb": {"id": COMPLETED, "display": {"en-US": 1}}}, "verb.display.en-US must be a string"),
    ({"verb": {"id": "completed"}}, "verb.id 'completed' is not an absolute IRI"),
    ({"verb": {"display": {"en-US": "done"}}}, "verb.id is required"),
    ({"object": {"id": STEP_IRI, "objectType": "activity"}}, "object.objectType 'activity' is not one of"),
    ({"object": {"objectType": "Agent", "mbox": "mailto:b@example.com", "id": "x"}}, "object.id is not an xAPI property here"),
    ({"object": {"objectType": "StatementRef", "id": "123"}}, "object.id '123' is not a UUID"),
    ({"object": {"id": STEP_IRI, "definition": {"interactionType": "essay"}}}, "object.definition.interactionType 'essay' is not one of"),
    ({"object": {"id": STEP_IRI, "definition": {"interactionType": "true-false", "choices": []}}}, "object.definition.choices is not allowed for interactionType 'true-false'"),
    ({"object": {"id": STEP_IRI, "definition": {"interactionType": "choice", "choices": [{"id": "a"}, {"id": "a"}]}}}, "object.definition.choices[1].id 'a' repeats"),
    ({"object": {"id": STEP_IRI, "definition": {"extensions": {"room": 1}}}}, "object.definition.extensions.room is not an IRI"),
    ({"object": {"objectType": "SubStatement", "id": str(uuid.uuid4()), "actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": COMPLETED}, "object": {"id": STEP_IRI}}}, "object.id is not an xAPI property here"),
    ({"object": {"objectType": "SubStatement", "actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": COMPLETED}, "object": {"objectType": "SubStatement"}}}, "object.object.objectType a SubStatement cannot contain a SubStatement"),
    ({"timestamp": "2025-03-04T10:00:00-00:00"}, "timestamp '2025-03-04T10:00:00-00:00' is not an ISO 8601 timestamp"),
    ({"timestamp": "2025-02-30T10:00:00Z"}, "timestamp '2025-02-30T10:00:00Z' is not"),
    ({"timestamp": "2025-03-04 10:00:00Z"}, "timestamp '2025-03-04 10:00:00Z' is not"),
    ({"timestamp": "2025-03-04"}, "timestamp '2025-03-04' is not"),
    ({"stored": "yesterday"}, "stored 'yesterday' is not"),
    ({"result": {"duration": "PT"}}, "result.duration 'PT' is not an ISO 8601 duration"),
    ({"result": {"duration": "P1W2D"}}, "result.duration 'P1W2D' is not"),
    ({"result": {"duration": "30 minutes"}}, "result.duration '30 minutes' is not"),
    ({"result": {"score": {"scaled": 1.5}}}, "result.score.scaled 1.5 is outside -1 to 1"),
    ({"result": {"score": {"raw": 11, "min": 0, "max": 10}}}, "result.score.raw 11 is above max 10"),
    ({"result": {"score": {"raw": True}}}, "result.score.raw must be a number"),
    ({"result": {"success": "yes"}}, "result.success must be true or false"),
    ({"result": {"Completion": True}}, "result.Completion is not an xAPI property here (property names are case sensitive: 'completion')"),
    ({"context": {"registration": "abc"}}, "context.registration 'abc' is not a UUID"),
    ({"context": {"language": "english!"}}, "context.language 'english!' is not an RFC 5646"),
    ({"context": {"team": {"mbox": "mailto:t@example.com"}}}, "context.team must be a Group"),
    ({"context": {"contextActivities": {"parent": [{"id": "nope"}]}}}, "context.contextActivities.parent[0].id 'nope' is not an absolute IRI"),
    ({"context": {"contextActivities": {"sibling": []}}}, "context.contextActivities.sibling is not an xAPI property"),
    ({"object": {"objectType": "Agent", "mbox": "mailto:b@example.com"}, "context": {"platform": "Moodle"}}, "context.platform is only allowed when the object is an Activity"),
    ({"version": "2.0.0"}, "version '2.0.0' is not an xAPI 1.0.x version"),
    ({"attachments": [{"usageType": "https://x.example/u", "display": {"en": "a"}, "contentType": "text/plain", "length": 1, "sha2": "ab"}]}, "attachments[0].sha2 'ab' is not a hex SHA-2"),
    ({"attachments": [{"usageType": "https://x.example/u", "display": {"en": "a"}, "contentType": "text/plain", "length": 1, "sha2": "a" * 64}]}, "attachments[0].fileUrl is required here"),
    ({"Actor": {"mbox": "mailto:ana@example.com"}}, "Actor is not an xAPI property here (property names are case sensitive: 'actor')"),
    ({"extra": 1}, "extra is not an xAPI property here"),
    ({"result": None}, "result is null"),
]  # fmt: skip


@pytest.mark.parametrize(("change", "message"), INVALID, ids=[m[:50] for _c, m in INVALID])
def test_an_invalid_statement_is_a_400_naming_statement_and_property(
    world, client, change, message
):
    bad = statement(**change)
    if "Actor" in change:
        bad.pop("actor")

    response = post(client, [statement(), bad], world["key"])

    assert response.status_code == 400
    error = response.json()["error"]
    assert error.startswith("Nothing was recorded. statement 2: ")
    assert message in error
    assert not XapiStatement.objects.exists()
    assert not ActivityRecord.objects.exists()


VALID = [
    {"result": {"duration": "P4W"}},  # weeks are an ISO 8601 duration (not counted: > a day)
    {"result": {"duration": "PT1.5H"}},
    {"timestamp": "2025-03-04T15:30:00+05:30"},
    {"timestamp": "2025-03-04T10:00:00.123456789Z"},
    {"timestamp": "2025-03-04T10:00:00"},
    {"actor": {"openid": "https://openid.example/ana"}},
    {"actor": {"objectType": "Group", "name": "Team", "account": {"homePage": "https://x.example", "name": "t"}}},
    {"object": {"objectType": "SubStatement", "actor": {"mbox": "mailto:a@example.com"}, "verb": {"id": COMPLETED}, "object": {"objectType": "StatementRef", "id": str(uuid.uuid4())}}},
    {"object": {"id": STEP_IRI, "definition": {"interactionType": "choice", "correctResponsesPattern": ["a[,]b"], "choices": [{"id": "a", "description": {"en-US": "A"}}, {"id": "b"}]}}},
    {"object": {"id": STEP_IRI, "definition": {"name": {"en-GB": "x", "zh-Hant-TW": "y"}, "type": "http://adlnet.gov/expapi/activities/lesson"}}},
    {"context": {"registration": str(uuid.uuid4()), "platform": "Moodle", "extensions": {"https://x.example/e": None}}},
    {"result": {"score": {"scaled": -1, "raw": 0, "min": 0, "max": 10}, "extensions": {"https://x.example/r": [1, None]}}},
    {"version": "1.0.3", "stored": "2025-03-04T10:00:00Z"},
    {"attachments": [{"usageType": "https://x.example/u", "display": {"en": "a"}, "contentType": "text/plain", "length": 1, "sha2": "a" * 64, "fileUrl": "https://files.example/a.txt"}]},
]  # fmt: skip


@pytest.mark.parametrize("change", VALID)
def test_a_valid_statement_is_accepted_and_stored(world, client, change):
    sent = statement(**change)

    response = post(client, sent, world["key"])

    assert response.status_code == 200, response.json()
    assert XapiStatement.objects.get().received == sent


@pytest.mark.parametrize("text", ["Ana\x00", "\ud800"])
def test_text_postgresql_cannot_store_is_a_400(world, client, text):
    body = json.dumps(statement(actor={"mbox": "mailto:ana@example.com", "name": text}))

    response = client.post(
        URL, body, content_type="application/json", headers=headers(world["key"])
    )

    assert response.status_code == 400
    assert "NUL character" in response.json()["error"]
    assert not XapiStatement.objects.exists()


# Mutations of a valid statement: any member replaced by a hostile value, a key's case
# changed, or a member dropped. The receiver answers 200, 400 or 409, never 500, and a
# refused request stores nothing.
hostile = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(max_size=20),
    st.sampled_from(
        ["mailto:ana@example.com", STEP_IRI, "P1W", "PT", "2025-03-04T10:00:00-00:00", VOIDED,
         "Group", "SubStatement", "StatementRef", str(uuid.uuid4()), "en-US", "=1+1"]
    ),
    # Fresh objects each time (st.builds): a mutated member must not leak into later examples.
    st.builds(dict),
    st.builds(list),
    st.builds(lambda: {"objectType": "Group", "member": [{"mbox": "mailto:ana@example.com"}]}),
    st.builds(lambda: {"objectType": "StatementRef", "id": str(uuid.uuid4())}),
)  # fmt: skip


def _paths(value, path=()):
    yield path
    if isinstance(value, dict):
        for key, member in value.items():
            yield from _paths(member, (*path, key))


@hypothesis_settings(
    max_examples=200,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_mutated_statements_never_500_and_a_refusal_stores_nothing(world, client, data):
    sent = statement(context={"registration": str(uuid.uuid4()), "platform": "LMS"})
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(sent) if p]
        path = data.draw(st.sampled_from(paths))
        parent = sent
        for key in path[:-1]:
            parent = parent[key]
        action = data.draw(st.sampled_from(["replace", "drop", "recase"]))
        if action == "drop":
            parent.pop(path[-1])
        elif action == "recase":
            parent[path[-1].upper()] = parent.pop(path[-1])
        else:
            parent[path[-1]] = data.draw(hostile)
    before = XapiStatement.objects.count()

    response = post(client, sent, world["key"])

    assert response.status_code in (200, 400, 409)
    if response.status_code != 200:
        assert XapiStatement.objects.count() == before
