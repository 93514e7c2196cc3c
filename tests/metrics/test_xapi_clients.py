"""Real xAPI clients nobody here wrote, against a live server: ADL's TinCanPython (PyPI
`tincan`) and @xapi/xapi (npm) run by node. Each statement they send must land as the
activity it describes, read back, and (for the voided one) stop counting."""

from __future__ import annotations

import json
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from tincan import Activity, Agent, RemoteLRS, Result, Statement, StatementList, Verb

from metrics import services
from metrics.models import ActivityRecord, XapiStatement, XapiVerbMapping
from metrics.services.xapi.mapping import DEFAULT_VERBS
from tests.factories import PersonFactory, StepFactory, TeamFactory

PREFIX = "https://upskill.example/xapi/steps/"
STEP_IRI = PREFIX + "ai-basics/prompting-101"
COMPLETED = "http://adlnet.gov/expapi/verbs/completed"
ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def world(settings, eager_celery):
    settings.XAPI_STEP_IRI_PREFIX = PREFIX
    # A transactional test starts from flushed tables: put back what migration 0009 seeds.
    for verb_iri, kind in DEFAULT_VERBS.items():
        XapiVerbMapping.objects.get_or_create(verb_iri=verb_iri, defaults={"kind": kind})
    team = TeamFactory(slug="learning-ops")
    ana = PersonFactory(team=team, user__email="ana@example.com")
    step = StepFactory(key="prompting-101", stage__pathway__slug="ai-basics")
    return {
        "ana": ana,
        "step": step,
        "key": services.xapi_key_create(name="LMS", created_by=None).key,
    }


def tincan_statement(statement_id: str | None = None) -> Statement:
    return Statement(
        id=statement_id,
        actor=Agent(name="Ana", mbox="mailto:ana@example.com"),
        verb=Verb(id=COMPLETED, display={"en-US": "completed"}),
        object=Activity(id=STEP_IRI),
        result=Result(duration="PT45M", completion=True),
    )


def test_tincan_python_about_save_and_retrieve(world, live_server):
    lrs = RemoteLRS(
        endpoint=f"{live_server.url}/xapi/", username="lms", password=world["key"], version="1.0.3"
    )

    about = lrs.about()
    posted = lrs.save_statement(tincan_statement())  # no id: POST, the receiver assigns one
    put_id = str(uuid.uuid4())
    put = lrs.save_statement(tincan_statement(put_id))  # with an id: PUT ?statementId=
    batch = lrs.save_statements(StatementList([tincan_statement(), tincan_statement()]))
    retrieved = lrs.retrieve_statement(put_id)
    again = lrs.save_statement(tincan_statement(put_id))  # the same statement again: 204

    assert about.success, about.data
    assert "1.0.3" in about.content.version
    assert [r.success for r in (posted, put, batch, again)] == [True] * 4
    assert uuid.UUID(str(posted.content.id))
    assert retrieved.success, retrieved.data
    assert str(retrieved.content.id) == put_id
    assert retrieved.content.verb.id == COMPLETED
    assert retrieved.content.object.id == STEP_IRI
    records = ActivityRecord.objects.filter(source="xapi")
    assert records.count() == 4
    assert set(records.values_list("person_id", "step_id", "kind", "minutes")) == {
        (world["ana"].pk, world["step"].pk, "completed", 45)
    }
    assert put_id in set(records.values_list("source_id", flat=True))


def test_tincan_python_is_told_of_a_conflicting_statement(world, live_server):
    lrs = RemoteLRS(
        endpoint=f"{live_server.url}/xapi/", username="lms", password=world["key"], version="1.0.3"
    )
    statement_id = str(uuid.uuid4())
    assert lrs.save_statement(tincan_statement(statement_id)).success
    different = tincan_statement(statement_id)
    different.result = Result(duration="PT5M")

    response = lrs.save_statement(different)

    assert not response.success
    assert response.response.status == 409
    assert ActivityRecord.objects.get(source_id=statement_id).minutes == 45


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_xapi_js_client_sends_reads_back_and_voids(world, live_server):
    assert (ROOT / "node_modules" / "@xapi" / "xapi").exists(), "run make setup (npm ci)"

    finished = subprocess.run(
        ["node", str(ROOT / "tests" / "metrics" / "xapi_js_client.cjs"),
         f"{live_server.url}/xapi/", world["key"], STEP_IRI],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip

    assert finished.returncode == 0, finished.stderr
    result = json.loads(finished.stdout)
    assert "1.0.3" in result["about"]["version"]
    assert result["versionHeader"] == "1.0.3"
    assert result["readBack"]["id"] == result["single"][0]
    assert result["readBack"]["object"]["id"] == STEP_IRI
    assert result["voided"]["id"] == result["batch"][1]
    counted = set(ActivityRecord.objects.values_list("source_id", flat=True))
    assert counted == {result["single"][0], result["batch"][0]}
    assert XapiStatement.objects.get(statement_id=result["batch"][1]).outcome == "voided"
