"""Hypothesis throws arbitrary input at every shared-responsibility form: never a 500,
and a refused submission (the form re-rendered) writes nothing."""

import datetime as dt
import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from responsibilities import services
from responsibilities.models import (
    AlignmentAnswer,
    AlignmentSurvey,
    Commitment,
    CommitmentCheckIn,
    RaciAssignment,
    ResponsibilityArea,
)
from tests.factories import PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text a user could type or a client could send: unicode, control characters, huge
# strings, formula-like cells, numbers in odd notations.
anything = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        ["", " ", "=1+1", "-1", "1e309", "NaN", "Infinity", "0x10", "99999999999", "2026-02-30"]
    ),
    st.integers(min_value=-(10**12), max_value=10**12).map(str),
    st.integers(min_value=5_000, max_value=12_000).map(lambda n: "é" * n),
)


def _state():
    return (
        ResponsibilityArea.objects.count(),
        RaciAssignment.objects.count(),
        Commitment.objects.count(),
        CommitmentCheckIn.objects.count(),
        AlignmentAnswer.objects.count(),
    )


def _post_refused_writes_nothing(client, url, fields):
    """POST the fields: a redirect means accepted; a re-rendered form (200) must have
    written nothing; anything else (a 500 above all) fails."""
    before = _state()
    response = client.post(url, fields)
    assert response.status_code in (200, 302)
    if response.status_code == 200:
        assert _state() == before


@FUZZ
@given(
    fields=st.dictionaries(st.sampled_from(["leadership", "ld", "manager", "employee"]), anything)
)
def test_raci_row_editor(client, ld_admin, fields):
    client.force_login(ld_admin)
    area = ResponsibilityArea.objects.first()
    _post_refused_writes_nothing(client, f"/responsibilities/areas/{area.pk}/raci/", fields)


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {"name": anything, "description": anything, "owner_side": anything, "ld": anything}
    )
)
def test_area_form(client, ld_admin, fields):
    client.force_login(ld_admin)
    _post_refused_writes_nothing(client, "/responsibilities/areas/new/", fields)


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {
            "party": anything,
            "title": anything,
            "description": anything,
            "direction": st.one_of(anything, st.just("at_least")),
            "target": anything,
            "unit": anything,
            "period": st.one_of(anything, st.just("month")),
            "teams": anything,
            "computed_from": anything,
        }
    )
)
def test_commitment_form(client, ld_admin, fields):
    client.force_login(ld_admin)
    area = ResponsibilityArea.objects.first()
    _post_refused_writes_nothing(
        client, f"/responsibilities/areas/{area.pk}/commitments/new/", fields
    )


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {"team": anything, "period_start": anything, "value": anything, "note": anything}
    )
)
def test_check_in_form(client, ld_admin, fields):
    client.force_login(ld_admin)
    team = TeamFactory.build(slug="fuzz-team")
    team, _ = type(team).objects.get_or_create(slug="fuzz-team", defaults={"name": "Fuzz"})
    commitment = Commitment.objects.first() or services.commitment_create(
        area=ResponsibilityArea.objects.first(),
        party="ld",
        title="Fuzzed",
        target=1,
        unit="units",
        period="week",
    )
    _post_refused_writes_nothing(
        client, f"/responsibilities/commitments/{commitment.pk}/teams/{team.pk}/check-in/", fields
    )


@FUZZ
@given(data=st.data())
def test_pulse_answer_form(client, data):
    from django.utils import timezone

    from responsibilities.models import AlignmentSurvey

    survey = AlignmentSurvey.objects.filter(status="open").first() or services.survey_open(
        title="Fuzz pulse", closes_at=timezone.now() + dt.timedelta(days=1)
    )
    person = PersonFactory()
    client.force_login(person.user)
    keys = [f"owner_{pk}" for pk in ResponsibilityArea.objects.values_list("pk", flat=True)]
    keys += [k.replace("owner", "rating") for k in keys]
    fields = data.draw(st.dictionaries(st.sampled_from(keys), anything))
    _post_refused_writes_nothing(client, f"/responsibilities/pulse/{survey.pk}/answer/", fields)


@FUZZ
@given(fields=st.fixed_dictionaries({"title": anything, "closes_at": anything}))
def test_pulse_open_form(client, ld_admin, fields):
    client.force_login(ld_admin)
    before = AlignmentSurvey.objects.count()
    response = client.post("/responsibilities/pulse/open/", fields)
    # Opened: back to the list with a message. Refused (issue 18): the form again, with
    # what was typed and the reason, and nothing written.
    if AlignmentSurvey.objects.count() > before:
        assert response.status_code == 302
    else:
        assert response.status_code == 200
        assert 'class="error"' in response.text


@FUZZ
@given(team=anything)
def test_fulfilment_team_filter(client, employee, team):
    client.force_login(employee.user)
    assert client.get("/responsibilities/fulfilment/", {"team": team}).status_code == 200
