"""The standoff score: how far each team is from shared traction, at each pulse.

Computed once per scope, day and generation of its inputs (the organisation, the
matrix, commitments and check-ins, pulses and answers), then read from the figures
cache (upskill.cache)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Count, QuerySet
from django.utils import timezone

from responsibilities import periods
from responsibilities.models import (
    AlignmentAnswer,
    AlignmentSurvey,
    CommitmentCheckIn,
    Party,
    ResponsibilityArea,
)
from responsibilities.selectors.fulfilment import commitments_for_teams
from upskill import cache, privacy
from upskill.models import Team
from upskill.selectors import team_sizes


@dataclass(frozen=True)
class StandoffScore:
    """How far one team is from shared traction, at one pulse: 0 = shared traction,
    100 = full standoff. The mean of the components that can be shown:

    - perception gap: the share of the team's pulse answers that disagree with the agreed
      matrix on who owns an area;
    - employer shortfall / employee shortfall: 100 minus the mean fulfilment (capped at
      100%) of that side's commitments for the team over the last three periods up to
      the pulse.
    """

    team: Team
    survey: AlignmentSurvey
    respondents: int | None  # None below MIN_GROUP_SIZE: a hidden cell's size is not kept
    perception_gap: int | None
    employer_shortfall: int | None
    employee_shortfall: int | None

    @property
    def components(self) -> list[int]:
        return [
            c
            for c in (self.perception_gap, self.employer_shortfall, self.employee_shortfall)
            if c is not None
        ]

    @property
    def score(self) -> int | None:
        parts = self.components
        return round(sum(parts) / len(parts)) if parts else None

    @property
    def missing(self) -> list[str]:
        names = []
        if self.perception_gap is None:
            names.append("perception gap (fewer than the minimum group answered)")
        if self.employer_shortfall is None:
            names.append("employer fulfilment (no check-ins)")
        if self.employee_shortfall is None:
            names.append("employee fulfilment (no check-ins, or too few people)")
        return names


def pulses_taken() -> QuerySet[AlignmentSurvey]:
    """The pulses a standoff score is taken at (every one but drafts), oldest first."""
    return AlignmentSurvey.objects.exclude(status=AlignmentSurvey.Status.DRAFT).order_by(
        "opens_at", "pk"
    )


def _shortfall(ratios: list[float]) -> int | None:
    if not ratios:
        return None
    return round(100 * (1 - sum(min(r, 1.0) for r in ratios) / len(ratios)))


def standoff_scores(
    *, teams: list[Team], surveys: list[AlignmentSurvey]
) -> dict[int, list[StandoffScore]]:
    """Each team's standoff score at each pulse (oldest first). One query (the inputs'
    generations) when cached for these teams, pulses and day, else eight."""
    if not teams or not surveys:
        return {team.pk: [] for team in teams}
    now = timezone.now()
    figures = cache.cached_figures(
        "standoff",
        # The day: an open pulse's scores take the periods up to today.
        key_parts=(
            frozenset(t.pk for t in teams),
            tuple(s.pk for s in surveys),
            timezone.localdate(now),
        ),
        inputs=(cache.ORGANISATION, cache.MATRIX, cache.COMMITMENTS, cache.PULSES),
        compute=lambda: _score_figures(teams, surveys, now),
    )
    # The cache holds plain figures by team and pulse id, not the teams and pulses: the
    # caller has just loaded them, and model instances unpickle slowly (hundreds).
    survey_of = {s.pk: s for s in surveys}
    return {
        team.pk: [StandoffScore(team, survey_of[pk], *parts) for pk, *parts in figures[team.pk]]
        for team in teams
    }


def _score_figures(
    teams: list[Team], surveys: list[AlignmentSurvey], now
) -> dict[int, list[tuple[int, int | None, int | None, int | None, int | None]]]:
    """Each team's (pulse id, respondents, perception gap, employer shortfall, employee
    shortfall) at each pulse. Seven queries."""
    team_ids = [t.pk for t in teams]
    agreed = dict(ResponsibilityArea.objects.values_list("pk", "owner_side"))
    matches: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for row in (
        AlignmentAnswer.objects.filter(survey__in=surveys, person__team_id__in=team_ids)
        .values("survey_id", "person__team_id", "area_id", "believed_owner")
        .annotate(n=Count("id"))
    ):
        tally = matches[(row["survey_id"], row["person__team_id"])]
        tally[1] += row["n"]
        if agreed.get(row["area_id"]) == row["believed_owner"]:
            tally[0] += row["n"]
    respondents = {
        (row["survey_id"], row["person__team_id"]): row["n"]
        for row in AlignmentAnswer.objects.filter(survey__in=surveys, person__team_id__in=team_ids)
        .values("survey_id", "person__team_id")
        .annotate(n=Count("person", distinct=True))
    }
    sizes = team_sizes(team_ids)
    commitments = list(commitments_for_teams(team_ids))
    # What does not depend on the team, worked out once rather than per team: each
    # commitment's teams, side and, per pulse, the three periods up to it.
    scored = [c for c in commitments if c.target > 0]
    scope_of = {c.pk: {t.pk for t in c.teams.all()} for c in scored}
    side_of = {c.pk: "employee" if c.party == Party.EMPLOYEE else "employer" for c in scored}
    starts_at: dict[tuple[int, int], list] = {}
    for survey in surveys:
        as_of_day = timezone.localdate(min(survey.closes_at or now, now))
        for commitment in scored:
            starts_at[(survey.pk, commitment.pk)] = periods.recent_period_starts(
                commitment.period, 3, as_of_day
            )
    # Only the check-ins of those periods, as plain values (thousands of them for an
    # L&D admin: model instances were most of the time).
    earliest = min((starts[0] for starts in starts_at.values()), default=None)
    check_ins = (
        {
            (commitment_id, team_id, start): value
            for commitment_id, team_id, start, value in CommitmentCheckIn.objects.filter(
                commitment__in=commitments,
                team_id__in=team_ids,
                period_start__in={start for each in starts_at.values() for start in each},
            )
            .order_by()
            .values_list("commitment_id", "team_id", "period_start", "value")
        }
        if earliest
        else {}
    )
    scores: dict[int, list] = {}
    for team in teams:
        series = []
        applies = [
            c
            for c in scored
            if not (scope_of[c.pk] and team.pk not in scope_of[c.pk])
            and not (c.computed_from and not privacy.is_published(sizes.get(team.pk, 0)))
        ]
        for survey in surveys:
            ratios: dict[str, list[float]] = {"employer": [], "employee": []}
            for commitment in applies:
                side = ratios[side_of[commitment.pk]]
                for start in starts_at[(survey.pk, commitment.pk)]:
                    value = check_ins.get((commitment.pk, team.pk, start))
                    if value is not None:
                        side.append(commitment.fulfilment(value))
            answered = respondents.get((survey.pk, team.pk), 0)
            matched, total = matches.get((survey.pk, team.pk), (0, 0))
            published = privacy.is_published(answered)  # the team's respondents: one cell
            gap = round(100 * (1 - matched / total)) if published and total else None
            series.append(
                (
                    survey.pk,
                    answered if published else None,
                    gap,
                    _shortfall(ratios["employer"]),
                    _shortfall(ratios["employee"]),
                )
            )
        scores[team.pk] = series
    return scores
