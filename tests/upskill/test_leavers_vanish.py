"""A leaver (an inactive user, as HR sync and SCIM make them) vanishes from every place
that lists people — the colleague picker, the assignment picker and assignment rules,
the review queue, the nudges and any notification — while their record stays. One test
per place."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from pathways import selectors as pathway_selectors
from pathways import services as pathway_services
from pathways.forms import AssignForm
from pathways.models import Enrollment, PathwayAssignment, StepProgress
from responsibilities import services as responsibility_services
from tests.factories import PersonFactory
from tests.pathways.factories import a_journey
from tests.pathways.test_learning_review import submitted
from upskill import access, notifications
from upskill.models import Notification

pytestmark = pytest.mark.django_db


def leave(person) -> None:
    person.user.is_active = False
    person.user.save(update_fields=["is_active"])


def test_a_leaver_is_not_offered_as_a_colleague_to_recognise(client):
    journey = a_journey()
    colleague = PersonFactory(
        team=journey.learner.team, user__first_name="Lee", user__last_name="Gone"
    )
    leave(colleague)

    colleagues = list(pathway_selectors.recognition_colleagues(journey.learner))
    client.force_login(journey.learner.user)
    page = client.get(reverse("pathways:recognition")).content.decode()

    assert colleague not in colleagues
    assert journey.manager in colleagues
    assert "Lee Gone" not in page


def test_a_leaver_is_not_offered_in_the_assignment_picker(client, ld_admin):
    journey = a_journey()
    leave(journey.learner)

    form = AssignForm()
    client.force_login(ld_admin)

    def picker(query: str) -> str:
        # The picker is a search (htmx) over people; a leaver must never be a match.
        return client.get(
            reverse("pathways:assign_people", args=[journey.pathway.pk]),
            {"q": query},
            headers={"HX-Request": "true"},
        ).content.decode()

    assert journey.learner not in form.fields["people"].queryset
    assert journey.manager in form.fields["people"].queryset
    offered = 'name="people" value="{}"'.format
    assert offered(journey.manager.pk) in picker("Okafor")
    assert offered(journey.learner.pk) not in picker("Rivera")
    team_matches = picker(journey.learner.team.name)
    assert offered(journey.manager.pk) in team_matches
    assert offered(journey.learner.pk) not in team_matches
    page = client.get(reverse("pathways:assign", args=[journey.pathway.pk])).content.decode()
    assert "Rivera" in page  # still in the page's enrolment table: history stays


def test_a_leaver_is_not_enrolled_by_a_standing_assignment_rule(ld_admin):
    journey = a_journey(status="published")
    stayer = PersonFactory(team=journey.learner.team)
    leaver = PersonFactory(team=journey.learner.team)
    leave(leaver)

    pathway_services.pathway_assign(
        pathway=journey.pathway, assigned_by=ld_admin, team=journey.learner.team
    )
    pathway_services.pathway_assignments_apply()

    assert PathwayAssignment.objects.filter(pathway=journey.pathway).exists()
    assert Enrollment.objects.filter(person=stayer, pathway=journey.pathway).exists()
    assert not Enrollment.objects.filter(person=leaver).exists()


def test_a_leavers_evidence_leaves_the_review_queue_and_stays_on_their_record(client):
    journey = a_journey()
    progress = submitted(journey)
    assert [p.pk for p in pathway_selectors.review_queue(journey.manager.user)] == [progress.pk]
    leave(journey.learner)
    journey.manager.user.refresh_from_db()

    client.force_login(journey.manager.user)
    response = client.get(reverse("pathways:review_queue"))

    assert list(pathway_selectors.review_queue(journey.manager.user)) == []
    assert journey.learner not in access.reviewable_people(journey.manager.user)
    assert "Sam Rivera" not in response.content.decode()
    assert StepProgress.objects.filter(pk=progress.pk, status="submitted").exists()


def test_a_leaver_gets_no_pulse_nudge(infrastructure):
    stayer, leaver = PersonFactory(), PersonFactory()
    leave(leaver)

    responsibility_services.survey_open(
        title="Pulse", closes_at=timezone.now() + dt.timedelta(days=3)
    )

    recipients = set(Notification.objects.values_list("recipient_id", flat=True))
    assert stayer.user_id in recipients
    assert leaver.user_id not in recipients


def test_a_leaver_is_never_a_notification_recipient():
    stayer, leaver = PersonFactory(), PersonFactory()
    leave(leaver)

    created = notifications.notifications_create(
        drafts=[
            notifications.NotificationDraft(
                recipient_id=person.user_id,
                kind="overdue",
                key=f"k{person.pk}",
                subject="s",
                url="/",
            )
            for person in (stayer, leaver)
        ]
    )

    assert created == 1
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [stayer.user_id]


def test_a_leaver_no_longer_counts_as_an_ld_admin_to_tell(ld_admin):
    ld_admin.is_active = False
    ld_admin.save(update_fields=["is_active"])

    assert ld_admin.pk not in access.ld_admin_user_ids()
