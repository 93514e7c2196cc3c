"""Factories and builders for the pathways tests (the shared ones live in
tests/factories.py): assignment rules and a publishable pathway for the builder; a small
journey (a pathway with a learn step, a practice step that needs evidence and a coaching
stage, and a learner enrolled in it with a manager who reviews their evidence) for the
learner's side, with its first moves (`finish_foundation`, `submitted`); and the one
ConfidenceRatingFactory."""

from __future__ import annotations

from dataclasses import dataclass

import factory
from factory.django import DjangoModelFactory

from pathways.models import (
    ConfidenceRating,
    Enrollment,
    Pathway,
    PathwayAssignment,
    RoleRubric,
    Stage,
    Step,
    StepProgress,
)
from pathways.services import learning as services
from tests.factories import (
    CompetencyFactory,
    EnrollmentFactory,
    PathwayFactory,
    PersonFactory,
    ProductFactory,
    RoleRubricFactory,
    StageFactory,
    StepFactory,
    TeamFactory,
)
from upskill.models import Person


class PathwayAssignmentFactory(DjangoModelFactory):
    """A standing rule for a team (pass `team=None, job_role=...` for a role rule)."""

    class Meta:
        model = PathwayAssignment

    pathway = factory.SubFactory(PathwayFactory)
    team = factory.SubFactory(TeamFactory)
    include_subteams = True
    job_role = None


def publishable_pathway(status: str = Pathway.Status.DRAFT, **kwargs) -> Pathway:
    """A pathway that meets every publishing rule: foundation, practice (a step on a
    product) and coaching stages, one or two steps each."""
    pathway = PathwayFactory(status=status, **kwargs)
    foundation = StageFactory(pathway=pathway, title="Foundations", kind=Stage.Kind.FOUNDATION)
    practice = StageFactory(pathway=pathway, title="Practice", kind=Stage.Kind.PRACTICE)
    coaching = StageFactory(pathway=pathway, title="Coaching", kind=Stage.Kind.COACHING)
    StepFactory(stage=foundation, key="basics", title="The basics")
    StepFactory(stage=foundation, key="ethics", title="Ethics")
    StepFactory(
        stage=practice,
        key="draft",
        title="Draft a reply",
        kind="practice",
        product=ProductFactory(),
    )
    StepFactory(stage=coaching, key="review", title="Review with coach", kind="coaching")
    return pathway


class ConfidenceRatingFactory(DjangoModelFactory):
    class Meta:
        model = ConfidenceRating

    enrollment = factory.SubFactory(EnrollmentFactory)
    moment = ConfidenceRating.Moment.START
    stage = None
    rating = 3


@dataclass
class Journey:
    pathway: Pathway
    foundation: Stage
    practice: Stage
    learn: Step  # foundation, position 1
    reflect: Step  # foundation, position 2
    practise: Step  # practice stage, evidence required, on a product, with a competency
    share: Step  # practice stage, practice without evidence required
    learner: Person
    manager: Person
    enrollment: Enrollment
    rubric: RoleRubric


def a_journey(**pathway_kwargs) -> Journey:
    team = TeamFactory()
    manager = PersonFactory(team=team, user__first_name="Tom", user__last_name="Okafor")
    learner = PersonFactory(
        team=team, manager=manager, user__first_name="Sam", user__last_name="Rivera"
    )
    pathway = PathwayFactory(target_roles=[learner.job_role], **pathway_kwargs)
    foundation = StageFactory(pathway=pathway, position=1, title="Foundations")
    practice = StageFactory(pathway=pathway, position=2, title="Practice", kind="practice")
    competency = CompetencyFactory(name="Drafting with AI")
    rubric = RoleRubricFactory(
        job_role=learner.job_role, competency=competency, level_3="Drafts unaided and checks."
    )
    learn = StepFactory(stage=foundation, position=1, key="learn", title="Learn the basics")
    reflect = StepFactory(
        stage=foundation, position=2, key="reflect", title="Reflect", kind="reflect"
    )
    practise = StepFactory(
        stage=practice,
        position=1,
        key="practise",
        title="Draft five real replies",
        kind="practice",
        evidence_required=True,
        product=ProductFactory(name="Help Centre"),
        competency=competency,
        target_level=3,
        estimated_minutes=90,
    )
    share = StepFactory(
        stage=practice, position=2, key="share", title="Share a prompt", kind="practice"
    )
    enrollment = EnrollmentFactory(person=learner, pathway=pathway)
    return Journey(
        pathway=pathway,
        foundation=foundation,
        practice=practice,
        learn=learn,
        reflect=reflect,
        practise=practise,
        share=share,
        learner=learner,
        manager=manager,
        enrollment=enrollment,
        rubric=rubric,
    )


def finish_foundation(journey: Journey) -> None:
    """The learner marks both foundation steps done, which unlocks the practice stage."""
    services.step_mark_done(enrollment=journey.enrollment, step=journey.learn)
    services.step_mark_done(enrollment=journey.enrollment, step=journey.reflect)


def submitted(
    journey: Journey, evidence: str = "Drafted 12 replies with the assistant; kept 9."
) -> StepProgress:
    """The learner finishes the foundation and submits evidence for the practice step."""
    finish_foundation(journey)
    return services.evidence_submit(
        enrollment=journey.enrollment, step=journey.practise, evidence=evidence
    )


def submitted_as_last_step(journey: Journey) -> StepProgress:
    """As `submitted`, with the share step retired: approving the evidence completes
    the pathway."""
    journey.share.is_archived = True
    journey.share.save()
    return submitted(journey)
