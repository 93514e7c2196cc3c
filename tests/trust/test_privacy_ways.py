"""Issue 15's seven ways of working out a hidden figure, each tried as a determined leader
(or admin) would, with nothing but the pages, the CSV download and the Django admin.

Each test fails on the code before issue 15 (checked by running this file against it)
and passes now: every figure is built from published cells only (upskill.privacy).
The rollups come from real activity through the rollup itself, on SQLite and PostgreSQL.
"""

import csv
import datetime as dt
import io
import re

import pytest
from django.utils import timezone

from metrics import services as metric_services
from responsibilities import services as responsibility_services
from responsibilities.models import ResponsibilityArea
from tests.factories import (
    ActivityRecordFactory,
    PathwayFactory,
    PersonFactory,
    StepFeedbackFactory,
    TeamFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

WEEK_1 = dt.date(2026, 1, 5)  # a Monday
WEEK_2 = WEEK_1 + dt.timedelta(weeks=1)
MINIMUM = 5


@pytest.fixture(autouse=True)
def _minimum(settings):
    settings.MIN_GROUP_SIZE = MINIMUM


def _active(people, week: dt.date, minutes: int, pathway=None) -> None:
    """Each person spends `minutes` in `week` (on `pathway`, else on none)."""
    moment = dt.datetime(week.year, week.month, week.day, 12, tzinfo=dt.UTC) + dt.timedelta(days=2)
    for person in people:
        ActivityRecordFactory(person=person, pathway=pathway, minutes=minutes, occurred_at=moment)


def _range(start: dt.date, weeks: int) -> str:
    return f"start={start}&end={start + dt.timedelta(days=7 * weeks - 1)}"


def _board(client, query: str):
    response = client.get(f"/dashboard/?{query}")
    assert response.status_code == 200
    return response.context["board"]


def _minutes_by_week(board) -> list:
    return next(s for s in board.attendance_series if s.key == "learning_minutes").values


def _drill_minutes(board, team) -> float | None:
    row = next(r for r in board.drill_rows if r.team == team)
    return row.figures["learning_minutes"]


def _export(client, query: str) -> list[dict]:
    response = client.get(f"/dashboard/export.csv?{query}")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.fixture
def organisation(client):
    """Org > Team (the leader's view starts at Org); the leader is signed in."""
    org = TeamFactory(name="Org", slug="org")
    team = TeamFactory(name="Squad", slug="squad", parent=org)
    leader = UserFactory()
    org.leaders.add(leader)
    client.force_login(leader)
    return org, team


def test_privacy_way_1_the_export_never_prints_a_hidden_cells_people(client, organisation):
    _org, team = organisation
    _active(PersonFactory.create_batch(3, team=team), WEEK_1, 40)  # 3 people: hidden
    _active(PersonFactory.create_batch(6, team=team), WEEK_2, 30)  # 6 people: shown
    metric_services.rollup_rebuild()

    rows = _export(client, _range(WEEK_1, 2))

    # The hidden week is not in the file at all: no value, no people count ("3" active
    # learners *is* the hidden figure), so hidden and empty cells look the same.
    assert {row["week_start"] for row in rows} == {str(WEEK_2)}
    assert all(int(row["people"]) >= MINIMUM for row in rows)
    assert all(row["value"] != "" for row in rows)


def test_privacy_way_2_all_pathways_minus_the_shown_pathways_gives_nothing(client, organisation):
    _org, team = organisation
    big, small = PathwayFactory(slug="big"), PathwayFactory(slug="small")
    people = PersonFactory.create_batch(6, team=team)
    _active(people, WEEK_1, 30, pathway=big)  # 6 people, 180 minutes: shown
    _active(people[:2], WEEK_1, 20, pathway=small)  # 2 people, 40 minutes: hidden
    metric_services.rollup_rebuild()
    query = f"team=squad&{_range(WEEK_1, 1)}"

    all_pathways = _minutes_by_week(_board(client, query))[0]
    on_big = _minutes_by_week(_board(client, f"{query}&pathway=big"))[0]
    on_small_board = _board(client, f"{query}&pathway=small")
    exported = _export(client, query)

    assert all_pathways - on_big != 40
    assert all_pathways == on_big == 180  # "all pathways" adds up published cells only
    assert _minutes_by_week(on_small_board) == [None]
    minutes_series = next(
        s for s in on_small_board.attendance_series if s.key == "learning_minutes"
    )
    reason = minutes_series.hidden_reason
    assert reason.startswith("No figures: fewer than 5 people took this pathway")
    # The export's pathway rows and its other rows are the same disjoint cells.
    minutes = [float(r["value"]) for r in exported if r["metric"] == "learning_minutes"]
    assert minutes == [180.0]
    assert all(r["pathway"] != "small" for r in exported)


def test_privacy_way_3_one_date_range_minus_another_gives_nothing(client, organisation):
    _org, team = organisation
    _active(PersonFactory.create_batch(6, team=team), WEEK_1, 30)  # 180: shown
    _active(PersonFactory.create_batch(2, team=team), WEEK_2, 25)  # 50: hidden
    metric_services.rollup_rebuild()

    two_weeks = _drill_minutes(_board(client, f"team=org&{_range(WEEK_1, 2)}"), team)
    one_week = _drill_minutes(_board(client, f"team=org&{_range(WEEK_1, 1)}"), team)

    assert two_weeks - one_week != 50
    assert two_weeks == one_week == 180  # the hidden week contributes nothing


def test_privacy_way_4_the_page_minus_the_export_gives_nothing(client, organisation):
    _org, team = organisation
    _active(PersonFactory.create_batch(6, team=team), WEEK_1, 30)  # 180: shown
    _active(PersonFactory.create_batch(2, team=team), WEEK_2, 25)  # 50: hidden
    metric_services.rollup_rebuild()
    query = f"team=org&{_range(WEEK_1, 2)}"

    page_total = _drill_minutes(_board(client, query), team)
    exported = [
        float(r["value"])
        for r in _export(client, query)
        if r["team"] == "squad" and r["metric"] == "learning_minutes" and r["value"]
    ]

    assert page_total - sum(exported) != 50
    assert page_total == sum(exported) == 180  # the page adds up exactly the CSV's rows


def test_privacy_way_5_a_parent_minus_its_sub_teams_gives_nothing(client, organisation):
    org, _team = organisation
    parent = TeamFactory(name="Parent", slug="parent", parent=org)
    big = TeamFactory(name="Big", slug="big", parent=parent)
    small = TeamFactory(name="Small", slug="small", parent=parent)
    _active(PersonFactory.create_batch(6, team=big), WEEK_1, 30)  # 180: shown
    _active(PersonFactory.create_batch(2, team=small), WEEK_1, 25)  # 50: hidden
    metric_services.rollup_rebuild()
    week = _range(WEEK_1, 1)

    parent_in_org_table = _drill_minutes(_board(client, f"team=org&{week}"), parent)
    big_own_dashboard = _minutes_by_week(_board(client, f"team=big&{week}"))[0]
    parent_table = _board(client, f"team=parent&{week}")

    assert parent_in_org_table - big_own_dashboard != 50
    assert parent_in_org_table == big_own_dashboard == 180
    assert _drill_minutes(parent_table, big) == 180  # no longer hidden beside Small
    assert _drill_minutes(parent_table, small) is None


def _pulse_answers(owner: str) -> dict:
    return {area.pk: (owner, 3) for area in ResponsibilityArea.objects.all()}


def _list_respondents(client) -> list[str]:
    html = client.get("/responsibilities/pulse/").content.decode()
    return [
        re.sub(r"<[^>]+>", "", cell).strip()
        for cell in re.findall(r'<td class="num">(.*?)</td>', html)
    ]


def test_privacy_way_6_pulse_totals_never_give_a_small_groups_size(client, organisation):
    survey = responsibility_services.survey_open(
        title="Pulse", closes_at=timezone.now() + dt.timedelta(days=7)
    )
    for person in PersonFactory.create_batch(6):
        responsibility_services.pulse_answer(
            survey=survey, person=person, answers=_pulse_answers("employer")
        )
    for person in PersonFactory.create_batch(2):
        TeamFactory(leaders=[person.user])
        responsibility_services.pulse_answer(
            survey=survey, person=person, answers=_pulse_answers("employee")
        )

    results = client.get(f"/responsibilities/pulse/{survey.pk}/results/").content.decode()
    (respondents,) = _list_respondents(client)

    assert "(6)" in results  # the employees' group is shown with its size ...
    assert respondents != "8"  # ... so a total of 8 would give the 2 leaders away
    assert respondents == "6"  # only published groups are counted

    responsibility_services.survey_close(survey=survey)
    small = responsibility_services.survey_open(
        title="Small", closes_at=timezone.now() + dt.timedelta(days=7)
    )
    for person in PersonFactory.create_batch(2):
        responsibility_services.pulse_answer(
            survey=small, person=person, answers=_pulse_answers("shared")
        )
    newest, _older = _list_respondents(client)
    assert newest != "2"
    assert newest == "fewer than 5 per group"


def test_privacy_way_7_the_admin_never_shows_or_filters_by_a_person(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    author = PersonFactory(user__first_name="Zelda", user__last_name="Quillfeather")
    survey = responsibility_services.survey_open(
        title="Pulse", closes_at=timezone.now() + dt.timedelta(days=7)
    )
    responsibility_services.pulse_answer(
        survey=survey, person=author, answers=_pulse_answers("employer")
    )
    feedback = StepFeedbackFactory(person=author, comment="Helpful for our billing work")

    answers_of_one = client.get(f"/admin/responsibilities/alignmentanswer/?person={author.pk}")
    feedback_list = client.get("/admin/pathways/stepfeedback/")
    feedback_page = client.get(f"/admin/pathways/stepfeedback/{feedback.pk}/change/")
    feedback_of_one = client.get(f"/admin/pathways/stepfeedback/?person={author.pk}")

    assert answers_of_one.status_code == 404  # no admin lists pulse answers at all
    assert feedback_list.status_code == feedback_page.status_code == 200
    assert "Helpful for our billing work" in feedback_page.content.decode()
    for page in (feedback_list, feedback_page):
        assert "Quillfeather" not in page.content.decode()
        assert f"/admin/upskill/person/{author.pk}/" not in page.content.decode()
    # A filter by person is refused (Django's DisallowedModelAdminLookup: 400), never
    # applied.
    assert feedback_of_one.status_code == 400
