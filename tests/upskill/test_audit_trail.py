"""The audit trail: configuration changes, sign-ins, failed sign-ins and refused
requests are recorded with who and when, L&D admins browse them, and nothing a person
wrote as evidence or answered in a pulse — nor any password — ends up in it."""

import datetime as dt

import pytest
from auditlog.models import LogEntry
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.utils import timezone

from pathways.models import Pathway, StepProgress
from responsibilities import services as responsibility_services
from responsibilities.models import AlignmentAnswer, ResponsibilityArea
from tests.factories import PASSWORD, PathwayFactory, PersonFactory, UserFactory
from tests.pathways.factories import a_journey
from upskill.models import AccessDenial

pytestmark = pytest.mark.django_db


def test_a_pathway_change_is_recorded_with_its_author_and_old_and_new_values(client, ld_admin):
    pathway = PathwayFactory(title="Prompting basics", status=Pathway.Status.DRAFT)
    client.force_login(ld_admin)
    client.post(
        f"/pathways/{pathway.pk}/details/",
        {"title": "Prompting for support", "slug": pathway.slug, "summary": "New summary"},
    )
    entry = LogEntry.objects.get_for_object(pathway).filter(action=LogEntry.Action.UPDATE).get()
    assert entry.actor == ld_admin
    assert entry.changes_dict["title"] == ["Prompting basics", "Prompting for support"]

    page = client.get("/audit/").text
    assert "Prompting basics → Prompting for support" in page
    assert "Lena Admin" in page  # the author by name


def test_matrix_and_commitment_changes_are_recorded(client, ld_admin):
    area = ResponsibilityArea.objects.get(key="strategic-direction")
    client.force_login(ld_admin)
    client.post(
        f"/responsibilities/areas/{area.pk}/raci/",
        {"leadership": "R", "ld": "A", "manager": "C", "employee": "I"},
    )
    client.post(
        f"/responsibilities/areas/{area.pk}/commitments/new/",
        {
            "party": "ld",
            "title": "Quarterly AI strategy briefing",
            "target": "1",
            "unit": "briefings",
            "period": "quarter",
            "direction": "at_least",
        },
    )
    # The RACI row is recorded as the area's row changing, party by party.
    models = set(
        LogEntry.objects.filter(actor=ld_admin).values_list("content_type__model", flat=True)
    )
    assert {"responsibilityarea", "commitment"} <= models
    page = client.get("/audit/").text
    assert "Quarterly AI strategy briefing" in page
    assert "Changed the RACI row of “Strategic direction”" in page


def test_sign_ins_and_failed_sign_ins_are_recorded_without_the_password(client):
    UserFactory(username="carol")
    client.post("/login/", {"username": "carol", "password": "not-my-Password-42"})
    client.post("/login/", {"username": "carol", "password": PASSWORD})

    assert AccessFailureLog.objects.filter(username="carol").count() == 1
    assert AccessLog.objects.filter(username="carol").count() == 1
    stored = [
        str(value)
        for model in (AccessAttempt, AccessFailureLog, AccessLog)
        for row in model.objects.values()
        for value in row.values()
    ]
    assert not any("not-my-Password-42" in value or PASSWORD in value for value in stored)


def test_the_admin_sees_sign_ins_and_failures_by_filter(client, ld_admin):
    UserFactory(username="dave", first_name="Dave", last_name="Brown")
    client.post("/login/", {"username": "dave", "password": "wrong"})
    client.post("/login/", {"username": "davina-nobody", "password": "wrong"})
    client.force_login(ld_admin)
    page = client.get("/audit/", {"kind": "failed-sign-ins", "actor": "dav"}).text
    assert "Failed sign-in" in page
    assert "<td>Dave Brown</td>" in page  # a known username is shown as its person's name
    assert "<td>davina-nobody</td>" in page  # an unknown one as typed


def test_refused_requests_are_recorded_and_listed(client, employee, ld_admin):
    client.force_login(employee.user)
    assert client.get("/pathways/").status_code == 403
    denial = AccessDenial.objects.get()
    assert (denial.user, denial.method, denial.path) == (employee.user, "GET", "/pathways/")

    client.force_login(ld_admin)
    page = client.get("/audit/", {"kind": "denials"}).text
    assert "/pathways/" in page
    assert "Emma Employee" in page


def test_evidence_and_pulse_answers_never_reach_the_trail(client):
    journey = a_journey()
    secret_evidence = "Replied to ticket 4711 for Mrs Example about her refund"
    client.force_login(journey.learner.user)
    client.post(
        f"/learning/{journey.pathway.slug}/steps/{journey.practise.key}/evidence/",
        {"evidence": secret_evidence, "evidence_url": ""},
    )
    survey = responsibility_services.survey_open(
        title="Pulse", closes_at=timezone.now() + dt.timedelta(days=1)
    )
    person = PersonFactory()
    responsibility_services.pulse_answer(
        survey=survey,
        person=person,
        answers={a.pk: ("employee", 1) for a in ResponsibilityArea.objects.all()},
    )
    assert StepProgress.objects.filter(evidence=secret_evidence).exists()
    assert AlignmentAnswer.objects.filter(person=person).exists()

    tracked = set(LogEntry.objects.values_list("content_type__model", flat=True))
    assert not tracked & {"stepprogress", "alignmentanswer", "user", "person"}
    for entry in LogEntry.objects.all():
        assert secret_evidence not in str(entry.changes)
        assert secret_evidence not in str(entry.serialized_data)


def test_bad_filters_say_so_and_show_everything(client, ld_admin):
    client.force_login(ld_admin)
    for params in (
        {"since": "2026-13-45"},
        {"since": "2026-05-02", "until": "2026-05-01"},
        {"kind": "everything"},
        {"page": "999999"},
        {"page": "-1"},
    ):
        response = client.get("/audit/", params)
        assert response.status_code == 200, params


def test_only_admins_browse_the_trail(client, employee, leader):
    for user in (employee.user, leader):
        client.force_login(user)
        assert client.get("/audit/").status_code == 403
    client.logout()
    assert client.get("/audit/").status_code == 302


def test_the_trail_page_runs_a_constant_number_of_queries(
    client, ld_admin, django_assert_num_queries
):
    client.force_login(ld_admin)
    for n in range(3):
        PathwayFactory(title=f"Pathway {n}")
    # session + user + groups (admin check) + person (nav) + count + page of entries
    # (with actor and content type joined) = 6
    with django_assert_num_queries(6):
        client.get("/audit/")
    for n in range(40):
        PathwayFactory(title=f"More {n}")
    with django_assert_num_queries(6):
        page = client.get("/audit/")
    assert "More 39" in page.text
