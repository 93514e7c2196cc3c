"""Reads for learners and their reviewers.

The unlock rules live here, in `pathway_plans`, because both the pages (what to show)
and the learning services (what to allow) ask the same question: which steps of this
enrolment are done, which are open, and which are locked behind what.

- Archived steps are skipped: they are neither counted nor required.
- A step is done when its progress is approved.
- A step is locked while any of its live prerequisites is not done, and, in a
  sequential stage, while the live step before it in that stage is not done.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.utils import timezone

from pathways.models import (
    ConfidenceRating,
    Enrollment,
    Pathway,
    Recognition,
    RoleRubric,
    Stage,
    Step,
    StepFeedback,
    StepProgress,
)
from upskill import access
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
        .annotate(
            total_steps=Count(
                "pathway__steps", filter=Q(pathway__steps__is_archived=False), distinct=True
            ),
            done_steps=Count(
                "progress",
                filter=Q(
                    progress__status=StepProgress.Status.APPROVED,
                    progress__step__is_archived=False,
                ),
                distinct=True,
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
            previous = step
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
    for stage in Stage.objects.filter(pathway_id__in=pathway_ids).order_by("position"):
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


# --- Review -------------------------------------------------------------------------------


def reviewable_people(user) -> QuerySet[Person]:
    """People whose evidence the user reviews: their reports and everyone in the teams
    they lead and below (as upskill.access.can_review), never themselves."""
    own = access.person_of(user)
    led = access.subtree_team_ids(access.led_team_ids(user))
    condition = Q(team_id__in=led)
    if own is not None:
        condition |= Q(manager=own)
    people = Person.objects.filter(condition)
    if own is not None:
        people = people.exclude(pk=own.pk)
    return people


def review_queue(user) -> list[StepProgress]:
    """Submitted evidence the user may review, oldest first, each with `rubric` set to
    the learner's role rubric for the step's competency (or None). Two queries plus the
    ones access needs: submissions with learner, step and product; their rubrics."""
    submissions = list(
        StepProgress.objects.filter(
            status=Status.SUBMITTED, enrollment__person__in=reviewable_people(user)
        )
        .select_related(
            "enrollment__person__user",
            "enrollment__person__job_role",
            "enrollment__pathway",
            "step__product",
            "step__competency",
        )
        .order_by("submitted_at", "pk")
    )
    attach_rubrics(submissions)
    return submissions


def attach_rubrics(submissions: list[StepProgress]) -> None:
    pairs = {(p.enrollment.person.job_role_id, p.step.competency_id) for p in submissions}
    competency_ids = {c for _, c in pairs if c is not None}
    rubrics = {}
    if competency_ids:
        rubrics = {
            (r.job_role_id, r.competency_id): r
            for r in RoleRubric.objects.filter(
                competency_id__in=competency_ids,
                job_role_id__in={role for role, _ in pairs},
            )
        }
    for submission in submissions:
        key = (submission.enrollment.person.job_role_id, submission.step.competency_id)
        submission.rubric = rubrics.get(key)


def submission_for_review(pk: int) -> StepProgress | None:
    submission = (
        StepProgress.objects.select_related(
            "enrollment__person__user",
            "enrollment__person__job_role",
            "enrollment__pathway",
            "step__product",
            "step__competency",
            "reviewer__user",
        )
        .filter(pk=pk)
        .first()
    )
    if submission is not None:
        attach_rubrics([submission])
    return submission


# --- Feedback summary (L&D admins) -------------------------------------------------------


@dataclass(frozen=True)
class StepFeedbackSummary:
    step: Step
    answers: int
    useful: int
    comments: list[str]  # empty unless enough people answered
    min_group_size: int

    @property
    def shown(self) -> bool:
        return self.answers >= self.min_group_size

    @property
    def useful_percent(self) -> int | None:
        return round(100 * self.useful / self.answers) if self.shown else None


def step_feedback_summary(pathway: Pathway) -> list[StepFeedbackSummary]:
    """Per live step: how many answered, how many found it useful, and the comments
    without names — all of it only when at least MIN_GROUP_SIZE people answered.
    Three queries: steps, counts per step, comments of the steps that qualify."""
    minimum = settings.MIN_GROUP_SIZE
    steps = list(
        Step.objects.filter(pathway=pathway, is_archived=False).order_by(
            "stage__position", "position"
        )
    )
    counts = {
        row["step_id"]: row
        for row in StepFeedback.objects.filter(step__in=steps)
        .values("step_id")
        .annotate(answers=Count("id"), useful=Count("id", filter=Q(useful=True)))
        .order_by()
    }
    shown_ids = [sid for sid, row in counts.items() if row["answers"] >= minimum]
    comments: dict[int, list[str]] = defaultdict(list)
    # Newest first, and ordered by text within a moment so no order leaks who wrote it.
    for step_id, comment in (
        StepFeedback.objects.filter(step_id__in=shown_ids)
        .exclude(comment="")
        .order_by("-created_at", "comment")
        .values_list("step_id", "comment")
    ):
        comments[step_id].append(comment)
    return [
        StepFeedbackSummary(
            step=step,
            answers=counts.get(step.pk, {}).get("answers", 0),
            useful=counts.get(step.pk, {}).get("useful", 0),
            comments=comments.get(step.pk, []),
            min_group_size=minimum,
        )
        for step in steps
    ]


# --- Recognition and badges ---------------------------------------------------------------


def recognition_colleagues(person: Person) -> QuerySet[Person]:
    """Whom the person can recognise: their team, their manager and their reports."""
    condition = Q(team_id=person.team_id) | Q(manager=person)
    if person.manager_id:
        condition |= Q(pk=person.manager_id)
    return (
        Person.objects.filter(condition)
        .exclude(pk=person.pk)
        .select_related("user")
        .order_by("user__first_name", "user__last_name")
    )


def recognitions_received(person: Person, *, limit: int = 20) -> list[Recognition]:
    return list(
        Recognition.objects.filter(to_person=person)
        .select_related("from_person__user")
        .order_by("-created_at")[:limit]
    )


def team_recognition_feed(person: Person, *, limit: int = 20) -> list[Recognition]:
    """Recognitions received by people in the person's team, newest first."""
    return list(
        Recognition.objects.filter(to_person__team_id=person.team_id)
        .select_related("from_person__user", "to_person__user")
        .order_by("-created_at")[:limit]
    )


def completed_enrollments(person: Person) -> QuerySet[Enrollment]:
    return (
        Enrollment.objects.filter(person=person, completed_at__isnull=False)
        .select_related("pathway")
        .order_by("-completed_at")
    )


def badge_enrollment(person: Person, enrollment_id: int) -> Enrollment | None:
    """The person's own completed enrolment, or None (never someone else's)."""
    return (
        Enrollment.objects.filter(pk=enrollment_id, person=person, completed_at__isnull=False)
        .select_related("pathway", "person__user")
        .prefetch_related(Prefetch("pathway__stages", queryset=Stage.objects.order_by("position")))
        .first()
    )


# --- Open Badges 3.0 ----------------------------------------------------------------------

OB3_CONTEXT = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]


def badge_document(enrollment: Enrollment, *, credential_url: str, site_url: str) -> dict:
    """The completed enrolment as an Open Badges 3.0 OpenBadgeCredential (a W3C
    Verifiable Credential 2.0). Unsigned: it carries no `proof`, so a verifier can read
    it but cannot check it cryptographically.

    The learner is identified by a salted SHA-256 hash of their email (OB 3.0's
    IdentityObject), so the file names no address in clear text."""
    pathway = enrollment.pathway
    person = enrollment.person
    site_url = site_url.rstrip("/")
    issuer_name = getattr(settings, "BADGE_ISSUER_NAME", "Upskill")
    stages = [stage.title for stage in pathway.stages.all()]
    narrative = (
        f"Completed every step of the “{pathway.title}” pathway"
        + (f" ({', '.join(stages)})" if stages else "")
        + ", including practice on real work reviewed against the learner's role rubric."
    )
    subject: dict = {"type": ["AchievementSubject"]}
    if person.email:
        salt = uuid.uuid5(uuid.NAMESPACE_URL, credential_url).hex
        digest = hashlib.sha256((person.email.lower() + salt).encode()).hexdigest()
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityHash": f"sha256${digest}",
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
            }
        ]
    subject["achievement"] = {
        "id": f"{site_url}/achievements/{pathway.slug}",
        "type": ["Achievement"],
        "achievementType": "LearningProgram",
        "name": pathway.title,
        "description": pathway.summary or f"Completed the “{pathway.title}” pathway.",
        "criteria": {"narrative": narrative},
    }
    return {
        "@context": OB3_CONTEXT,
        "id": credential_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "issuer": {"id": f"{site_url}/", "type": ["Profile"], "name": issuer_name},
        "validFrom": enrollment.completed_at.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "name": f"{pathway.title} — pathway completed",
        "credentialSubject": subject,
    }
