"""The review queue: the learner's manager or a leader above them reviews submitted
evidence against the learner's role rubric; nobody else, and never their own."""

import re

import pytest
from django.utils import timezone

from pathways.models import StepProgress
from pathways.services import learning as services
from tests.factories import PersonFactory, StepFactory, TeamFactory, UserFactory
from tests.pathways.factories import a_journey, submitted
from upskill import notifications
from upskill.models import Notification

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def test_the_manager_sees_the_evidence_beside_the_rubric_for_the_learners_role(client):
    journey = a_journey()
    submitted(journey)
    client.force_login(journey.manager.user)

    html = client.get("/learning/reviews/").content.decode()

    assert "Drafted 12 replies with the assistant; kept 9." in html
    assert "Sam Rivera" in html
    assert "Draft five real replies" in html
    assert f"What good looks like for a {journey.learner.job_role}" in html
    assert "Drafts unaided and checks." in html  # the learner's role rubric, level 3
    assert "(the step aims for 3)" in html


def test_a_leader_of_a_team_above_the_learner_reviews_too(client):
    journey = a_journey()
    leader = UserFactory()
    parent = TeamFactory(leaders=[leader])
    journey.learner.team.parent = parent
    journey.learner.team.save()
    progress = submitted(journey)
    client.force_login(leader)

    assert "Draft five real replies" in client.get("/learning/reviews/").content.decode()
    response = client.post(
        f"/learning/reviews/{progress.pk}/", {"decision": "approve", "rubric_level": "2"}
    )

    assert response.status_code == 302
    progress.refresh_from_db()
    assert (progress.status, progress.rubric_level, progress.reviewer) == ("approved", 2, None)


def test_approving_in_place_shows_the_outcome_and_unlocks_the_learners_next_step(client):
    journey = a_journey()
    progress = submitted(journey)
    client.force_login(journey.manager.user)

    response = client.post(
        f"/learning/reviews/{progress.pk}/",
        {"decision": "approve", "rubric_level": "3", "comment": "Good checks."},
        **HTMX,
    )

    html = response.content.decode()
    assert f'id="review-{progress.pk}"' in html
    assert "<html" not in html
    assert "Saved: approved</strong> at level 3 — Proficient" in html
    progress.refresh_from_db()
    assert (progress.status, progress.reviewer) == ("approved", journey.manager)
    client.force_login(journey.learner.user)
    step_page = client.get(f"/learning/{journey.pathway.slug}/steps/share/").content.decode()
    assert "Mark as done" in step_page  # unlocked


def test_requesting_changes_needs_a_comment(client):
    journey = a_journey()
    progress = submitted(journey)
    client.force_login(journey.manager.user)
    url = f"/learning/reviews/{progress.pk}/"

    refused = client.post(url, {"decision": "changes", "comment": ""}, **HTMX)
    done = client.post(url, {"decision": "changes", "comment": "Add timings."}, **HTMX)

    assert "Say what to change" in refused.content.decode()
    assert "Saved: changes requested" in done.content.decode()
    progress.refresh_from_db()
    assert (progress.status, progress.review_comment) == ("changes_requested", "Add timings.")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"decision": "approve"}, "Choose the rubric level the evidence shows"),
        ({"decision": "approve", "rubric_level": "7"}, "Choose a rubric level from 1 to 4."),
        ({"decision": "approve", "rubric_level": "x"}, "Choose a rubric level from 1 to 4."),
        ({"rubric_level": "3"}, "Choose to approve or to request changes."),
    ],
)
def test_bad_review_input_gets_a_clear_message_and_changes_nothing(client, data, message):
    journey = a_journey()
    progress = submitted(journey)
    client.force_login(journey.manager.user)

    response = client.post(f"/learning/reviews/{progress.pk}/", data, **HTMX)

    assert response.status_code == 200
    assert message in response.content.decode()
    progress.refresh_from_db()
    assert progress.status == "submitted"


def test_a_stale_second_review_says_it_was_already_reviewed_and_changes_nothing(client):
    journey = a_journey()
    progress = submitted(journey)
    client.force_login(journey.manager.user)
    url = f"/learning/reviews/{progress.pk}/"
    client.post(url, {"decision": "approve", "rubric_level": "3"}, **HTMX)

    again = client.post(url, {"decision": "changes", "comment": "Redo."}, **HTMX)

    assert "already approved" in again.content.decode()
    progress.refresh_from_db()
    assert (progress.status, progress.rubric_level) == ("approved", 3)


def test_people_who_do_not_review_the_learner_get_403_and_change_nothing(client):
    journey = a_journey()
    progress = submitted(journey)
    url = f"/learning/reviews/{progress.pk}/"
    outsiders = [
        PersonFactory(team=journey.learner.team).user,  # a teammate
        PersonFactory(manager=PersonFactory()).user,  # someone else's manager's report
        UserFactory(),  # no Person at all
        TeamFactory(leaders=[UserFactory()]).leaders.get(),  # leads an unrelated team
    ]

    for user in outsiders:
        client.force_login(user)
        response = client.post(url, {"decision": "approve", "rubric_level": "4"})
        assert response.status_code == 403
        assert client.get(url).status_code == 403

    progress.refresh_from_db()
    assert progress.status == "submitted"


def test_the_learner_cannot_review_their_own_evidence_even_as_a_team_leader(client):
    journey = a_journey()
    journey.learner.team.leaders.add(journey.learner.user)
    progress = submitted(journey)
    client.force_login(journey.learner.user)

    response = client.post(
        f"/learning/reviews/{progress.pk}/", {"decision": "approve", "rubric_level": "4"}
    )

    assert response.status_code == 403
    assert "Draft five real replies" not in client.get("/learning/reviews/").content.decode()
    progress.refresh_from_db()
    assert progress.status == "submitted"


def test_the_queue_is_403_for_people_who_review_nobody(client):
    client.force_login(PersonFactory().user)

    assert client.get("/learning/reviews/").status_code == 403


def test_an_unknown_submission_is_404(client):
    journey = a_journey()
    client.force_login(journey.manager.user)

    assert client.get("/learning/reviews/999999/").status_code == 404


def test_review_queue_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    journey = a_journey()
    submitted(journey)
    client.force_login(journey.manager.user)
    # 1 session + 1 user + 1 the reviewer's Person (which says they have reports, so
    # "reviews anyone?" costs nothing more) + 1 led teams (navigation: dashboards?)
    # + 1 how many submissions wait (the pager's count) + 1 one page of them with
    # learner, role, pathway, step, product and competency + 1 the rubrics for those
    # roles x competencies + 1 groups (navigation) = 8.
    with django_assert_num_queries(8):
        assert client.get("/learning/reviews/").status_code == 200

    for _ in range(24):  # more than one page (20)
        report = PersonFactory(
            team=journey.learner.team, manager=journey.manager, job_role=journey.learner.job_role
        )
        step = StepFactory(
            stage__pathway=journey.pathway,
            kind="practice",
            competency=journey.practise.competency,
        )
        enrollment = services.enrollment_self_enrol(person=report, pathway=journey.pathway)
        StepProgress.objects.create(
            enrollment=enrollment,
            step=step,
            status="submitted",
            evidence="Did it.",
            submitted_at=timezone.now(),
        )
    with django_assert_num_queries(8):
        html = client.get("/learning/reviews/").content.decode()
    assert html.count('class="card review-item"') == 20
    assert "Page 1 of 2" in html
    assert 'href="?page=2"' in html
    with django_assert_num_queries(8):
        html = client.get("/learning/reviews/?page=2").content.decode()
    assert html.count('class="card review-item"') == 5
    assert 'href="?page=1"' in html


def test_the_review_queue_pages_oldest_first_without_losing_or_repeating_anyone(client):
    journey = a_journey()
    first = submitted(journey)
    for _ in range(22):
        report = PersonFactory(
            team=journey.learner.team, manager=journey.manager, job_role=journey.learner.job_role
        )
        step = StepFactory(stage__pathway=journey.pathway, kind="practice")
        enrollment = services.enrollment_self_enrol(person=report, pathway=journey.pathway)
        StepProgress.objects.create(
            enrollment=enrollment, step=step, status="submitted", submitted_at=timezone.now()
        )
    client.force_login(journey.manager.user)

    shown = []
    for number in (1, 2):
        page = client.get(f"/learning/reviews/?page={number}")
        shown += [item.pk for item in page.context["submissions"]]
    assert shown[0] == first.pk
    assert sorted(shown) == sorted(
        StepProgress.objects.filter(status="submitted").values_list("pk", flat=True)
    )
    # A page past the end shows the last page, never an error.
    assert client.get("/learning/reviews/?page=99").context["page"].number == 2


def test_an_already_reviewed_submission_shows_its_outcome_and_no_form(client):
    journey = a_journey()
    progress = submitted(journey)
    services.evidence_approve(progress=progress, reviewer=journey.manager, rubric_level=2)
    client.force_login(journey.manager.user)

    html = client.get(f"/learning/reviews/{progress.pk}/").content.decode()

    assert "Already reviewed: done at level 2 — Practising by Tom Okafor" in html
    assert 'name="decision"' not in html


def test_the_reviews_link_carries_the_number_waiting_in_a_fixed_number_of_queries(
    client, django_assert_num_queries
):
    journey = a_journey()
    submitted(journey)
    journey.learner.team.leaders.add(journey.manager.user)  # "Reviews" is in leaders' top bar
    client.force_login(journey.manager.user)
    assert 'hx-get="/learning/reviews/count/?bell=1"' in client.get("/learning/reviews/").text
    # 1 session + 1 user + 1 the reviewer's Person + 1 led teams and every team below
    # them (and whether anyone is in each: access's reviewable people) + 1 the count = 5
    # (the navigation context is not worked out: the fragment renders none of it).
    with django_assert_num_queries(5):
        count = client.get("/learning/reviews/count/", **HTMX).text
    assert (
        '<span class="count-badge">1</span><span class="visually-hidden"> waiting</span>' in count
    )
    for _ in range(3):
        report = PersonFactory(
            team=journey.learner.team, manager=journey.manager, job_role=journey.learner.job_role
        )
        step = StepFactory(stage__pathway=journey.pathway, kind="practice")
        enrollment = services.enrollment_self_enrol(person=report, pathway=journey.pathway)
        StepProgress.objects.create(enrollment=enrollment, step=step, status="submitted")
    with django_assert_num_queries(5):
        count = client.get("/learning/reviews/count/", **HTMX).text
    assert '<span class="count-badge">4</span>' in count


def test_a_reviewers_page_loads_both_top_bar_counts_in_one_request(
    client, django_assert_num_queries
):
    """A reviewer's bell does not load itself: the review count's answer carries it as an
    out-of-band swap (one request after the page instead of two)."""
    journey = a_journey()
    submitted(journey)
    journey.learner.team.leaders.add(journey.manager.user)
    notifications.notifications_create(
        drafts=[
            notifications.NotificationDraft(
                recipient_id=journey.manager.user.pk,
                kind=Notification.Kind.OVERDUE,
                key="one",
                subject="Something",
                url="/learning/",
            )
        ]
    )
    client.force_login(journey.manager.user)
    page = client.get("/learning/reviews/").text
    assert 'hx-get="/learning/reviews/count/?bell=1" hx-trigger="load"' in page
    assert 'hx-get="/notifications/bell/" hx-trigger="notifications-changed from:body"' in page
    # the five of the count alone, and the unread count
    with django_assert_num_queries(6):
        both = client.get("/learning/reviews/count/?bell=1", **HTMX).text
    assert '<span class="count-badge">1</span>' in both
    assert 'id="notification-bell"' in both
    assert 'hx-swap-oob="true"' in both
    # the evidence's own "waiting for your review" and the one above
    assert 'data-unread="2"' in both
    # asked without ?bell=1 (an older page), the count comes alone
    assert 'id="notification-bell"' not in client.get("/learning/reviews/count/", **HTMX).text


def test_someone_with_nothing_to_review_gets_no_number(client):
    journey = a_journey()
    client.force_login(journey.learner.user)
    count = client.get("/learning/reviews/count/", **HTMX).text
    assert "count-badge" not in count
    assert 'id="review-count"' in count


# --- Evidence the learner edits or withdraws before it is reviewed -----------------------


def test_an_edit_shows_in_the_queue_and_a_review_of_the_older_version_is_refused(client):
    journey = a_journey()
    progress = submitted(journey, evidence="First version.")
    client.force_login(journey.manager.user)
    queue = client.get("/learning/reviews/").text
    (read,) = re.findall(r'name="evidence_version" value="([^"]+)"', queue)
    services.evidence_edit(
        person=journey.learner,
        enrollment=journey.enrollment,
        step=journey.practise,
        evidence="Second version.",
    )

    refused = client.post(
        f"/learning/reviews/{progress.pk}/",
        {"decision": "approve", "rubric_level": "3", "comment": "Nice.", "evidence_version": read},
        **HTMX,
    )

    html = refused.text
    assert "Sam Rivera changed this evidence while you were reviewing it" in html
    assert "Second version." in html  # the new version, to read before judging again
    assert "First version." not in html
    assert "Nice.</textarea>" in html  # what the reviewer typed is kept
    assert "· <strong>edited " in html
    (now,) = re.findall(r'name="evidence_version" value="([^"]+)"', html)
    assert now != read
    progress.refresh_from_db()
    assert progress.status == "submitted"
    approved = client.post(
        f"/learning/reviews/{progress.pk}/",
        {"decision": "approve", "rubric_level": "3", "evidence_version": now},
        **HTMX,
    )
    assert "Saved: approved" in approved.text


def test_withdrawn_evidence_leaves_the_queue_and_its_review_page_says_so(client):
    journey = a_journey()
    progress = submitted(journey, evidence="Drafted 12 replies.")
    journey.learner.team.leaders.add(journey.manager.user)
    client.force_login(journey.manager.user)
    assert 'count-badge">1<' in client.get("/learning/reviews/count/", **HTMX).text

    services.evidence_withdraw(
        person=journey.learner, enrollment=journey.enrollment, step=journey.practise
    )

    queue = client.get("/learning/reviews/").text
    assert "Nothing is waiting for your review." in queue
    assert "count-badge" not in client.get("/learning/reviews/count/", **HTMX).text
    page = client.get(f"/learning/reviews/{progress.pk}/").text
    assert "Sam Rivera withdrew this evidence; it is no longer waiting for review." in page
    assert "Drafted 12 replies." not in page  # the learner's draft again, not the reviewer's
    assert 'name="decision"' not in page
    late = client.post(
        f"/learning/reviews/{progress.pk}/", {"decision": "approve", "rubric_level": "2"}
    )
    assert late.status_code == 200
    assert "Sam Rivera withdrew this evidence" in late.text
    progress.refresh_from_db()
    assert progress.status == "in_progress"
