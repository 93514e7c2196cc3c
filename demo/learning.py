"""Who is enrolled in what, and how far each person has got.

Each team is assigned the pathways for its job roles as a cohort; teams that take up
learning readily start early and move fast, reluctant ones start late, drift and stall.
Each person's steps then follow in order (so prerequisites are always met), reviewed by
their manager where evidence is required. The timeline of every step is kept, because
the weekly activity and the teams' outcomes are derived from it.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field

from demo.curriculum import (
    CHANGES_REQUESTED_COMMENTS,
    FEEDBACK_COMMENTS,
    PATHWAYS,
    REVIEW_COMMENTS,
    PathwayEntry,
    StepEntry,
)
from demo.organisation import (
    EMPLOYEE_USERNAME,
    OrganisationPlan,
    PersonPlan,
)
from demo.timeline import WEEKS, Timeline
from pathways.models import Enrollment, Recognition, StepFeedback, StepProgress

Status = StepProgress.Status


@dataclass
class ProgressPlan:
    step: StepEntry
    stage_kind: str
    status: str
    started: float
    submitted: float | None = None
    finished: float | None = None  # approved at
    reviewer: str | None = None
    reviewed: float | None = None
    rubric_level: int | None = None
    review_comment: str = ""
    evidence: str = ""
    active_until: float = WEEKS  # when the person last worked on it


@dataclass
class EnrollmentPlan:
    person: PersonPlan
    pathway: PathwayEntry
    source: str
    enrolled: float
    progress: list[ProgressPlan] = field(default_factory=list)

    @property
    def completed(self) -> float | None:
        if len(self.progress) == len(self.pathway.steps) and all(
            p.status == Status.APPROVED for p in self.progress
        ):
            return self.progress[-1].finished
        return None


def _evidence(rng: random.Random, step: StepEntry) -> str:
    count = rng.randint(12, 40)
    before = rng.randint(11, 25)
    return step.evidence.format(
        count=count,
        kept=rng.randint(count // 2, count - 2),
        errors=rng.randint(2, 6),
        before=before,
        after=rng.randint(max(3, before // 3), before - 3),
    )


def _approve(rng, plan: ProgressPlan, person: PersonPlan, finished: float) -> None:
    plan.status = Status.APPROVED
    plan.finished = plan.active_until = finished
    if not plan.step.evidence:
        return
    plan.evidence = _evidence(rng, plan.step)
    plan.submitted = max(plan.started + 0.05, finished - rng.uniform(0.1, 0.5))
    plan.reviewer, plan.reviewed = person.manager_username, finished
    e = person.engagement
    delta = rng.choices((-1, 0, 1), (0.1 + 0.25 * (1 - e), 0.6, 0.05 + 0.3 * e))[0]
    plan.rubric_level = min(4, max(1, plan.step.target_level + delta))
    bucket = {-1: "below", 0: "at", 1: "above"}[plan.rubric_level - plan.step.target_level]
    plan.review_comment = rng.choice(REVIEW_COMMENTS[bucket])


def _request_changes(rng, plan: ProgressPlan, person: PersonPlan, reviewed: float) -> None:
    plan.status = Status.CHANGES_REQUESTED
    plan.evidence = _evidence(rng, plan.step)
    plan.submitted = max(plan.started + 0.05, reviewed - rng.uniform(0.1, 0.4))
    plan.reviewer, plan.reviewed = person.manager_username, reviewed
    plan.review_comment = rng.choice(CHANGES_REQUESTED_COMMENTS)


def _submit(rng, plan: ProgressPlan, submitted: float) -> None:
    plan.status = Status.SUBMITTED
    plan.evidence = _evidence(rng, plan.step)
    plan.submitted = max(plan.started + 0.05, submitted)


def _stage_kinds(pathway: PathwayEntry) -> dict[str, str]:
    return {step.key: stage.kind for stage in pathway.stages for step in stage.steps}


def _enrollment_simulate(rng: random.Random, enrollment: EnrollmentPlan) -> None:
    person, pathway = enrollment.person, enrollment.pathway
    e = person.engagement
    if rng.random() > 0.3 + 0.7 * e:
        return  # enrolled, never started
    kinds = _stage_kinds(pathway)
    pace = 1.0 + 2.0 * (1 - e)  # weeks per step, on average
    t = enrollment.enrolled + rng.expovariate(1 / (0.3 + 3 * (1 - e)))
    for step in pathway.steps:
        if t >= WEEKS - 0.1:
            return
        plan = ProgressPlan(step=step, stage_kind=kinds[step.key], status="", started=t)
        enrollment.progress.append(plan)
        finished = t + rng.uniform(0.5, 1.5) * pace
        stalled = rng.random() < 0.01 + 0.08 * (1 - e)
        if stalled:
            # Stuck: still working on it, asked to change it, or waiting on a review.
            plan.active_until = min(WEEKS, t + rng.uniform(0.5, 2.0))
            chance = rng.random()
            if step.evidence and chance < 0.3:
                _request_changes(rng, plan, person, reviewed=plan.active_until - 0.05)
            elif step.evidence and chance < 0.5:
                _submit(rng, plan, submitted=plan.active_until - 0.05)
            else:
                plan.status = Status.IN_PROGRESS
            return
        if finished < WEEKS:
            _approve(rng, plan, person, finished)
            t = finished + rng.uniform(0.0, 0.3)
            continue
        # The step in flight today.
        chance = rng.random()
        if step.evidence and chance < 0.45:
            _submit(rng, plan, submitted=WEEKS - rng.uniform(0.05, 1.5))
        elif step.evidence and chance < 0.6:
            _request_changes(rng, plan, person, reviewed=WEEKS - rng.uniform(0.05, 1.0))
        else:
            plan.status = Status.IN_PROGRESS
        return


def _employee_simulate(rng: random.Random, enrollment: EnrollmentPlan) -> None:
    """The demo employee: joined recently, enrolled on arrival, foundation done, and
    the first practice step waiting for their manager's review."""
    kinds = _stage_kinds(enrollment.pathway)
    enrollment.enrolled = WEEKS - 7.0
    t = WEEKS - 6.0
    for step in enrollment.pathway.steps:
        plan = ProgressPlan(step=step, stage_kind=kinds[step.key], status="", started=t)
        enrollment.progress.append(plan)
        if kinds[step.key] == "foundation":
            t += 1.2
            _approve(rng, plan, enrollment.person, t)
            continue
        _submit(rng, plan, submitted=WEEKS - 0.6)
        return


def learning_plan(*, organisation: OrganisationPlan) -> list[EnrollmentPlan]:
    rng = random.Random(f"upskill-demo:learning:{len(organisation.people)}")
    enrollments: list[EnrollmentPlan] = []
    for team in organisation.teams:
        members = [organisation.people_by_username[u] for u in team.member_usernames]
        for pathway in PATHWAYS:
            learners = [p for p in members if p.job_role in pathway.target_roles]
            includes_employee = any(p.username == EMPLOYEE_USERNAME for p in learners)
            assigned = rng.random() < 0.3 + 0.7 * team.adoption
            if not learners or not (assigned or includes_employee):
                continue
            cohort = min(46.0, max(1.0, 2 + (1 - team.adoption) * 36 + rng.uniform(-3, 3)))
            for person in learners:
                enrollment = EnrollmentPlan(person, pathway, Enrollment.Source.ASSIGNED, cohort)
                if person.username == EMPLOYEE_USERNAME:
                    _employee_simulate(rng, enrollment)
                else:
                    _enrollment_simulate(rng, enrollment)
                enrollments.append(enrollment)
    # A few people enrol themselves in a pathway their team was not assigned.
    taken = {(e.person.username, e.pathway.slug) for e in enrollments}
    for person in organisation.people:
        if person.tier == 0 or person.username == EMPLOYEE_USERNAME or rng.random() > 0.05:
            continue
        pathway = rng.choice(PATHWAYS)
        if (person.username, pathway.slug) in taken:
            continue
        enrollment = EnrollmentPlan(person, pathway, Enrollment.Source.SELF, rng.uniform(4, 48))
        _enrollment_simulate(rng, enrollment)
        enrollments.append(enrollment)
    return enrollments


# -- writing ----------------------------------------------------------------------------


def _moment(timeline: Timeline, t: float | None) -> dt.datetime | None:
    return None if t is None else timeline.moment(t)


def enrollments_write(
    *,
    enrollments: list[EnrollmentPlan],
    timeline: Timeline,
    person_ids: dict[str, int],
    pathway_ids: dict[str, int],
    assigned_by_id: int,
) -> dict[tuple[str, str], int]:
    """Enrolments, then their enrolment dates (auto_now_add ignores a value on insert)."""
    pathway_slugs = {pk: slug for slug, pk in pathway_ids.items()}
    username_of = {pk: username for username, pk in person_ids.items()}

    def existing() -> dict[tuple[str, str], int]:
        rows = Enrollment.objects.filter(pathway_id__in=pathway_ids.values()).values_list(
            "person_id", "pathway_id", "id"
        )
        return {
            (username_of[person_id], pathway_slugs[pathway_id]): pk
            for person_id, pathway_id, pk in rows
            if person_id in username_of
        }

    before = existing()
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                person_id=person_ids[e.person.username],
                pathway_id=pathway_ids[e.pathway.slug],
                source=e.source,
                assigned_by_id=assigned_by_id if e.source == Enrollment.Source.ASSIGNED else None,
                due_date=timeline.date_after(e.enrolled + 16),
                completed_at=_moment(timeline, e.completed),
            )
            for e in enrollments
            if (e.person.username, e.pathway.slug) not in before
        ],
        batch_size=1_000,
        ignore_conflicts=True,
    )
    ids = existing()
    # Whole cohorts share an enrolment moment, so this is one UPDATE per cohort.
    by_moment: dict[dt.datetime, list[int]] = {}
    for e in enrollments:
        key = (e.person.username, e.pathway.slug)
        if key not in before:
            by_moment.setdefault(timeline.moment(e.enrolled), []).append(ids[key])
    for moment, pks in by_moment.items():
        for start in range(0, len(pks), 900):
            Enrollment.objects.filter(pk__in=pks[start : start + 900]).update(enrolled_at=moment)
    return ids


def progress_write(
    *,
    enrollments: list[EnrollmentPlan],
    timeline: Timeline,
    enrollment_ids: dict[tuple[str, str], int],
    step_ids: dict[tuple[str, str], int],
    person_ids: dict[str, int],
) -> None:
    rows = []
    for e in enrollments:
        enrollment_id = enrollment_ids[(e.person.username, e.pathway.slug)]
        for p in e.progress:
            rows.append(
                StepProgress(
                    enrollment_id=enrollment_id,
                    step_id=step_ids[(e.pathway.slug, p.step.key)],
                    status=p.status,
                    evidence=p.evidence,
                    started_at=timeline.moment(p.started),
                    submitted_at=_moment(timeline, p.submitted),
                    completed_at=_moment(timeline, p.finished),
                    reviewer_id=person_ids.get(p.reviewer) if p.reviewer else None,
                    reviewed_at=_moment(timeline, p.reviewed),
                    rubric_level=p.rubric_level,
                    review_comment=p.review_comment,
                )
            )
    StepProgress.objects.bulk_create(rows, batch_size=1_000, ignore_conflicts=True)


def feedback_write(
    *,
    enrollments: list[EnrollmentPlan],
    person_ids: dict[str, int],
    step_ids: dict[tuple[str, str], int],
) -> None:
    """Some learners say whether a finished step was useful for their real work."""
    rng = random.Random(f"upskill-demo:feedback:{len(person_ids)}")
    rows = []
    for e in enrollments:
        for p in e.progress:
            if p.status != Status.APPROVED or rng.random() > 0.25:
                continue
            useful = rng.random() < 0.55 + 0.4 * e.person.engagement
            rows.append(
                StepFeedback(
                    person_id=person_ids[e.person.username],
                    step_id=step_ids[(e.pathway.slug, p.step.key)],
                    useful=useful,
                    comment=rng.choice(FEEDBACK_COMMENTS[useful]),
                )
            )
    StepFeedback.objects.bulk_create(rows, batch_size=1_000, ignore_conflicts=True)


RECOGNITION_MESSAGES = {
    Recognition.Behaviour.EXPERIMENTATION: [
        "Tried the assistant on the whole dispute backlog for a week and wrote up what did "
        "and didn't work. Brave and useful.",
        "Tested three prompt patterns on real tickets before recommending one. Thank you "
        "for doing it properly.",
        "Prototyped the AI-drafted payment reminder in the sandbox and showed us the two "
        "ways it went wrong.",
    ],
    Recognition.Behaviour.KNOWLEDGE_SHARING: [
        "Your prompt library for billing replies saved me an hour this week.",
        "Thanks for the lunch-and-learn on checking AI summaries against the source.",
        "Shared the mistake the assistant makes with VAT numbers so none of us repeat it.",
    ],
    Recognition.Behaviour.CONTINUOUS_IMPROVEMENT: [
        "Added the 'is it idempotent?' check to our review checklist after spotting the retry bug.",
        "Turned the weekly disputes report into a ten-minute job and kept the sign-off human.",
        "Keeps improving the Tier 2 hand-over template; we get far fewer follow-up questions.",
    ],
}


def recognitions_write(
    *, organisation: OrganisationPlan, person_ids: dict[str, int], timeline: Timeline
) -> None:
    """Colleagues thanking each other, mostly within their own team.

    Recognitions have no natural key, so the whole row (who, whom, behaviour, message)
    is the key: a re-run finds each one and adds nothing.
    """
    rng = random.Random(f"upskill-demo:recognitions:{len(organisation.people)}")
    people = [p for p in organisation.people if p.tier > 0]
    by_team: dict[str, list[PersonPlan]] = {}
    for person in people:
        by_team.setdefault(person.team_slug, []).append(person)
    planned: dict[tuple[int, int, str, str], float] = {}
    for _ in range(len(organisation.people) // 3):
        giver = rng.choice(people)
        colleagues = by_team[giver.team_slug] if rng.random() < 0.85 else people
        receiver = rng.choice(colleagues)
        if receiver.username == giver.username:
            continue
        behaviour = rng.choice(list(RECOGNITION_MESSAGES))
        key = (
            person_ids[giver.username],
            person_ids[receiver.username],
            behaviour.value,
            rng.choice(RECOGNITION_MESSAGES[behaviour]),
        )
        planned.setdefault(key, rng.uniform(2, WEEKS))
    existing = set(
        Recognition.objects.values_list("from_person_id", "to_person_id", "behaviour", "message")
    )
    rows = [
        Recognition(from_person_id=giver, to_person_id=receiver, behaviour=b, message=message)
        for (giver, receiver, b, message) in planned
        if (giver, receiver, b, message) not in existing
    ]
    created = Recognition.objects.bulk_create(rows, batch_size=1_000)
    # created_at is auto_now_add, so the spread over the year is applied afterwards.
    for row in created:
        row.created_at = timeline.moment(
            planned[(row.from_person_id, row.to_person_id, row.behaviour, row.message)]
        )
    Recognition.objects.bulk_update(
        [row for row in created if row.pk], ["created_at"], batch_size=500
    )
