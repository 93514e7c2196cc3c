"""Reads behind the pathway list."""

from django.utils import timezone

from pathways import selectors
from pathways.models import Pathway
from tests.factories import (
    EnrollmentFactory,
    PathwayFactory,
    StageFactory,
    StepFactory,
)


def test_pathway_list_counts_stages_live_steps_enrolments_and_completions(db):
    pathway = PathwayFactory(title="Prompting for support")
    first, second = StageFactory(pathway=pathway), StageFactory(pathway=pathway)
    StepFactory(stage=first)
    StepFactory(stage=second)
    StepFactory(stage=second, is_archived=True)
    EnrollmentFactory(pathway=pathway)
    EnrollmentFactory(pathway=pathway, completed_at=timezone.now())
    EnrollmentFactory(pathway=pathway, completed_at=timezone.now())
    PathwayFactory(title="Empty")

    listed = {p.title: p for p in selectors.pathway_list_with_counts()}

    prompting = listed["Prompting for support"]
    assert (prompting.stage_count, prompting.step_count) == (2, 2)
    assert (prompting.enrolled_count, prompting.completed_count) == (3, 2)
    empty = listed["Empty"]
    assert (empty.stage_count, empty.step_count, empty.enrolled_count) == (0, 0, 0)


def test_pathway_list_includes_drafts_and_archived_pathways_by_title(db):
    PathwayFactory(title="B", status=Pathway.Status.DRAFT)
    PathwayFactory(title="C", status=Pathway.Status.ARCHIVED)
    PathwayFactory(title="A")

    assert [p.title for p in selectors.pathway_list_with_counts()] == ["A", "B", "C"]
