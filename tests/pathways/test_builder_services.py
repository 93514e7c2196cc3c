"""The pathway builder's services: structure editing, reorder, prerequisites, publishing
rules, archive-not-delete, duplicate and assignment."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from pathways.models import Enrollment, Pathway, PathwayAssignment, Stage, Step
from pathways.services import builder as services
from pathways.services.builder import StepFields
from tests.factories import (
    CompetencyFactory,
    EnrollmentFactory,
    JobRoleFactory,
    OutcomeMeasureFactory,
    PathwayFactory,
    PersonFactory,
    ProductFactory,
    StageFactory,
    StepFactory,
    StepFeedbackFactory,
    StepProgressFactory,
    TeamFactory,
)
from tests.pathways.factories import ConfidenceRatingFactory, publishable_pathway

pytestmark = pytest.mark.django_db


def keys_in_order(stage: Stage) -> list[str]:
    return list(
        stage.steps.filter(is_archived=False).order_by("position").values_list("key", flat=True)
    )


def stage_titles(pathway: Pathway) -> list[str]:
    return list(pathway.stages.order_by("position").values_list("title", flat=True))


def fields(**overrides) -> StepFields:
    values = {"title": "A step", "key": "a-step", "kind": Step.Kind.LEARN}
    return StepFields(**(values | overrides))


# --- Products, competencies, rubrics ----------------------------------------------------


def test_product_create_gives_a_unique_slug_and_refuses_a_duplicate_name():
    first = services.product_create(name="Support Desk", kind="service")
    assert first.slug == "support-desk"
    with pytest.raises(ValidationError, match="already exists"):
        services.product_create(name="Support Desk", kind="service")


def test_product_archive_keeps_it_on_existing_steps():
    step = StepFactory(kind="practice", product=ProductFactory())
    services.product_set_archived(product=step.product, is_archived=True)
    step.refresh_from_db()
    assert step.product.is_archived


def test_role_rubric_set_creates_then_replaces_the_one_cell():
    role, competency = JobRoleFactory(), CompetencyFactory()
    services.role_rubric_set(
        job_role=role, competency=competency, descriptors={"level_1": "Knows", "level_4": "Teaches"}
    )
    rubric = services.role_rubric_set(
        job_role=role, competency=competency, descriptors={"level_1": " Aware "}
    )
    assert (rubric.level_1, rubric.level_4) == ("Aware", "")
    assert role.rubrics.count() == 1


def test_competency_create_refuses_an_empty_name():
    with pytest.raises(ValidationError):
        services.competency_create(name="  ")


# --- Pathways ---------------------------------------------------------------------------


def test_pathway_create_is_a_draft_with_a_slug_from_its_title_and_its_targets():
    product, role, measure = ProductFactory(), JobRoleFactory(), OutcomeMeasureFactory()
    PathwayFactory(slug="support-replies")
    pathway = services.pathway_create(
        title="Support replies",
        summary="Faster replies",
        products=[product],
        target_roles=[role],
        targeted_measures=[measure],
    )
    assert pathway.status == Pathway.Status.DRAFT
    assert pathway.slug == "support-replies-2"
    assert list(pathway.products.all()) == [product]
    assert list(pathway.targeted_measures.all()) == [measure]


def test_pathway_create_refuses_a_taken_slug():
    PathwayFactory(slug="taken")
    with pytest.raises(ValidationError, match="already uses"):
        services.pathway_create(title="New", slug="taken")


def test_pathway_duplicate_copies_stages_steps_and_prerequisites_as_a_new_draft():
    original = publishable_pathway(status=Pathway.Status.PUBLISHED, slug="support")
    basics, draft = original.steps.get(key="basics"), original.steps.get(key="draft")
    draft.prerequisites.add(basics)
    StepFactory(stage=basics.stage, key="old", is_archived=True)
    EnrollmentFactory(pathway=original)

    copy = services.pathway_duplicate(pathway=original)

    assert copy.status == Pathway.Status.DRAFT
    assert copy.slug == "support-copy"
    assert copy.title == f"Copy of {original.title}"
    assert stage_titles(copy) == stage_titles(original)
    assert set(copy.steps.values_list("key", flat=True)) == {"basics", "ethics", "draft", "review"}
    copied_draft = copy.steps.get(key="draft")
    assert [s.key for s in copied_draft.prerequisites.all()] == ["basics"]
    assert copied_draft.prerequisites.get().pathway == copy
    assert copy.enrollments.count() == 0
    assert original.steps.count() == 5  # untouched
    assert services.pathway_duplicate(pathway=original).slug == "support-copy-2"


# --- Publishing rules -------------------------------------------------------------------


def test_publishing_a_complete_pathway_sets_its_status_and_date():
    pathway = services.pathway_publish(pathway=publishable_pathway())
    assert pathway.status == Pathway.Status.PUBLISHED
    assert pathway.published_at is not None


def test_publishing_refuses_a_pathway_without_every_kind_of_stage():
    pathway = PathwayFactory(status=Pathway.Status.DRAFT)
    StepFactory(stage=StageFactory(pathway=pathway, kind="foundation"))
    with pytest.raises(ValidationError) as exc:
        services.pathway_publish(pathway=pathway)
    assert "add: Hands-on practice, Coaching" in " ".join(exc.value.messages)
    pathway.refresh_from_db()
    assert pathway.status == Pathway.Status.DRAFT


def test_publishing_refuses_stages_out_of_progressive_order_but_allows_a_repeated_practice():
    pathway = publishable_pathway()
    # After every other stage, whatever the factory's position sequence has reached.
    last = max(pathway.stages.values_list("position", flat=True))
    second_practice = StageFactory(pathway=pathway, kind="practice", position=last + 1)
    StepFactory(stage=second_practice)
    # F, P, C, P: the second practice stage comes after coaching.
    with pytest.raises(ValidationError, match="foundation → hands-on practice → coaching"):
        services.pathway_publish(pathway=pathway)
    stages = list(pathway.stages.order_by("position").values_list("pk", flat=True))
    services.stages_reorder(pathway=pathway, stage_ids=[stages[0], stages[1], stages[3], stages[2]])
    assert services.pathway_publish(pathway=pathway).status == Pathway.Status.PUBLISHED


def test_publishing_refuses_a_practice_step_without_a_product():
    pathway = publishable_pathway()
    pathway.steps.filter(key="draft").update(product=None)
    with pytest.raises(ValidationError, match="“Draft a reply” must name the product"):
        services.pathway_publish(pathway=pathway)


def test_publishing_refuses_an_empty_stage():
    pathway = publishable_pathway()
    StageFactory(pathway=pathway, kind="coaching", title="Empty coaching", position=50)
    with pytest.raises(ValidationError, match="“Empty coaching” has no steps"):
        services.pathway_publish(pathway=pathway)


def test_publishing_problems_name_duplicate_and_empty_keys():
    stage = StageFactory(kind="foundation")
    steps = [
        Step(stage=stage, key="same", title="One"),
        Step(stage=stage, key="same", title="Two"),
        Step(stage=stage, key="", title="Blank"),
    ]
    problems = services.pathway_publishing_problems(stages=[stage], steps=steps)
    assert any("key “same”" in p for p in problems)
    assert any("“Blank” needs a key" in p for p in problems)


def test_an_edit_that_breaks_a_published_pathway_is_refused_and_changes_nothing():
    pathway = publishable_pathway(status=Pathway.Status.PUBLISHED)
    draft = pathway.steps.get(key="draft")
    practice = draft.stage
    # Moving the practice stage's only step away would leave that stage empty.
    with pytest.raises(ValidationError, match="published, so the change was not made"):
        services.step_update(
            step=draft,
            fields=fields(title="Draft", key="draft", kind="practice", product=draft.product),
            stage=pathway.stages.get(kind="coaching"),
        )
    draft.refresh_from_db()
    assert draft.stage == practice
    assert draft.title == "Draft a reply"


@pytest.mark.parametrize("published", [False, True])
def test_a_practice_step_without_a_product_is_refused_at_save_under_the_product(published):
    pathway = publishable_pathway(
        status=Pathway.Status.PUBLISHED if published else Pathway.Status.DRAFT
    )
    practice = pathway.stages.get(kind="practice")
    draft = pathway.steps.get(key="draft")

    with pytest.raises(ValidationError) as added:
        services.step_create(stage=practice, fields=fields(key="more", kind="practice"))
    with pytest.raises(ValidationError) as edited:
        services.step_update(
            step=draft, fields=fields(title="Draft", key="draft", kind="practice", product=None)
        )

    for refusal in (added, edited):
        assert refusal.value.message_dict == {
            "product": [
                "A practice step must name the product, service or process it is practised "
                "on: choose one (or make it another kind of step)."
            ]
        }
    assert not pathway.steps.filter(key="more").exists()
    draft.refresh_from_db()
    assert draft.title == "Draft a reply"
    assert draft.product is not None


def test_other_kinds_of_step_need_no_product_even_in_a_practice_stage():
    pathway = publishable_pathway()
    practice = pathway.stages.get(kind="practice")
    for kind in ("learn", "coaching", "reflect"):
        step = services.step_create(
            stage=practice, fields=fields(title=f"A {kind} step", key=f"a-{kind}", kind=kind)
        )
        assert step.product is None


def test_the_publishing_check_still_names_a_practice_step_saved_without_a_product():
    # A step saved before the save-time rule (or by a data migration) is still caught.
    pathway = publishable_pathway()
    pathway.steps.filter(key="draft").update(product=None)
    with pytest.raises(ValidationError, match="“Draft a reply” must name the product"):
        services.pathway_publish(pathway=pathway)


def test_deleting_the_only_coaching_stage_of_a_published_pathway_is_refused():
    pathway = publishable_pathway(status=Pathway.Status.PUBLISHED)
    with pytest.raises(ValidationError, match="published"):
        services.stage_delete(stage=pathway.stages.get(kind="coaching"))
    assert pathway.stages.count() == 3


def test_a_published_pathway_can_still_be_edited_within_the_rules():
    pathway = publishable_pathway(status=Pathway.Status.PUBLISHED)
    stage = pathway.stages.get(kind="practice")
    services.step_create(
        stage=stage, fields=fields(key="more", kind="practice", product=ProductFactory())
    )
    assert keys_in_order(stage) == ["draft", "more"]


# --- Stages and steps -------------------------------------------------------------------


def test_stage_create_appends_it_after_the_last_stage():
    pathway = publishable_pathway()
    stage = services.stage_create(pathway=pathway, title="More coaching", kind="coaching")
    assert stage_titles(pathway)[-1] == "More coaching"
    assert stage.position > pathway.stages.get(kind="coaching", title="Coaching").position


def test_step_create_appends_and_derives_a_key_from_the_title_when_left_blank():
    stage = StageFactory(pathway__status="draft")
    step = services.step_create(stage=stage, fields=fields(title="Write a prompt", key=""))
    assert step.key == "write-a-prompt"
    assert step.pathway == stage.pathway


def test_step_keys_are_unique_within_a_pathway_with_a_clear_message():
    pathway = publishable_pathway()
    stage = pathway.stages.get(kind="foundation")
    with pytest.raises(ValidationError) as exc:
        services.step_create(stage=stage, fields=fields(key="draft"))
    assert exc.value.message_dict["key"] == [
        "Another step in this pathway already has the key “draft”."
    ]
    # The same key in another pathway is fine.
    services.step_create(stage=StageFactory(pathway__status="draft"), fields=fields(key="draft"))


def test_step_key_must_be_a_slug():
    with pytest.raises(ValidationError) as exc:
        services.step_create(
            stage=StageFactory(pathway__status="draft"), fields=fields(key="not a slug!")
        )
    assert "key" in exc.value.message_dict


def test_step_moves_to_the_end_of_another_stage_of_its_pathway_with_its_progress():
    pathway = publishable_pathway()
    basics = pathway.steps.get(key="basics")
    progress = StepProgressFactory(step=basics, enrollment__pathway=pathway)
    coaching = pathway.stages.get(kind="coaching")
    services.step_update(
        step=basics, fields=fields(title="The basics", key="basics"), stage=coaching
    )
    assert keys_in_order(coaching) == ["review", "basics"]
    progress.refresh_from_db()
    assert progress.step.stage == coaching


def test_step_never_moves_to_a_stage_of_another_pathway():
    step = StepFactory(stage__pathway__status="draft")
    other = StageFactory(pathway__status="draft")
    with pytest.raises(ValidationError, match="its own pathway"):
        services.step_update(step=step, fields=fields(key=step.key), stage=other)
    step.refresh_from_db()
    assert step.stage.pathway == step.pathway != other.pathway


def test_prerequisites_from_another_pathway_are_refused():
    step, elsewhere = (
        StepFactory(stage__pathway__status="draft"),
        StepFactory(stage__pathway__status="draft"),
    )
    with pytest.raises(ValidationError, match="another pathway"):
        services.step_update(step=step, fields=fields(key=step.key), prerequisites=[elsewhere])
    assert step.prerequisites.count() == 0


def test_a_prerequisite_loop_is_refused_with_the_steps_named():
    pathway = publishable_pathway()
    basics, ethics, draft = (pathway.steps.get(key=k) for k in ("basics", "ethics", "draft"))
    services.step_update(
        step=ethics, fields=fields(title="Ethics", key="ethics"), prerequisites=[basics]
    )
    services.step_update(
        step=draft,
        fields=fields(title="Draft a reply", key="draft", kind="practice", product=draft.product),
        prerequisites=[ethics],
    )
    with pytest.raises(ValidationError) as exc:
        services.step_update(
            step=basics, fields=fields(title="The basics", key="basics"), prerequisites=[draft]
        )
    message = exc.value.message_dict["prerequisites"][0]
    assert "loop" in message
    assert "“Draft a reply”" in message
    assert "“Ethics”" in message
    assert basics.prerequisites.count() == 0


def test_a_step_cannot_be_its_own_prerequisite():
    step = StepFactory(stage__pathway__status="draft")
    with pytest.raises(ValidationError, match="its own prerequisite"):
        services.step_update(step=step, fields=fields(key=step.key), prerequisites=[step])


def test_deleting_an_untouched_step_deletes_it_and_its_prerequisite_links():
    pathway = publishable_pathway()
    basics, ethics = pathway.steps.get(key="basics"), pathway.steps.get(key="ethics")
    ethics.prerequisites.add(basics)
    result = services.step_delete(step=basics)
    assert not result.archived
    assert not Step.objects.filter(pk=basics.pk).exists()
    assert ethics.prerequisites.count() == 0


def test_deleting_a_step_with_progress_archives_it_and_says_so():
    pathway = publishable_pathway()
    basics, ethics = pathway.steps.get(key="basics"), pathway.steps.get(key="ethics")
    ethics.prerequisites.add(basics)
    progress = StepProgressFactory(step=basics, enrollment__pathway=pathway, status="approved")
    result = services.step_delete(step=basics)
    assert result.archived
    assert "archived, not deleted" in result.message
    basics.refresh_from_db()
    assert basics.is_archived
    progress.refresh_from_db()  # still there
    assert ethics.prerequisites.count() == 0  # nobody waits for an archived step


def test_deleting_a_step_with_feedback_archives_it():
    step = StepFactory(stage__pathway__status="draft")
    StepFeedbackFactory(step=step)
    assert services.step_delete(step=step).archived


def test_deleting_a_stage_with_progress_is_refused_and_keeps_everything():
    pathway = publishable_pathway()
    foundation = pathway.stages.get(kind="foundation")
    StepProgressFactory(step=pathway.steps.get(key="basics"), enrollment__pathway=pathway)
    with pytest.raises(ValidationError, match="can't be deleted. Move its steps"):
        services.stage_delete(stage=foundation)
    assert foundation.steps.count() == 2


def test_deleting_a_stage_with_confidence_ratings_is_refused():
    stage = StageFactory(pathway__status="draft")
    ConfidenceRatingFactory(enrollment__pathway=stage.pathway, moment="stage", stage=stage)
    with pytest.raises(ValidationError, match="rated their confidence"):
        services.stage_delete(stage=stage)


def test_deleting_an_untouched_stage_deletes_its_steps():
    pathway = publishable_pathway()
    foundation = pathway.stages.get(kind="foundation")
    services.stage_delete(stage=foundation)
    assert set(pathway.steps.values_list("key", flat=True)) == {"draft", "review"}


# --- Reorder ----------------------------------------------------------------------------


def test_steps_reorder_persists_the_new_order_even_through_the_unique_positions():
    stage = StageFactory(pathway__status="draft")
    steps = [StepFactory(stage=stage, key=k, position=i + 1) for i, k in enumerate("abc")]
    services.steps_reorder(stage=stage, step_ids=[steps[2].pk, steps[0].pk, steps[1].pk])
    assert keys_in_order(stage) == ["c", "a", "b"]
    assert list(stage.steps.order_by("position").values_list("position", flat=True)) == [1, 2, 3]


def test_steps_reorder_keeps_archived_steps_after_the_live_ones():
    stage = StageFactory(pathway__status="draft")
    a = StepFactory(stage=stage, key="a", position=1, is_archived=True)
    b, c = (
        StepFactory(stage=stage, key="b", position=2),
        StepFactory(stage=stage, key="c", position=3),
    )
    services.steps_reorder(stage=stage, step_ids=[c.pk, b.pk])
    assert list(stage.steps.order_by("position").values_list("key", flat=True)) == ["c", "b", "a"]
    assert a.pk


@pytest.mark.parametrize(
    "make_ids",
    [
        pytest.param(lambda own, other: own[:-1], id="a step missing"),
        pytest.param(lambda own, other: [*own, other], id="a step from another pathway"),
        pytest.param(lambda own, other: [*own[:-1], other], id="one swapped for a foreign step"),
        pytest.param(lambda own, other: [*own, own[0]], id="a step twice"),
        pytest.param(lambda own, other: ["x", *own], id="not a number"),
    ],
)
def test_steps_reorder_with_the_wrong_set_of_ids_is_refused_and_changes_nothing(make_ids):
    stage = StageFactory(pathway__status="draft")
    own = [StepFactory(stage=stage, key=k, position=i + 1).pk for i, k in enumerate("abc")]
    other = StepFactory(stage__pathway__status="draft").pk
    with pytest.raises(ValidationError, match="changed since you loaded"):
        services.steps_reorder(stage=stage, step_ids=make_ids(list(reversed(own)), other))
    assert keys_in_order(stage) == ["a", "b", "c"]


def test_a_stale_reorder_after_another_admin_added_a_step_is_refused():
    stage = StageFactory(pathway__status="draft")
    seen = [StepFactory(stage=stage, key=k, position=i + 1).pk for i, k in enumerate("ab")]
    services.step_create(stage=stage, fields=fields(key="added-by-someone-else"))
    with pytest.raises(ValidationError, match="reload"):
        services.steps_reorder(stage=stage, step_ids=list(reversed(seen)))
    assert keys_in_order(stage) == ["a", "b", "added-by-someone-else"]


def test_stages_reorder_refuses_stages_of_another_pathway():
    pathway = publishable_pathway()
    ids = list(pathway.stages.values_list("pk", flat=True))
    with pytest.raises(ValidationError, match="reload"):
        services.stages_reorder(
            pathway=pathway, stage_ids=[*ids[:-1], StageFactory(pathway__status="draft").pk]
        )
    assert stage_titles(pathway) == ["Foundations", "Practice", "Coaching"]


def test_stages_reorder_that_breaks_a_published_pathway_is_refused():
    pathway = publishable_pathway(status=Pathway.Status.PUBLISHED)
    ids = list(pathway.stages.order_by("position").values_list("pk", flat=True))
    with pytest.raises(ValidationError, match="published"):
        services.stages_reorder(pathway=pathway, stage_ids=list(reversed(ids)))
    assert stage_titles(pathway) == ["Foundations", "Practice", "Coaching"]


@pytest.mark.parametrize(
    ("move", "expected"),
    [
        ("2:up", [2, 1, 3]),
        ("2:down", [1, 3, 2]),
        ("1:up", [1, 2, 3]),
        ("3:down", [1, 2, 3]),
        ("9:up", [1, 2, 3]),
        ("2:sideways", [1, 2, 3]),
        ("x:up", [1, 2, 3]),
        (None, [1, 2, 3]),
    ],
)
def test_apply_move_swaps_with_the_neighbour_and_ignores_nonsense(move, expected):
    assert services.apply_move([1, 2, 3], move) == expected


# --- Assignment -------------------------------------------------------------------------


def test_assigning_a_team_enrols_its_people_and_its_subteams_people():
    pathway = publishable_pathway(status=Pathway.Status.PUBLISHED)
    parent = TeamFactory()
    child = TeamFactory(parent=parent)
    in_parent, in_child, elsewhere = (
        PersonFactory(team=parent),
        PersonFactory(team=child),
        PersonFactory(),
    )
    result = services.pathway_assign(
        pathway=pathway,
        assigned_by=None,
        team=parent,
        include_subteams=True,
        due_date=timezone.localdate() + dt.timedelta(days=30),
    )
    assert result.enrolled == 2
    enrolled = set(pathway.enrollments.values_list("person_id", flat=True))
    assert enrolled == {in_parent.pk, in_child.pk}
    assert elsewhere.pk not in enrolled
    assert pathway.enrollments.filter(due_date__isnull=False).count() == 2


def test_assigning_a_team_without_subteams_leaves_the_subteams_out():
    pathway = publishable_pathway(status=Pathway.Status.PUBLISHED)
    parent = TeamFactory()
    PersonFactory(team=TeamFactory(parent=parent))
    member = PersonFactory(team=parent)
    services.pathway_assign(pathway=pathway, assigned_by=None, team=parent, include_subteams=False)
    assert list(pathway.enrollments.values_list("person_id", flat=True)) == [member.pk]


def test_reassigning_never_duplicates_an_enrolment_and_keeps_the_rule_single():
    pathway = publishable_pathway(status=Pathway.Status.PUBLISHED)
    team = TeamFactory()
    person = PersonFactory(team=team)
    EnrollmentFactory(person=person, pathway=pathway, source="self")
    first = services.pathway_assign(pathway=pathway, assigned_by=None, team=team)
    again = services.pathway_assign(pathway=pathway, assigned_by=None, team=team)
    assert (first.enrolled, first.already_enrolled) == (0, 1)
    assert (again.enrolled, again.already_enrolled) == (0, 1)
    assert Enrollment.objects.filter(pathway=pathway).count() == 1
    assert PathwayAssignment.objects.filter(pathway=pathway).count() == 1


def test_a_role_rule_enrols_people_who_take_the_role_later_on_the_next_run():
    pathway = publishable_pathway(status=Pathway.Status.PUBLISHED)
    role = JobRoleFactory(name="Support agent")
    PersonFactory(job_role=role)
    services.pathway_assign(pathway=pathway, assigned_by=None, job_role=role)
    newcomer = PersonFactory(job_role=role)
    assert not pathway.enrollments.filter(person=newcomer).exists()

    result = services.pathway_assignments_apply()

    assert result.enrolled == 1
    assert pathway.enrollments.filter(person=newcomer).exists()
    assert services.pathway_assignments_apply().enrolled == 0  # safe to re-run


def test_a_team_rule_enrols_people_who_join_the_team_later():
    pathway = publishable_pathway(status=Pathway.Status.PUBLISHED)
    team = TeamFactory()
    services.pathway_assign(pathway=pathway, assigned_by=None, team=team)
    joiner = PersonFactory()
    joiner.team = TeamFactory(parent=team)
    joiner.save()
    services.pathway_assignments_apply()
    assert pathway.enrollments.filter(person=joiner).exists()


def test_rules_of_archived_pathways_enrol_nobody_new():
    pathway = publishable_pathway(status=Pathway.Status.PUBLISHED)
    team = TeamFactory()
    services.pathway_assign(pathway=pathway, assigned_by=None, team=team)
    services.pathway_archive(pathway=pathway)
    PersonFactory(team=team)
    assert services.pathway_assignments_apply().enrolled == 0


def test_assigning_chosen_people_enrols_just_them_without_a_standing_rule():
    pathway = publishable_pathway(status=Pathway.Status.PUBLISHED)
    people = [PersonFactory(), PersonFactory()]
    result = services.pathway_assign(pathway=pathway, assigned_by=None, people=people)
    assert result.enrolled == 2
    assert not PathwayAssignment.objects.exists()


def test_only_a_published_pathway_can_be_assigned():
    with pytest.raises(ValidationError, match="publish it first"):
        services.pathway_assign(pathway=publishable_pathway(), assigned_by=None, team=TeamFactory())
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("targets", ["none", "two"])
def test_assignment_needs_exactly_one_kind_of_target(targets):
    pathway = publishable_pathway(status=Pathway.Status.PUBLISHED)
    extra = {"team": TeamFactory(), "job_role": JobRoleFactory()} if targets == "two" else {}
    with pytest.raises(ValidationError, match="Choose one of"):
        services.pathway_assign(pathway=pathway, assigned_by=None, **extra)


def test_an_assignment_due_in_the_past_is_refused():
    pathway = publishable_pathway(status=Pathway.Status.PUBLISHED)
    with pytest.raises(ValidationError):
        services.pathway_assign(
            pathway=pathway,
            assigned_by=None,
            team=TeamFactory(),
            due_date=timezone.localdate() - dt.timedelta(days=1),
        )


def test_a_step_whose_title_gives_no_key_asks_for_one():
    with pytest.raises(ValidationError) as exc:
        services.step_create(
            stage=StageFactory(pathway__status="draft"), fields=fields(title="???", key="")
        )
    assert "Give the step a key" in exc.value.message_dict["key"][0]


# --- Builder forms: what is refused at save (issue 18) --------------------------------------


def test_a_second_pathway_with_the_same_title_is_refused_and_a_copy_gets_a_free_title():
    original = services.pathway_create(title="Support replies with AI")
    with pytest.raises(ValidationError) as refused:
        services.pathway_create(title="  support replies with ai ")
    assert refused.value.message_dict["title"] == [
        "Another pathway is already called “support replies with ai”; choose another title."
    ]
    other = services.pathway_create(title="Another one")
    with pytest.raises(ValidationError):
        services.pathway_update(pathway=other, title="Support replies with AI")
    # Saving a pathway under its own title is fine.
    services.pathway_update(pathway=original, title="Support replies with AI")
    first = services.pathway_duplicate(pathway=original)
    second = services.pathway_duplicate(pathway=original)
    assert (first.title, second.title) == (
        "Copy of Support replies with AI",
        "Copy of Support replies with AI (2)",
    )


def test_a_rubric_with_every_level_empty_is_refused():
    role, competency = JobRoleFactory(), CompetencyFactory()
    with pytest.raises(ValidationError) as refused:
        services.role_rubric_set(
            job_role=role, competency=competency, descriptors={"level_1": "  ", "level_2": ""}
        )
    assert "level_1" in refused.value.message_dict
    assert not role.rubrics.exists()
