"""Reads for learners and their reviewers.

The unlock rules live here, in `pathway_plans`, because both the pages (what to show)
and the learning services (what to allow) ask the same question: which steps of this
enrolment are done, which are open, and which are locked behind what.

- Archived steps are skipped: they are neither counted nor required.
- A step is done when its progress is approved.
- A step is locked while any of its live prerequisites is not done, and, in a
  sequential stage, while the live step before it in that stage is not done; in a
  pathway whose stages unlock in order, also while any live step of an earlier stage
  is not done.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from pathways.models import (
    ConfidenceRating,
    Enrollment,
    Pathway,
    RoleRubric,
    Stage,
    Step,
    StepFeedback,
    StepProgress,
)
from upskill.models import Person

Status = StepProgress.Status
# Steps a learner may mark done themselves; practice and coaching steps only when they
# do not require evidence.
SELF_COMPLETED_KINDS = (Step.Kind.LEARN, Step.Kind.REFLECT)
EVIDENCE_KINDS = (Step.Kind.PRACTICE, Step.Kind.COACHING)


def enrollments_for_person(person: Person) -> QuerySet[Enrollment]:
    """The person's enrolments with steps done / total, in one query."""
    return (
        Enrollment.objects.filter(person=person)
        .select_related("pathway")
        .with_done_steps()
        .annotate(
            total_steps=Count(
                "pathway__steps", filter=Q(pathway__steps__is_archived=False), distinct=True
            ),
        )
        .order_by(F("due_date").asc(nulls_last=True), "pathway__title")
    )


# --- The plan of one enrolment: steps, their state and what unlocks them ------------------


@dataclass
class StepState:
    step: Step
    progress: StepProgress | None
    blockers: list[Step] = field(default_factory=list)  # live steps that must be done first

    @property
    def status(self) -> str:
        return self.progress.status if self.progress else Status.NOT_STARTED

    @property
    def is_done(self) -> bool:
        return self.status == Status.APPROVED

    @property
    def is_locked(self) -> bool:
        return bool(self.blockers) and not self.is_done

    @property
    def is_submitted(self) -> bool:
        return self.status == Status.SUBMITTED

    @property
    def can_start(self) -> bool:
        return not self.is_locked and self.status == Status.NOT_STARTED

    @property
    def can_mark_done(self) -> bool:
        step = self.step
        self_completed = step.kind in SELF_COMPLETED_KINDS or not step.evidence_required
        return (
            self_completed
            and not self.is_locked
            and self.status in (Status.NOT_STARTED, Status.IN_PROGRESS, Status.CHANGES_REQUESTED)
        )

    @property
    def takes_evidence(self) -> bool:
        return self.step.kind in EVIDENCE_KINDS

    @property
    def can_submit_evidence(self) -> bool:
        return (
            self.takes_evidence
            and not self.is_locked
            and self.status in (Status.NOT_STARTED, Status.IN_PROGRESS, Status.CHANGES_REQUESTED)
        )

    @property
    def label(self) -> str:
        if self.is_locked:
            return "Locked"
        return Status(self.status).label


@dataclass
class StagePlan:
    stage: Stage
    steps: list[StepState]

    @property
    def total(self) -> int:
        return len(self.steps)

    @property
    def done(self) -> int:
        return sum(1 for s in self.steps if s.is_done)

    @property
    def is_done(self) -> bool:
        return bool(self.steps) and self.done == self.total


@dataclass
class PathwayPlan:
    enrollment: Enrollment
    stages: list[StagePlan]
    ratings: list[ConfidenceRating] = field(default_factory=list)

    @property
    def steps(self) -> list[StepState]:
        return [state for stage in self.stages for state in stage.steps]

    @property
    def total(self) -> int:
        return sum(stage.total for stage in self.stages)

    @property
    def done(self) -> int:
        return sum(stage.done for stage in self.stages)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def is_complete(self) -> bool:
        return self.total > 0 and self.done == self.total

    @property
    def has_started(self) -> bool:
        return any(state.progress is not None for state in self.steps)

    @property
    def next_step(self) -> StepState | None:
        """The single next thing to do: work already under way first (changes
        requested, then in progress), else the first open step in pathway order."""
        open_steps = [s for s in self.steps if not s.is_done and not s.is_locked]
        for wanted in (Status.CHANGES_REQUESTED, Status.IN_PROGRESS, Status.NOT_STARTED):
            for state in open_steps:
                if state.status == wanted:
                    return state
        return None

    @property
    def ratings_given(self) -> list[tuple[str, int]]:
        """The learner's own confidence ratings so far, in the order they were asked:
        (when, rating) — at the start, after each stage (by title), at completion."""
        stage_titles = {plan.stage.pk: plan.stage.title for plan in self.stages}
        order = {m: i for i, m in enumerate(ConfidenceRating.Moment.values)}
        stage_order = {plan.stage.pk: i for i, plan in enumerate(self.stages)}
        given = []
        for rating in sorted(
            self.ratings,
            key=lambda r: (order.get(r.moment, 0), stage_order.get(r.stage_id, 0)),
        ):
            if rating.moment == ConfidenceRating.Moment.STAGE:
                when = f"after “{stage_titles.get(rating.stage_id, 'a stage')}”"
            elif rating.moment == ConfidenceRating.Moment.START:
                when = "at the start"
            else:
                when = "at completion"
            given.append((when, rating.rating))
        return given

    @property
    def waiting_for_review(self) -> list[StepState]:
        return [s for s in self.steps if s.is_submitted]

    def state_of(self, step: Step) -> StepState | None:
        for state in self.steps:
            if state.step.pk == step.pk:
                return state
        return None

    def stage_plan(self, stage_id: int) -> StagePlan | None:
        for stage in self.stages:
            if stage.stage.pk == stage_id:
                return stage
        return None

    @property
    def is_overdue(self) -> bool:
        due = self.enrollment.due_date
        return bool(due) and not self.enrollment.completed_at and due < timezone.localdate()

    @property
    def confidence_due(self) -> ConfidenceAsk | None:
        """The moment the learner should rate their confidence now, if any: at the start
        (once they have begun), after each finished stage, and at completion."""
        rated_moments = {r.moment for r in self.ratings if r.stage_id is None}
        rated_stages = {r.stage_id for r in self.ratings if r.stage_id is not None}
        if self.enrollment.completed_at or self.is_complete:
            if ConfidenceRating.Moment.COMPLETION not in rated_moments:
                return ConfidenceAsk(ConfidenceRating.Moment.COMPLETION, None)
            return None
        if ConfidenceRating.Moment.START not in rated_moments:
            return ConfidenceAsk(ConfidenceRating.Moment.START, None, started=self.has_started)
        for stage in self.stages:
            if stage.is_done and stage.stage.pk not in rated_stages:
                return ConfidenceAsk(ConfidenceRating.Moment.STAGE, stage.stage)
        return None


@dataclass(frozen=True)
class ConfidenceAsk:
    moment: str
    stage: Stage | None
    started: bool = False  # for the start moment: asked late, after the first step

    @property
    def question(self) -> str:
        if self.moment == ConfidenceRating.Moment.START and self.started:
            return "Your starting point: how confident are you using AI in your work?"
        if self.moment == ConfidenceRating.Moment.START:
            return "Before you begin: how confident are you using AI in your work?"
        if self.moment == ConfidenceRating.Moment.STAGE:
            return (
                f"You finished “{self.stage.title}”. "
                "How confident are you now using AI in your work?"
            )
        return "You completed the pathway. How confident are you now using AI in your work?"


def _plan(enrollment, stages, steps_by_stage, progress_by_step, prerequisites, ratings):
    # With "stages unlock in order", every step of a stage also waits for the live steps
    # of the stages before it (the stages come with their pathway joined in).
    in_order = bool(stages) and stages[0].pathway.stages_in_order
    earlier_stages_steps: list[Step] = []
    plans = []
    for stage in stages:
        previous: Step | None = None
        states = []
        for step in steps_by_stage.get(stage.pk, []):
            states.append(StepState(step=step, progress=progress_by_step.get(step.pk)))
            state = states[-1]
            state.blockers = list(prerequisites.get(step.pk, []))
            if stage.is_sequential and previous is not None and previous not in state.blockers:
                state.blockers.insert(0, previous)
            if in_order:
                state.blockers += [b for b in earlier_stages_steps if b not in state.blockers]
            previous = step
        earlier_stages_steps += steps_by_stage.get(stage.pk, [])
        plans.append(StagePlan(stage=stage, steps=states))
    done_ids = {s.step.pk for plan in plans for s in plan.steps if s.is_done}
    for plan in plans:
        for state in plan.steps:
            state.blockers = [b for b in state.blockers if b.pk not in done_ids]
    return PathwayPlan(enrollment=enrollment, stages=plans, ratings=ratings)


def pathway_plans(enrollments: list[Enrollment]) -> dict[int, PathwayPlan]:
    """Each enrolment's plan, keyed by enrolment id, in five queries however many
    enrolments, stages or steps: stages, live steps (with product and competency),
    their live prerequisites, progress, confidence ratings."""
    if not enrollments:
        return {}
    pathway_ids = {e.pathway_id for e in enrollments}
    stages_by_pathway: dict[int, list[Stage]] = defaultdict(list)
    for stage in (
        Stage.objects.filter(pathway_id__in=pathway_ids)
        .select_related("pathway")
        .order_by("position")
    ):
        stages_by_pathway[stage.pathway_id].append(stage)
    steps = list(
        Step.objects.filter(pathway_id__in=pathway_ids, is_archived=False)
        .select_related("product", "competency")
        .order_by("stage__position", "position")
    )
    steps_by_id = {step.pk: step for step in steps}
    steps_by_stage: dict[int, list[Step]] = defaultdict(list)
    for step in steps:
        steps_by_stage[step.stage_id].append(step)
    prerequisites: dict[int, list[Step]] = defaultdict(list)
    for from_id, to_id in Step.prerequisites.through.objects.filter(
        from_step_id__in=steps_by_id
    ).values_list("from_step_id", "to_step_id"):
        if to_id in steps_by_id:  # archived prerequisites are skipped
            prerequisites[from_id].append(steps_by_id[to_id])
    progress: dict[int, dict[int, StepProgress]] = defaultdict(dict)
    for row in StepProgress.objects.filter(enrollment__in=enrollments, step_id__in=steps_by_id):
        progress[row.enrollment_id][row.step_id] = row
    ratings: dict[int, list[ConfidenceRating]] = defaultdict(list)
    for rating in ConfidenceRating.objects.filter(enrollment__in=enrollments):
        ratings[rating.enrollment_id].append(rating)
    return {
        e.pk: _plan(
            e,
            stages_by_pathway[e.pathway_id],
            steps_by_stage,
            progress[e.pk],
            prerequisites,
            ratings[e.pk],
        )
        for e in enrollments
    }


def pathway_plan(enrollment: Enrollment) -> PathwayPlan:
    return pathway_plans([enrollment])[enrollment.pk]


def own_enrollment(person: Person, pathway_slug: str) -> Enrollment | None:
    return (
        Enrollment.objects.filter(person=person, pathway__slug=pathway_slug)
        .select_related("pathway", "person")
        .first()
    )


def self_enrol_pathways(person: Person) -> QuerySet[Pathway]:
    """Published pathways aimed at the person's role that they are not enrolled in."""
    return (
        Pathway.objects.published()
        .filter(target_roles=person.job_role_id)
        .exclude(enrollments__person=person)
        .distinct()
        .order_by("title")
    )


def rubric_for(job_role_id: int, competency_id: int | None) -> RoleRubric | None:
    if competency_id is None:
        return None
    return RoleRubric.objects.filter(job_role_id=job_role_id, competency_id=competency_id).first()


def feedback_of(person: Person, step: Step) -> StepFeedback | None:
    return StepFeedback.objects.filter(person=person, step=step).first()
