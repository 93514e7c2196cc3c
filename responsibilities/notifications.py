"""The shared-responsibility side's nudges, through upskill's notification service:
a pulse opened for you, "closes in 2 days" if you have not answered, a check-in due for
a commitment you are accountable for, and a commitment falling behind (under the amber
threshold two periods running). Bodies never carry pulse answers. Registered as a due
job in ResponsibilitiesConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from responsibilities import periods
from responsibilities.models import AlignmentSurvey, CommitmentCheckIn, Party
from responsibilities.selectors import AMBER_AT, commitments_for_teams, fulfilment_rows
from upskill import access, notifications
from upskill.models import Notification, Person, Team

Kind = Notification.Kind
CLOSING_WITHIN = dt.timedelta(days=2)


def _people_user_ids(*, exclude_answered_survey: AlignmentSurvey | None = None) -> list[int]:
    people = Person.objects.filter(user__is_active=True)
    if exclude_answered_survey is not None:
        people = people.exclude(alignment_answers__survey=exclude_answered_survey)
    return list(people.order_by().values_list("user_id", flat=True).distinct())


def pulse_opened_notify(*, survey: AlignmentSurvey) -> int:
    """Everyone with a Person record may answer the pulse: tell them it is open."""
    url = reverse("responsibilities:pulse_answer", args=[survey.pk])
    closes = timezone.localtime(survey.closes_at)
    return notifications.notifications_create(
        drafts=[
            notifications.NotificationDraft(
                recipient_id=user_id,
                kind=Kind.PULSE_OPENED,
                key=f"pulse_opened:{survey.pk}:{user_id}",
                subject=f"A pulse is open: “{survey.title}”",
                body=f"Say who you believe owns each area; it closes {closes:%-d %B, %H:%M}.",
                url=url,
            )
            for user_id in _people_user_ids()
        ]
    )


def _pulse_closing(now: dt.datetime) -> int:
    survey = AlignmentSurvey.objects.filter(
        status=AlignmentSurvey.Status.OPEN, closes_at__gt=now, closes_at__lte=now + CLOSING_WITHIN
    ).first()
    if survey is None:
        return 0
    url = reverse("responsibilities:pulse_answer", args=[survey.pk])
    return notifications.notifications_create(
        drafts=[
            notifications.NotificationDraft(
                recipient_id=user_id,
                kind=Kind.PULSE_CLOSING,
                key=f"pulse_closing:{survey.pk}:{user_id}",
                subject=f"“{survey.title}” closes in 2 days",
                body="You have not answered yet; it takes a few minutes.",
                url=url,
            )
            for user_id in _people_user_ids(exclude_answered_survey=survey)
        ]
    )


def _accountable(commitment, team_id: int, leaders: dict, admins: list[int]) -> list[int]:
    """Who a commitment's party says records it for a team: L&D admins for L&D's
    commitments, the team's leaders for everyone else's."""
    return admins if commitment.party == Party.LD else leaders.get(team_id, [])


def _commitments(now: dt.datetime):
    """The active commitments, teams, their leaders and the L&D admins: four queries."""
    teams = list(Team.objects.order_by("pk"))
    commitments = list(commitments_for_teams([t.pk for t in teams]))
    leaders: dict[int, list[int]] = defaultdict(list)
    for team_id, user_id in Team.leaders.through.objects.filter(user__is_active=True).values_list(
        "team_id", "user_id"
    ):
        leaders[team_id].append(user_id)
    admins = list(_ld_admin_user_ids())
    return teams, commitments, leaders, admins


def _ld_admin_user_ids():
    return (
        get_user_model()
        .objects.filter(Q(is_superuser=True) | Q(groups__name=access.LD_ADMINS_GROUP))
        .filter(is_active=True)
        .values_list("pk", flat=True)
        .distinct()
    )


def _check_ins_and_behind(now: dt.datetime) -> int:
    today = timezone.localdate(now)
    teams, commitments, leaders, admins = _commitments(now)
    if not teams or not commitments:
        return 0
    drafts = []
    # Check-in due: the period just ended has no check-in (hand-recorded commitments).
    manual = [c for c in commitments if not c.computed_from]
    last_starts = {
        c.pk: periods.period_start(
            periods.period_start(today, c.period) - dt.timedelta(days=1), c.period
        )
        for c in manual
    }
    recorded = set(
        CommitmentCheckIn.objects.filter(
            commitment__in=manual, period_start__in=set(last_starts.values())
        ).values_list("commitment_id", "team_id", "period_start")
    )
    for commitment in manual:
        scope = {t.pk for t in commitment.teams.all()}
        start = last_starts[commitment.pk]
        for team in teams:
            if (scope and team.pk not in scope) or (commitment.pk, team.pk, start) in recorded:
                continue
            for user_id in _accountable(commitment, team.pk, leaders, admins):
                drafts.append(
                    notifications.NotificationDraft(
                        recipient_id=user_id,
                        kind=Kind.CHECK_IN_DUE,
                        key=f"check_in_due:{commitment.pk}:{team.pk}:{start}:{user_id}",
                        subject=f"Check-in due: “{commitment.title}” for {team.name}",
                        body="Record what was delivered for "
                        f"{periods.period_label(start, commitment.period)}.",
                        url=reverse(
                            "responsibilities:check_in_record", args=[commitment.pk, team.pk]
                        ),
                    )
                )
    # Falling behind: the two periods before the current one both under amber. The
    # selector applies the same suppression as the fulfilment page.
    for row in fulfilment_rows(teams=teams, commitments=commitments, today=today, count=3):
        previous, last = row.cells[0], row.cells[1]
        if previous.state != "behind" or last.state != "behind":
            continue
        for user_id in _accountable(row.commitment, row.team.pk, leaders, admins):
            drafts.append(
                notifications.NotificationDraft(
                    recipient_id=user_id,
                    kind=Kind.COMMITMENT_BEHIND,
                    key=f"commitment_behind:{row.commitment.pk}:{row.team.pk}:{last.period_start}:{user_id}",
                    subject=f"Falling behind: “{row.commitment.title}” for {row.team.name}",
                    body=f"Under {round(100 * AMBER_AT)}% of its target in "
                    f"{previous.label} and {last.label}.",
                    url=reverse("responsibilities:fulfilment") + f"?team={row.team.pk}",
                )
            )
    return notifications.notifications_create(drafts=drafts)


def commitments_due_notify(now: dt.datetime) -> int:
    """The due job: pulse closing, check-ins due, commitments behind."""
    return _pulse_closing(now) + _check_ins_and_behind(now)
