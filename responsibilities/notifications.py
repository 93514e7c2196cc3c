"""The shared-responsibility side's nudges, through upskill's notification service:
a pulse opened for you, "closes in 2 days" if you have not answered, a check-in due for
a commitment you are accountable for, and a commitment falling behind (under the amber
threshold two periods running). Bodies never carry pulse answers. Registered as a due
job in ResponsibilitiesConfig.ready()."""

from __future__ import annotations

import datetime as dt

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


def _pulse_drafts(
    survey: AlignmentSurvey, *, kind: str, subject: str, body: str, user_ids: list[int]
) -> list[notifications.NotificationDraft]:
    url = reverse("responsibilities:pulse_answer", args=[survey.pk])
    return [
        notifications.NotificationDraft(
            recipient_id=user_id,
            kind=kind,
            key=f"{kind}:{survey.pk}:{user_id}",
            subject=subject,
            body=body,
            url=url,
        )
        for user_id in user_ids
    ]


def pulse_opened_notify(*, survey: AlignmentSurvey) -> int:
    """Everyone with a Person record may answer the pulse: tell them it is open."""
    closes = timezone.localtime(survey.closes_at)
    drafts = _pulse_drafts(
        survey,
        kind=Kind.PULSE_OPENED,
        subject=f"A pulse is open: “{survey.title}”",
        body=f"Say who you believe owns each area; it closes {closes:%-d %B, %H:%M}.",
        user_ids=_people_user_ids(),
    )
    return notifications.notifications_create(drafts=drafts)


def _pulse_closing(now: dt.datetime) -> int:
    survey = AlignmentSurvey.objects.filter(
        status=AlignmentSurvey.Status.OPEN, closes_at__gt=now, closes_at__lte=now + CLOSING_WITHIN
    ).first()
    if survey is None:
        return 0
    drafts = _pulse_drafts(
        survey,
        kind=Kind.PULSE_CLOSING,
        subject=f"“{survey.title}” closes in 2 days",
        body="You have not answered yet; it takes a few minutes.",
        user_ids=_people_user_ids(exclude_answered_survey=survey),
    )
    return notifications.notifications_create(drafts=drafts)


def _accountable(commitment, team_id: int, leaders: dict, admins: list[int]) -> list[int]:
    """Who a commitment's party says records it for a team: L&D admins for L&D's
    commitments, the team's leaders for everyone else's."""
    return admins if commitment.party == Party.LD else leaders.get(team_id, [])


def _commitments(now: dt.datetime):
    """The active commitments, teams, their leaders and the L&D admins: four queries."""
    teams = list(Team.objects.order_by("pk"))
    commitments = list(commitments_for_teams([t.pk for t in teams]))
    return teams, commitments, access.leaders_by_team(), access.ld_admin_user_ids()


def _check_ins_and_behind(now: dt.datetime) -> int:
    today = timezone.localdate(now)
    teams, commitments, leaders, admins = _commitments(now)
    if not teams or not commitments:
        return 0
    events = _Events()
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
            events.add(
                kind=Kind.CHECK_IN_DUE,
                key=f"check_in_due:{commitment.pk}:{team.pk}:{start}",
                team_id=team.pk,
                user_ids=_accountable(commitment, team.pk, leaders, admins),
                subject=f"Check-in due: “{commitment.title}” for {team.name}",
                body="Record what was delivered for "
                f"{periods.period_label(start, commitment.period)}.",
                url=reverse("responsibilities:check_in_record", args=[commitment.pk, team.pk]),
            )
    # Falling behind: the two periods before the current one both under amber. The
    # selector applies the same suppression as the fulfilment page.
    for row in fulfilment_rows(teams=teams, commitments=commitments, today=today, count=3):
        previous, last = row.cells[0], row.cells[1]
        if previous.state != "behind" or last.state != "behind":
            continue
        events.add(
            kind=Kind.COMMITMENT_BEHIND,
            key=f"commitment_behind:{row.commitment.pk}:{row.team.pk}:{last.period_start}",
            team_id=row.team.pk,
            user_ids=_accountable(row.commitment, row.team.pk, leaders, admins),
            subject=f"Falling behind: “{row.commitment.title}” for {row.team.name}",
            body=f"Under {round(100 * AMBER_AT)}% of its target in "
            f"{previous.label} and {last.label}.",
            url=reverse("responsibilities:fulfilment") + f"?team={row.team.pk}",
        )
    notifications.team_chat_posts_create(drafts=events.chat_posts)
    return notifications.notifications_create(drafts=events.notifications)


class _Events:
    """A team-level event becomes one notification per accountable person (the key
    plus their id) and one post for the team's chat channel (the key alone)."""

    def __init__(self) -> None:
        self.notifications: list[notifications.NotificationDraft] = []
        self.chat_posts: list[notifications.TeamChatPostDraft] = []

    def add(self, *, kind, key, team_id, user_ids, subject, body, url) -> None:
        self.notifications += [
            notifications.NotificationDraft(
                recipient_id=user_id,
                kind=kind,
                key=f"{key}:{user_id}",
                subject=subject,
                body=body,
                url=url,
            )
            for user_id in user_ids
        ]
        self.chat_posts.append(
            notifications.TeamChatPostDraft(
                team_id=team_id, kind=kind, key=key, subject=subject, body=body, url=url
            )
        )


def commitments_due_notify(now: dt.datetime) -> int:
    """The due job: pulse closing, check-ins due, commitments behind."""
    return _pulse_closing(now) + _check_ins_and_behind(now)
