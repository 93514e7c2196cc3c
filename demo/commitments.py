"""Both sides' commitments under the responsibility areas, how each team is keeping
them, and a closed alignment pulse showing the standoff the product exists to resolve:
leaders tend to say employees own AI upskilling, employees say the employer does.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from demo.organisation import OrganisationPlan
from demo.timeline import WEEKS, Timeline
from responsibilities.models import (
    AlignmentAnswer,
    AlignmentSurvey,
    Commitment,
    CommitmentCheckIn,
    ComputedFrom,
    OwnerSide,
    Party,
    ResponsibilityArea,
)

Period = Commitment.Period
PULSE_TITLE = "Who owns AI upskilling? Alignment pulse"
# Who people believe owns AI upskilling (the product's source material: leaders say the
# employee, employees say the employer), as weights over OwnerSide.
LEADER_BELIEF = ((OwnerSide.EMPLOYEE, 65), (OwnerSide.SHARED, 25), (OwnerSide.EMPLOYER, 10))
EMPLOYEE_BELIEF = ((OwnerSide.EMPLOYER, 70), (OwnerSide.SHARED, 20), (OwnerSide.EMPLOYEE, 10))


@dataclass(frozen=True)
class CommitmentEntry:
    area: str
    party: str
    title: str
    description: str
    target: Decimal
    unit: str
    period: str
    # How check-ins relate to the target: "share" (a team keeps part of it), "at_most"
    # (the target is a ceiling, e.g. days to access) or "ramp" (coverage growing to it).
    keeping: str = "share"
    # Employee commitments the app measures itself (no hand-written check-ins).
    computed_from: str = ""


COMMITMENTS = (
    CommitmentEntry(
        "strategic-direction",
        Party.LEADERSHIP,
        "A quarterly update on where AI fits our strategy and the outcomes we aim for",
        "Given at the all-hands and written up, so every team can see why we invest.",
        Decimal(1),
        "updates",
        Period.QUARTER,
    ),
    CommitmentEntry(
        "foundational-enablement",
        Party.LD,
        "A role rubric with ethics guidance and decision boundaries for every job role",
        "What good looks like for each role, kept current as tools and policy change.",
        Decimal(5),
        "job roles covered",
        Period.QUARTER,
        keeping="ramp",
    ),
    CommitmentEntry(
        "learning-infrastructure",
        Party.LEADERSHIP,
        "4 hours of protected learning time per person per week",
        "Blocked in calendars; managers keep it free of meetings and on-call.",
        Decimal(4),
        "hours per person",
        Period.WEEK,
    ),
    CommitmentEntry(
        "learning-infrastructure",
        Party.MANAGER,
        "Every practice-stage learner gets a monthly coaching session",
        "Thirty minutes or more, on the learner's own work, with their lead or a coach.",
        Decimal(100),
        "% of practice-stage learners coached",
        Period.MONTH,
    ),
    CommitmentEntry(
        "learning-infrastructure",
        Party.LD,
        "AI sandbox access within 5 working days of enrolment",
        "A safe sandbox with the approved tools and anonymised copies of our data.",
        Decimal(5),
        "working days to access",
        Period.MONTH,
        keeping="at_most",
    ),
    CommitmentEntry(
        "organisational-context",
        Party.MANAGER,
        "Practice anchored to the products the team works on",
        "Practice steps use the team's own product, service or process, not toy examples.",
        Decimal(100),
        "% of practice steps on the team's own product",
        Period.QUARTER,
    ),
    CommitmentEntry(
        "active-participation",
        Party.EMPLOYEE,
        "One practice project on your own product per stage",
        "Real work, with evidence your manager can review against the role rubric.",
        Decimal(1),
        "practice submissions per person",
        Period.QUARTER,
        computed_from=ComputedFrom.PRACTICE_SUBMISSIONS,
    ),
    CommitmentEntry(
        "continuous-learning",
        Party.EMPLOYEE,
        "Share one learning per month",
        "A prompt, a mistake or a shortcut, posted where the team will see it.",
        Decimal("0.5"),
        "knowledge-sharing recognitions per person",
        Period.MONTH,
        computed_from=ComputedFrom.KNOWLEDGE_SHARING,
    ),
    CommitmentEntry(
        "feedback-and-insight",
        Party.EMPLOYEE,
        "Say whether each finished step helped your real work",
        "One click and an optional comment, so L&D can fix the steps that miss.",
        Decimal(100),
        "% of finished steps with feedback",
        Period.MONTH,
    ),
    CommitmentEntry(
        "career-alignment",
        Party.EMPLOYEE,
        "AI skills on the agenda of every quarterly development conversation",
        "Where you want your AI skills to take you, agreed with your manager.",
        Decimal(100),
        "% of development conversations",
        Period.QUARTER,
    ),
)


def _period_starts(period: str, anchor: dt.date) -> list[dt.date]:
    """The most recent periods that have begun before the anchor, oldest first."""
    last_day = anchor - dt.timedelta(days=1)
    if period == Period.WEEK:
        return [anchor - dt.timedelta(weeks=n) for n in range(12, 0, -1)]
    step_months, count = (1, 6) if period == Period.MONTH else (3, 4)
    month = (last_day.month - 1) // step_months * step_months + 1
    year, starts = last_day.year, []
    for _ in range(count):
        starts.append(dt.date(year, month, 1))
        month -= step_months
        if month < 1:
            month, year = month + 12, year - 1
    return starts[::-1]


def _check_in_value(rng: random.Random, entry: CommitmentEntry, adoption: float, n: int) -> Decimal:
    """How well a team kept the commitment in its n-th period (later periods go better)."""
    kept = min(1.0, max(0.0, rng.gauss(0.45 + 0.45 * adoption + 0.02 * n, 0.08)))
    target = float(entry.target)
    if entry.keeping == "at_most":
        return Decimal(max(1, round(rng.gauss(target * (1.8 - kept), 0.8))))
    if entry.keeping == "ramp":
        return Decimal(min(target, 2 + n))
    return Decimal(str(round(target * kept, 1)))


def commitments_write(
    *,
    organisation: OrganisationPlan,
    team_ids: dict[str, int],
    user_ids: dict[str, int],
    timeline: Timeline,
) -> None:
    rng = random.Random(f"upskill-demo:commitments:{len(organisation.people)}")
    areas = {area.key: area.pk for area in ResponsibilityArea.objects.all()}
    check_ins = []
    for entry in COMMITMENTS:
        commitment, _ = Commitment.objects.get_or_create(
            area_id=areas[entry.area],
            party=entry.party,
            title=entry.title,
            defaults={
                "description": entry.description,
                "target": entry.target,
                "unit": entry.unit,
                "period": entry.period,
                "direction": (
                    Commitment.Direction.AT_MOST
                    if entry.keeping == "at_most"
                    else Commitment.Direction.AT_LEAST
                ),
                "computed_from": entry.computed_from,
            },
        )
        if entry.computed_from:
            continue  # metrics computes these from progress and recognitions
        starts = _period_starts(entry.period, timeline.anchor)
        for team in organisation.teams:
            for n, period_start in enumerate(starts):
                check_ins.append(
                    CommitmentCheckIn(
                        commitment=commitment,
                        team_id=team_ids[team.slug],
                        period_start=period_start,
                        value=_check_in_value(rng, entry, team.adoption, n),
                        recorded_by_id=user_ids[team.leader_usernames[0]],
                    )
                )
    CommitmentCheckIn.objects.bulk_create(check_ins, batch_size=1_000, ignore_conflicts=True)


PULSES = (
    # title, opens and closes (weeks into the demo year), how far beliefs have moved
    # towards "shared" by then for a team that has adopted the programme
    (PULSE_TITLE, WEEKS - 30, WEEKS - 28, 0.0),
    ("Who owns AI upskilling? Second pulse", WEEKS - 4, WEEKS - 2, 0.6),
)


def alignment_pulse_write(
    *,
    organisation: OrganisationPlan,
    person_ids: dict[str, int],
    created_by_id: int,
    timeline: Timeline,
) -> None:
    """Two closed pulses, each answered by about seven in ten people. Between them,
    teams that took up the programme move towards seeing upskilling as shared."""
    areas = list(ResponsibilityArea.objects.values_list("id", "owner_side"))
    adoption = {team.slug: team.adoption for team in organisation.teams}
    answers = []
    for title, opens, closes, shift in PULSES:
        rng = random.Random(f"upskill-demo:pulse:{title}:{len(organisation.people)}")
        survey, _ = AlignmentSurvey.objects.get_or_create(
            title=title,
            defaults={
                "status": AlignmentSurvey.Status.CLOSED,
                "opens_at": timeline.moment(opens),
                "closes_at": timeline.moment(closes),
                "created_by_id": created_by_id,
            },
        )
        for person in organisation.people:
            if rng.random() > 0.7:
                continue
            leads = person.tier < 2
            team_adoption = adoption.get(person.team_slug, 0.5)
            for area_id, owner_side in areas:
                believed = _belief(rng, leads=leads, toward=owner_side, pull=shift * team_adoption)
                # People rate their own side's areas higher; learning teams rate all higher.
                mine = (owner_side == OwnerSide.EMPLOYER) == leads
                rating = rng.gauss(3.3 if mine else 2.5, 0.8) + team_adoption
                answers.append(
                    AlignmentAnswer(
                        survey=survey,
                        person_id=person_ids[person.username],
                        area_id=area_id,
                        believed_owner=believed,
                        rating=min(5, max(1, round(rating))),
                    )
                )
    AlignmentAnswer.objects.bulk_create(answers, batch_size=1_000, ignore_conflicts=True)


def _belief(rng: random.Random, *, leads: bool, toward: str, pull: float) -> str:
    """Leaders lean "employee", employees "employer"; with `pull` (0-1) people instead
    give the agreed owner of the area."""
    if rng.random() < pull:
        return toward
    owners, weights = zip(*(LEADER_BELIEF if leads else EMPLOYEE_BELIEF), strict=True)
    return rng.choices(owners, weights)[0]
