"""The employee's "My learning" page."""

import datetime as dt

from django.utils import timezone

from pathways.models import Enrollment, Pathway
from pathways.services import learning as services
from tests.factories import (
    EnrollmentFactory,
    PathwayFactory,
    PersonFactory,
    StageFactory,
    StepFactory,
    StepProgressFactory,
)
from tests.pathways.factories import a_journey


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


def test_my_learning_has_no_coming_soon_placeholder(client, employee):
    client.force_login(employee.user)

    assert "Coming soon" not in client.get("/learning/").content.decode()


def test_my_learning_shows_progress_by_stage_and_the_single_next_step(client, db):
    journey = a_journey()
    services.step_mark_done(enrollment=journey.enrollment, step=journey.learn)
    client.force_login(journey.learner.user)

    html = client.get("/learning/").content.decode()

    assert "1 of 4 steps done" in html
    assert 'aria-label="Foundations: 1 of 2 steps done"' in html
    assert 'aria-label="Practice: 0 of 2 steps done"' in html
    next_step = f'href="/learning/{journey.pathway.slug}/steps/reflect/">Reflect</a>'
    assert f'Next step: <a class="button primary" {next_step}' in html


def test_an_enrolment_past_its_due_date_is_marked_overdue(client, db):
    journey = a_journey()
    journey.enrollment.due_date = timezone.localdate() - dt.timedelta(days=1)
    journey.enrollment.save()
    client.force_login(journey.learner.user)

    html = client.get("/learning/").content.decode()

    assert "Overdue" in html
    assert "Was due" in html


def test_a_completed_enrolment_is_not_overdue(client, db):
    journey = a_journey()
    journey.enrollment.due_date = timezone.localdate() - dt.timedelta(days=1)
    journey.enrollment.completed_at = timezone.now()
    journey.enrollment.save()
    client.force_login(journey.learner.user)

    assert "Overdue" not in client.get("/learning/").content.decode()


def test_i_can_self_enrol_in_published_pathways_for_my_role_only(client, employee):
    mine = PathwayFactory(title="For my role", target_roles=[employee.job_role])
    PathwayFactory(title="Another role", target_roles=[PersonFactory().job_role])
    PathwayFactory(
        title="Draft for me", target_roles=[employee.job_role], status=Pathway.Status.DRAFT
    )
    client.force_login(employee.user)

    html = client.get("/learning/").content.decode()
    assert "For my role" in html
    assert "Another role" not in html
    assert "Draft for me" not in html

    response = client.post(f"/learning/enrol/{mine.slug}/", follow=True)

    assert "You are enrolled in “For my role”" in response.content.decode()
    assert Enrollment.objects.get(person=employee).source == "self"


def test_enrolling_twice_or_in_another_roles_pathway_is_refused_with_a_message(client, employee):
    mine = PathwayFactory(target_roles=[employee.job_role])
    other = PathwayFactory(target_roles=[PersonFactory().job_role])
    client.force_login(employee.user)
    client.post(f"/learning/enrol/{mine.slug}/")

    twice = client.post(f"/learning/enrol/{mine.slug}/", follow=True).content.decode()
    elsewhere = client.post(f"/learning/enrol/{other.slug}/", follow=True).content.decode()

    assert "already enrolled" in twice
    assert "not aimed at your role" in elsewhere
    assert Enrollment.objects.filter(person=employee).count() == 1


def test_the_commitments_panel_lazy_loads_my_teams_fulfilment_with_a_real_link(client, employee):
    client.force_login(employee.user)

    html = client.get("/learning/").content.decode()

    url = f"/responsibilities/fulfilment/?team={employee.team.slug}"
    assert f'hx-get="{url}&amp;nudge=1&amp;bell=1" hx-trigger="load"' in html
    assert f'<a href="{url}">' in html
    assert client.get(url, HTTP_HX_REQUEST="true").status_code == 200


def test_the_start_confidence_prompt_shows_for_a_new_enrolment(client, db):
    journey = a_journey()
    client.force_login(journey.learner.user)

    html = client.get("/learning/").content.decode()

    assert "Before you begin: how confident are you using AI in your work?" in html


def test_the_review_queue_is_linked_only_for_people_who_review(client, db):
    journey = a_journey()

    client.force_login(journey.manager.user)
    assert 'href="/learning/reviews/"' in client.get("/learning/").content.decode()
    client.force_login(journey.learner.user)
    assert 'href="/learning/reviews/"' not in client.get("/learning/").content.decode()


def test_my_learning_runs_a_fixed_number_of_queries(client, employee, django_assert_num_queries):
    def enrol_in_a_new_pathway():
        enrollment = EnrollmentFactory(person=employee)
        StepProgressFactory(enrollment=enrollment, status="approved")
        StepFactory(stage__pathway=enrollment.pathway)
        PathwayFactory(target_roles=[employee.job_role])  # one to self-enrol in

    enrol_in_a_new_pathway()
    client.force_login(employee.user)
    # 1 session + 1 user + 1 their Person (with team and job role) + 1 enrolments with
    # pathway and step counts + 5 the plans of all enrolments together (stages, live
    # steps, prerequisites, progress, confidence ratings) + 1 pathways to self-enrol in
    # + 1 led teams for "may review?" in the subnav (whether they have reports rides on
    # the Person query) + 1 groups (navigation) = 12. (The Person comes with its user,
    # team and job role, so the heading costs nothing.)
    with django_assert_num_queries(12):
        assert client.get("/learning/").status_code == 200

    for _ in range(15):
        enrol_in_a_new_pathway()
    with django_assert_num_queries(12):
        assert client.get("/learning/").status_code == 200


def test_a_completed_card_does_not_say_due_or_assigned(client, db):
    journey = a_journey()
    journey.enrollment.due_date = timezone.localdate() + dt.timedelta(days=3)
    journey.enrollment.completed_at = timezone.now()
    journey.enrollment.save()
    client.force_login(journey.learner.user)
    card = client.get("/learning/").text.split('id="enrollment-')[1].split("</li>")[0]
    assert "Completed" in card
    assert '<p class="due">' not in card
    assert "Due " not in card
