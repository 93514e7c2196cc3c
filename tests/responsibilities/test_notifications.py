"""The shared-responsibility side's notifications: pulse opened and closing, check-ins
due to the accountable party, commitments behind two periods running."""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from responsibilities import periods, services
from responsibilities.models import ResponsibilityArea
from responsibilities.notifications import commitments_due_notify
from tests.factories import (
    CommitmentCheckInFactory,
    CommitmentFactory,
    LDAdminFactory,
    PersonFactory,
    TeamFactory,
    UserFactory,
)
from upskill import notifications
from upskill.models import Notification

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]
Kind = Notification.Kind


def test_opening_a_pulse_tells_every_active_person_and_closing_soon_only_who_has_not_answered():
    team = TeamFactory()
    people = [PersonFactory(team=team) for _ in range(3)]
    leaver = PersonFactory(team=team, user__is_active=False)
    survey = services.survey_open(
        title="Spring pulse", closes_at=timezone.now() + dt.timedelta(days=5)
    )
    opened = Notification.objects.filter(kind=Kind.PULSE_OPENED)
    assert {n.recipient_id for n in opened} == {p.user_id for p in people}
    assert not Notification.objects.filter(recipient=leaver.user).exists()

    answers = {area.pk: ("employer", 4) for area in ResponsibilityArea.objects.all()}
    services.pulse_answer(survey=survey, person=people[0], answers=answers)
    # Four days later, two days before it closes:
    now = timezone.now() + dt.timedelta(days=3, hours=1)
    assert commitments_due_notify(now) >= 2
    closing = Notification.objects.filter(kind=Kind.PULSE_CLOSING)
    assert {n.recipient_id for n in closing} == {people[1].user_id, people[2].user_id}
    assert all("employer" not in n.body for n in Notification.objects.all())  # no answers
    commitments_due_notify(now)
    assert Notification.objects.filter(kind=Kind.PULSE_CLOSING).count() == 2


def test_a_check_in_due_goes_to_the_team_leaders_or_the_ld_admins_by_party():
    team = TeamFactory()
    leader, other_team_leader = UserFactory(), UserFactory()
    team.leaders.add(leader)
    TeamFactory().leaders.add(other_team_leader)
    admin = LDAdminFactory()
    managers = CommitmentFactory(party="manager", teams=[team], title="Coaching hours")
    ld = CommitmentFactory(party="ld", teams=[team], title="Sandbox access")
    now = timezone.now()
    last_week = periods.period_start(timezone.localdate(now) - dt.timedelta(days=7), "week")

    commitments_due_notify(now)

    due = Notification.objects.filter(kind=Kind.CHECK_IN_DUE)
    assert {(n.recipient_id, n.subject) for n in due} == {
        (leader.pk, f"Check-in due: “Coaching hours” for {team.name}"),
        (admin.pk, f"Check-in due: “Sandbox access” for {team.name}"),
    }
    assert due.get(recipient=leader).url == reverse(
        "responsibilities:check_in_record", args=[managers.pk, team.pk]
    )
    # Recorded: nothing more for that period; the job twice changes nothing.
    CommitmentCheckInFactory(commitment=ld, team=team, period_start=last_week, value=1)
    assert commitments_due_notify(now) == 0


def test_a_commitment_under_amber_two_periods_running_is_behind():
    team = TeamFactory()
    leader = UserFactory()
    team.leaders.add(leader)
    commitment = CommitmentFactory(party="leadership", teams=[team], target=Decimal("4"))
    today = timezone.localdate()
    this_week = periods.period_start(today, "week")
    one, two = this_week - dt.timedelta(days=7), this_week - dt.timedelta(days=14)
    CommitmentCheckInFactory(commitment=commitment, team=team, period_start=two, value=1)
    CommitmentCheckInFactory(commitment=commitment, team=team, period_start=one, value=3.5)
    commitments_due_notify(timezone.now())
    assert not Notification.objects.filter(kind=Kind.COMMITMENT_BEHIND).exists()  # one period

    commitment.check_ins.filter(period_start=one).update(value=2)
    commitments_due_notify(timezone.now())
    [behind] = Notification.objects.filter(kind=Kind.COMMITMENT_BEHIND)
    assert behind.recipient == leader
    commitments_due_notify(timezone.now())
    assert Notification.objects.filter(kind=Kind.COMMITMENT_BEHIND).count() == 1


def test_no_email_or_log_line_carries_pulse_answers(
    client, smtp_server, caplog, django_capture_on_commit_callbacks
):
    """Answer a pulse through the page, then run everything that notifies and sends
    (opening, the closing-soon nudge, the job, the emails): no log record at any level
    and no email names an answer."""
    team = TeamFactory()
    answerer, quiet = PersonFactory(team=team), PersonFactory(team=team)
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        survey = services.survey_open(
            title="Spring pulse", closes_at=timezone.now() + dt.timedelta(days=5)
        )
    client.force_login(answerer.user)
    areas = list(ResponsibilityArea.objects.all())
    # Distinctive answers: each area a different owner side, ratings 1-5.
    owners = ["employer", "employee", "shared"]
    answers = {f"owner_{a.pk}": owners[i % 3] for i, a in enumerate(areas)} | {
        f"rating_{a.pk}": str(1 + i % 5) for i, a in enumerate(areas)
    }
    with caplog.at_level(logging.DEBUG), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("responsibilities:pulse_answer", args=[survey.pk]), answers)
        assert response.status_code == 302
        commitments_due_notify(timezone.now() + dt.timedelta(days=3, hours=1))
        notifications.notification_emails_send()

    assert {r.rcpt_tos[0] for r in smtp_server.received} == {
        answerer.user.email,
        quiet.user.email,
    }
    texts = [r.getMessage() for r in caplog.records] + [
        part for r in smtp_server.received for part in (r.text, r.html, r.message["Subject"])
    ]
    assert caplog.records  # the job and the mail client did log
    for text in texts:
        assert not any(owner in text for owner in owners), text
        assert not any(area.name in text for area in areas), text
        assert "rating" not in text.lower(), text
