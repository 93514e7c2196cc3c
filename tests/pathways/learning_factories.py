"""Builders for the learner's side: a small pathway with a learn step, a practice step
that needs evidence, and a coaching stage, plus a learner enrolled in it with a manager
who reviews their evidence."""

from __future__ import annotations

from dataclasses import dataclass

from pathways.models import Enrollment, Pathway, RoleRubric, Stage, Step
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
