"""Generated team x week panels with a known planted effect, an organisation-wide trend
and selection of better teams into the early cohorts — the situation a before/after
comparison gets wrong. Used by the estimator's tests and bench/impact_bench.py."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from metrics.services.impact_did import NEVER, Panel


@dataclass(frozen=True)
class PlantedPanel:
    panel: Panel
    effect: float  # planted: added to every treated team-week
    level: np.ndarray  # each team's own level (lower = better for cycle time)


def planted_panel(
    *,
    teams: int = 40,
    weeks: int = 52,
    effect: float = -0.6,
    trend_per_week: float = -0.03,
    noise: float = 0.25,
    waves: tuple[int, ...] = (10, 18, 26, 34),
    never_share: float = 0.25,
    seed: int = 1,
) -> PlantedPanel:
    """Cycle time in days: 8 days plus the team's level, falling `trend_per_week` for
    everyone (new tooling), plus `effect` from the week a team adopts. The better a team
    (the lower its level), the earlier its wave: selection into early cohorts."""
    rng = np.random.default_rng(seed)
    level = rng.normal(0.0, 1.0, teams)
    order = np.argsort(level + rng.normal(0, 0.3, teams))  # better teams first, roughly
    adoption = np.full(teams, NEVER)
    starting = teams - round(teams * never_share)
    for rank, team in enumerate(order[:starting]):
        adoption[team] = waves[rank * len(waves) // starting]
    week = np.arange(weeks)
    outcome = (
        8.0
        + level[:, None]
        + trend_per_week * week[None, :]
        + 0.2 * np.sin(week * 2 * np.pi / 52)[None, :]
        + effect * (week[None, :] >= adoption[:, None])
        + rng.normal(0, noise, (teams, weeks))
    )
    return PlantedPanel(Panel(outcome=outcome, adoption=adoption), effect, level)


def before_after_gap(panel: Panel) -> float:
    """The dashboard's old cohort comparison on the same panel: the mean of team-weeks
    after adoption minus the mean of team-weeks of teams not treated yet."""
    week = np.arange(panel.weeks)
    after = week[None, :] >= panel.adoption[:, None]
    return float(panel.outcome[after].mean() - panel.outcome[~after].mean())


def panel_write(
    planted: PlantedPanel,
    *,
    first_week,
    pathway,
    people_per_team: int = 5,
    sample_size: int = 10,
    prefix: str = "impact",
) -> list:
    """Write a planted panel as the app would hold it: teams of `people_per_team`
    active people, every one of them completing `pathway` in the team's adoption week
    (so the team is treated from that week), and one cycle-time observation per
    team-week. Returns the teams. The caller rolls up."""
    import datetime as dt

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from metrics.models import OutcomeMeasure, OutcomeObservation
    from pathways.models import Enrollment
    from upskill.models import JobRole, Person, Team

    User = get_user_model()
    role, _ = JobRole.objects.get_or_create(name="Engineer")
    measure = OutcomeMeasure.objects.get(key="cycle_time_days")
    outcome, adoption = planted.panel.outcome, planted.panel.adoption
    teams = Team.objects.bulk_create(
        Team(name=f"{prefix.title()} team {i}", slug=f"{prefix}-team-{i}")
        for i in range(outcome.shape[0])
    )
    users = User.objects.bulk_create(
        User(username=f"{prefix}-{i}-{j}", email=f"{prefix}-{i}-{j}@example.com", is_active=True)
        for i in range(len(teams))
        for j in range(people_per_team)
    )
    people = Person.objects.bulk_create(
        Person(user=user, team=teams[k // people_per_team], job_role=role)
        for k, user in enumerate(users)
    )
    tz = timezone.get_default_timezone()
    enrollments = []
    for k, person in enumerate(people):
        g = adoption[k // people_per_team]
        if np.isfinite(g):
            day = first_week + dt.timedelta(weeks=int(g), days=1)
            completed = dt.datetime(day.year, day.month, day.day, 11, tzinfo=tz)
            enrollments.append(Enrollment(person=person, pathway=pathway, completed_at=completed))
    Enrollment.objects.bulk_create(enrollments)
    OutcomeObservation.objects.bulk_create(
        OutcomeObservation(
            measure=measure,
            team=team,
            period_start=first_week + dt.timedelta(weeks=t),
            value=float(outcome[i, t]),
            sample_size=sample_size,
            source="test",
            source_id=f"{prefix}/{i}/{t}",
        )
        for i, team in enumerate(teams)
        for t in range(outcome.shape[1])
        if np.isfinite(outcome[i, t])
    )
    return teams
