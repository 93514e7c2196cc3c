"""A year of weekly learning activity and of each team's outcome measures.

The outcome story is built so that a before/after comparison would mislead and the
dashboard's impact estimate (staggered difference-in-differences) should not:

- an organisation-wide trend: every team's cycle time falls by TREND_CYCLE_TIME_DAYS
  (0.3 days) over the year whether it learns or not (new tooling), the holidays add
  0.3 days to everyone's, and quality, customer satisfaction and confidence drift up;
- selection: teams that take up learning readily (who start in the early waves) were
  already better — shorter cycle times and higher quality — before they started;
- a real, staggered effect: from a team's treatment week — the first week in which at
  least MIN_GROUP_SIZE of its people had completed a pathway, the definition the
  estimate uses (metrics.services.treatment_weeks) — its cycle time is
  PLANTED_CYCLE_TIME_EFFECT (20%) lower than it would otherwise have been, its quality
  PLANTED_QUALITY_EFFECT (5) points higher, customer satisfaction
  PLANTED_CSAT_EFFECT (0.2) and confidence PLANTED_CONFIDENCE_EFFECT (0.8) higher.
  Teams start in waves (their cohorts' start dates follow their adoption), so the
  effect arrives at different weeks in different teams. Confidence also rises a little
  while people are learning, before the treatment week (a real pre-trend the card
  may warn about).

In days, the planted cycle-time effect averages -0.25 x the treated team-weeks' cycle
time (the value is 0.8 of what it would have been); tests/demo/test_impact_demo.py
checks that the dashboard's interval covers it. Every row has a deterministic
source_id under source "demo", so a re-run inserts nothing new.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass

from demo.learning import EnrollmentPlan, ProgressPlan, Status
from demo.organisation import OrganisationPlan, TeamPlan
from demo.timeline import DEMO_SOURCE, WEEKS, Timeline
from metrics.models import ActivityRecord, OutcomeMeasure, OutcomeObservation
from metrics.services import treatment_threshold

Kind = ActivityRecord.Kind
KIND_BY_STAGE = {"foundation": Kind.ATTENDED, "practice": Kind.PRACTICED, "coaching": Kind.COACHED}
MINUTES_BY_KIND = {Kind.ATTENDED: (30, 90), Kind.PRACTICED: (60, 240), Kind.COACHED: (30, 75)}
MEASURE_KEYS = ("cycle_time_days", "quality_score", "customer_satisfaction", "confidence")
TREND_CYCLE_TIME_DAYS = 0.3  # the days by which everyone's cycle time falls over the year
PLANTED_CYCLE_TIME_EFFECT = 0.20  # the share by which treatment cuts cycle time
PLANTED_QUALITY_EFFECT = 5.0
PLANTED_CSAT_EFFECT = 0.2
PLANTED_CONFIDENCE_EFFECT = 0.8


@dataclass(frozen=True)
class Baseline:
    cycle_time_days: float
    quality_score: float
    customer_satisfaction: float
    confidence: float
    items_per_person: float  # work items delivered per person per week
    csat_responses_per_person: float


BASELINES = {
    # Support resolves tickets in days; squads ship work items in a week or two.
    "support": Baseline(2.8, 78, 4.0, 2.4, 12.0, 4.0),
    "engineering": Baseline(8.5, 72, 3.8, 2.6, 0.8, 1.5),
    "design": Baseline(6.5, 75, 3.9, 2.3, 1.0, 1.0),
    "analytics": Baseline(4.0, 80, 4.1, 2.7, 2.0, 0.8),
}


def _weekly_learning(
    rng: random.Random, enrollment: EnrollmentPlan
) -> dict[int, tuple[str, ProgressPlan | None]]:
    """Each week someone learned on the pathway: what kind of learning, on which step.

    During the pathway it is the step they worked on last that week; after completing
    it, people keep practising on real work, with a coaching session about monthly.
    """
    weeks: dict[int, tuple[str, ProgressPlan | None]] = {}
    for plan in enrollment.progress:
        end = plan.finished if plan.finished is not None else plan.active_until
        for week in range(int(plan.started), int(min(end, WEEKS - 1e-6)) + 1):
            weeks[week] = (KIND_BY_STAGE[plan.stage_kind], plan)
    if enrollment.completed is not None:
        keep_practising = 0.3 + 0.5 * enrollment.person.engagement
        for week in range(int(enrollment.completed) + 1, WEEKS):
            if week % 4 == 0 and rng.random() < 0.7:
                weeks[week] = (Kind.COACHED, None)
            elif rng.random() < keep_practising:
                weeks[week] = (Kind.PRACTICED, None)
    return weeks


def activity_write(
    *,
    enrollments: list[EnrollmentPlan],
    timeline: Timeline,
    person_ids: dict[str, int],
    pathway_ids: dict[str, int],
    step_ids: dict[tuple[str, str], int],
) -> None:
    rng = random.Random(f"upskill-demo:activity:{len(person_ids)}")
    rows = []
    for e in enrollments:
        person_id, slug = person_ids[e.person.username], e.pathway.slug
        prefix = f"{e.person.username}/{slug}"
        for week, (kind, plan) in sorted(_weekly_learning(rng, e).items()):
            if rng.random() < 0.2 * (1 - e.person.engagement):
                continue  # a week without learning
            if plan is None:
                at, step_id = rng.uniform(week, week + 1), None
            else:
                end = plan.finished if plan.finished is not None else plan.active_until
                at = rng.uniform(max(week, plan.started), max(week, min(week + 1, end)))
                step_id = step_ids[(slug, plan.step.key)]
            rows.append(
                ActivityRecord(
                    person_id=person_id,
                    pathway_id=pathway_ids[slug],
                    step_id=step_id,
                    occurred_at=timeline.moment(at),
                    minutes=rng.randint(*MINUTES_BY_KIND[kind]),
                    kind=kind,
                    source=DEMO_SOURCE,
                    source_id=f"{prefix}/{timeline.week_start(week):%Y-%m-%d}/{kind}",
                )
            )
        for plan in e.progress:
            if plan.status == Status.APPROVED:
                rows.append(
                    ActivityRecord(
                        person_id=person_id,
                        pathway_id=pathway_ids[slug],
                        step_id=step_ids[(slug, plan.step.key)],
                        occurred_at=timeline.moment(plan.finished),
                        minutes=0,
                        kind=Kind.COMPLETED,
                        source=DEMO_SOURCE,
                        source_id=f"{prefix}/{plan.step.key}/completed",
                    )
                )
    ActivityRecord.objects.bulk_create(rows, batch_size=2_000, ignore_conflicts=True)


def _team_learning_by_week(
    team: TeamPlan, enrollments_by_person: dict[str, list[EnrollmentPlan]]
) -> tuple[float, list[float]]:
    """The team's treatment week (the week in which the threshold-th of its people
    completed their first pathway; math.inf if that never happens), and per week the
    share of its people learning but not yet through a pathway."""
    size = len(team.member_usernames)
    firsts, active = [], [0.0] * WEEKS
    for username in team.member_usernames:
        enrollments = enrollments_by_person.get(username, [])
        completions = [e.completed for e in enrollments if e.completed is not None]
        first_done = min(completions) if completions else math.inf
        firsts.append(first_done)
        starts = [e.progress[0].started for e in enrollments if e.progress]
        first_start = min(starts) if starts else math.inf
        for week in range(WEEKS):
            if first_start <= week < first_done:
                active[week] += 1 / size
    needed = treatment_threshold(size)
    firsts.sort()
    threshold_reached = firsts[needed - 1] if len(firsts) >= needed else math.inf
    treated = math.floor(threshold_reached) if math.isfinite(threshold_reached) else math.inf
    return treated, active


def observations_write(
    *,
    organisation: OrganisationPlan,
    enrollments: list[EnrollmentPlan],
    timeline: Timeline,
    team_ids: dict[str, int],
) -> None:
    rng = random.Random(f"upskill-demo:outcomes:{len(organisation.people)}")
    measures = dict(OutcomeMeasure.objects.values_list("key", "id"))
    enrollments_by_person: dict[str, list[EnrollmentPlan]] = defaultdict(list)
    for e in enrollments:
        enrollments_by_person[e.person.username].append(e)
    rows = []
    for team in organisation.teams:
        base = BASELINES[team.template.kind]
        size = len(team.member_usernames)
        # Teams differ a little in where they start, and small teams are noisier; teams
        # that take up learning readily were already better (selection).
        jitter = {key: rng.uniform(0.92, 1.08) for key in MEASURE_KEYS}
        better = team.adoption - 0.5
        noise = min(2.0, math.sqrt(15 / size))
        treated_week, active = _team_learning_by_week(team, enrollments_by_person)
        for week in range(WEEKS):
            period_start = timeline.week_start(week)
            holiday = (period_start.month, period_start.day) >= (12, 20) or (
                period_start.month == 1 and period_start.day <= 2
            )
            year = week / WEEKS  # the organisation-wide trend, for everyone
            treated = 1.0 if week >= treated_week else 0.0
            items = max(1, round(size * base.items_per_person * (0.5 if holiday else 1)))
            values = {
                # The trend and the holidays move every team by the same days (parallel
                # trends); the planted effect is a share of the team's own level.
                "cycle_time_days": (
                    (
                        base.cycle_time_days * jitter["cycle_time_days"] * (1 - 0.3 * better)
                        - TREND_CYCLE_TIME_DAYS * year
                        + (0.3 if holiday else 0)
                    )
                    * (1 - PLANTED_CYCLE_TIME_EFFECT * treated)
                    * (1 + rng.gauss(0, 0.04 * noise)),
                    items,
                ),
                "quality_score": (
                    min(
                        100,
                        base.quality_score * jitter["quality_score"]
                        + 8 * better
                        + 3 * year
                        + PLANTED_QUALITY_EFFECT * treated
                        + rng.gauss(0, 1.5 * noise),
                    ),
                    max(1, round(items * 0.8)),
                ),
                "customer_satisfaction": (
                    min(
                        5,
                        base.customer_satisfaction * jitter["customer_satisfaction"]
                        + 0.2 * better
                        + 0.1 * year
                        + PLANTED_CSAT_EFFECT * treated
                        + rng.gauss(0, 0.06 * noise),
                    ),
                    max(1, round(size * base.csat_responses_per_person * rng.uniform(0.6, 1.2))),
                ),
                "confidence": (
                    min(
                        5,
                        base.confidence * jitter["confidence"]
                        + 0.2 * year
                        + PLANTED_CONFIDENCE_EFFECT * treated
                        + 0.3 * active[week]
                        + rng.gauss(0, 0.08 * noise),
                    ),
                    max(1, round(size * rng.uniform(0.5, 0.9))),
                ),
            }
            for key, (value, sample_size) in values.items():
                rows.append(
                    OutcomeObservation(
                        measure_id=measures[key],
                        team_id=team_ids[team.slug],
                        period_start=period_start,
                        value=round(value, 2),
                        sample_size=sample_size,
                        source=DEMO_SOURCE,
                        source_id=f"{team.slug}/{key}/{period_start:%Y-%m-%d}",
                    )
                )
    OutcomeObservation.objects.bulk_create(rows, batch_size=2_000, ignore_conflicts=True)
