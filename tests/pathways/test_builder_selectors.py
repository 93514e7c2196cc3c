"""Reads behind the pathway builder: the list with its counts, and a pathway's structure
and outline (lock states for a learner with no progress)."""

from django.utils import timezone

from pathways.models import Pathway
from pathways.selectors import builder as selectors
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


def test_outline_locks_all_but_the_first_step_of_a_sequential_stage(db):
    pathway = PathwayFactory(status=Pathway.Status.DRAFT)
    in_order = StageFactory(pathway=pathway, is_sequential=True)
    first, second = StepFactory(stage=in_order, position=1), StepFactory(stage=in_order, position=2)

    (stage,) = selectors.pathway_structure(pathway).stages

    assert [(row.step, row.locked) for row in stage.steps] == [(first, False), (second, True)]
    assert stage.steps[1].waits_for == [first]


def test_outline_opens_every_step_of_a_free_order_stage_except_those_with_prerequisites(db):
    pathway = PathwayFactory(status=Pathway.Status.DRAFT)
    free = StageFactory(pathway=pathway, is_sequential=False)
    a, b, c = (StepFactory(stage=free, position=n) for n in (1, 2, 3))
    c.prerequisites.add(a)
    StepFactory(stage=free, position=4, is_archived=True)

    (stage,) = selectors.pathway_structure(pathway).stages

    assert [row.locked for row in stage.steps] == [False, False, True]
    assert stage.steps[2].waits_for == [a]
    assert len(stage.archived_steps) == 1
    assert b in [row.step for row in stage.steps]


def test_structure_lists_what_stops_publishing(db):
    pathway = PathwayFactory(status=Pathway.Status.DRAFT)
    StepFactory(stage=StageFactory(pathway=pathway, kind="practice"), kind="practice")

    problems = selectors.pathway_structure(pathway).problems

    assert any("add: Foundation, Coaching" in p for p in problems)
    assert any("must name the product" in p for p in problems)
