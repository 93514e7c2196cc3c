"""Factories and builders for the pathway builder's tests (the shared ones live in
tests/factories.py)."""

import factory
from factory.django import DjangoModelFactory

from pathways.models import ConfidenceRating, Pathway, PathwayAssignment, Stage
from tests.factories import (
    EnrollmentFactory,
    PathwayFactory,
    ProductFactory,
    StageFactory,
    StepFactory,
    TeamFactory,
)


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
