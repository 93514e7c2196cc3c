"""The employee's "My learning" page."""

import datetime as dt
import re

from django.utils import timezone

from pathways.models import Pathway
from tests.factories import (
    EnrollmentFactory,
    PathwayFactory,
    PersonFactory,
    StageFactory,
    StepFactory,
    StepProgressFactory,
)


def row_numbers(html: str, title: str) -> list[int]:
    """The numeric cells of the pathway list's row for `title`."""
    row = re.search(rf"<tr>\s*<td><strong>{re.escape(title)}</strong>.*?</tr>", html, re.S)
    assert row, f"no row for {title!r}"
    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row.group(0))]


def a_full_pathway(**kwargs) -> Pathway:
    """A pathway with two stages, three steps, two enrolments (one completed) and progress."""
    pathway = PathwayFactory(**kwargs)
    foundation = StageFactory(pathway=pathway)
    practice = StageFactory(pathway=pathway, kind="practice")
    steps = [StepFactory(stage=foundation), StepFactory(stage=practice)]
    steps.append(StepFactory(stage=practice, kind="practice"))
    for completed_at in (None, timezone.now()):
        enrollment = EnrollmentFactory(pathway=pathway, completed_at=completed_at)
        StepProgressFactory(enrollment=enrollment, step=steps[0], status="approved")
    return pathway


# The pathway list (L&D admins) --------------------------------------------------------


def test_my_learning_shows_my_enrolments_with_steps_done_and_due_date(client, employee):
    enrollment = EnrollmentFactory(
        person=employee,
        pathway=PathwayFactory(title="Code review with AI"),
        due_date=dt.date(2030, 3, 31),
    )
    stage = StageFactory(pathway=enrollment.pathway)
    steps = [StepFactory(stage=stage) for _ in range(4)]
    StepProgressFactory(enrollment=enrollment, step=steps[0], status="approved")
    StepProgressFactory(enrollment=enrollment, step=steps[1], status="submitted")
    client.force_login(employee.user)

    html = client.get("/learning/").content.decode()

    assert "Code review with AI" in html
    assert "1 of 4 steps done" in html
    assert "Due 31 Mar 2030" in html
    assert f"{employee.display_name} · {employee.job_role} · {employee.team}" in html


def test_my_learning_does_not_show_colleagues_enrolments(client, employee):
    EnrollmentFactory(person=PersonFactory(team=employee.team), pathway__title="Not mine")
    client.force_login(employee.user)

    html = client.get("/learning/").content.decode()

    assert "Not mine" not in html
    assert "You are not enrolled in a pathway yet." in html


def test_my_learning_is_a_placeholder_for_steps_and_evidence(client, employee):
    client.force_login(employee.user)

    assert "Coming soon" in client.get("/learning/").content.decode()


def test_my_learning_runs_a_fixed_number_of_queries(
    client, employee, django_assert_max_num_queries
):
    def enrol_in_a_new_pathway():
        enrollment = EnrollmentFactory(person=employee)
        StepProgressFactory(enrollment=enrollment, status="approved")
        StepFactory(stage__pathway=enrollment.pathway)

    enrol_in_a_new_pathway()
    client.force_login(employee.user)
    # 1 session + 1 user + 1 their Person (with team and job role) + 1 groups and 1 led
    # teams (does the navigation offer the dashboard?) + 1 the Person's user again, for
    # the name in the heading + 1 enrolments with pathway and step counts annotated = 7.
    with django_assert_max_num_queries(7):
        assert client.get("/learning/").status_code == 200

    for _ in range(15):
        enrol_in_a_new_pathway()
    with django_assert_max_num_queries(7):
        assert client.get("/learning/").status_code == 200
