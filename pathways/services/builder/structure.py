"""A pathway's stages and steps: add, edit, delete (or archive), reorder, prerequisites."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils.text import slugify

from pathways.models import (
    Competency,
    ConfidenceRating,
    Pathway,
    Product,
    Stage,
    Step,
    StepFeedback,
    StepProgress,
)
from pathways.services.builder.pathways import _keep_publishable
from upskill.services.audit import audit_action, audit_describe, audit_record

PATHWAY_CHANGED = "The pathway changed since you loaded this page; reload it and try again."
PRACTICE_NEEDS_PRODUCT = (
    "A practice step must name the product, service or process it is practised on: "
    "choose one (or make it another kind of step)."
)


# --- Stages -----------------------------------------------------------------------------


def _next_position(queryset) -> int:
    return (queryset.aggregate(last=Max("position"))["last"] or 0) + 1


@transaction.atomic
def stage_create(
    *, pathway: Pathway, title: str, kind: str, is_sequential: bool = True, description: str = ""
) -> Stage:
    stage = Stage(
        pathway=pathway,
        title=title.strip(),
        kind=kind,
        is_sequential=is_sequential,
        description=description.strip(),
        position=_next_position(pathway.stages.all()),
    )
    stage.full_clean()
    stage.save()
    _keep_publishable(pathway)
    return stage


@transaction.atomic
def stage_update(
    *, stage: Stage, title: str, kind: str, is_sequential: bool, description: str = ""
) -> Stage:
    stage.title = title.strip()
    stage.kind = kind
    stage.is_sequential = is_sequential
    stage.description = description.strip()
    stage.full_clean()
    stage.save()
    _keep_publishable(stage.pathway)
    return stage


@transaction.atomic
@audit_action()
def stage_delete(*, stage: Stage) -> None:
    """Delete a stage and its steps. Refused when anyone has progress, feedback or a
    confidence rating on it: those records would be lost (move the steps out first)."""
    with_progress = (
        StepProgress.objects.filter(step__stage=stage).values("step_id").distinct().count()
    )
    if with_progress or StepFeedback.objects.filter(step__stage=stage).exists():
        raise ValidationError(
            f"People have recorded progress on steps in “{stage.title}”, so it can't be "
            "deleted. Move its steps to another stage first (their progress moves with "
            "them); steps with progress can then be archived."
        )
    if ConfidenceRating.objects.filter(stage=stage).exists():
        raise ValidationError(
            f"Learners rated their confidence after “{stage.title}”, so it can't be deleted."
        )
    pathway = stage.pathway
    steps = stage.steps.count()
    Step.prerequisites.through.objects.filter(
        Q(from_step__stage=stage) | Q(to_step__stage=stage)
    ).delete()
    audit_describe(subject=stage, summary=f"Deleted the stage “{stage}” and its {steps} steps")
    stage.steps.all().delete()
    stage.delete()
    _keep_publishable(pathway)


def _two_phase_positions(model, rows: Sequence) -> None:
    """Give `rows` positions 1..n despite the unique (parent, position) constraint, which
    SQLite can't defer: first move every row clear of the final range, then set it."""
    offset = max([row.position for row in rows] + [len(rows)]) + len(rows) + 1
    for i, row in enumerate(rows):
        row.position = offset + i
    model.objects.bulk_update(rows, ["position"])
    for i, row in enumerate(rows):
        row.position = i + 1
    model.objects.bulk_update(rows, ["position"])


def _as_ids(ids: Iterable) -> list[int]:
    try:
        return [int(i) for i in ids]
    except (TypeError, ValueError):
        raise ValidationError(PATHWAY_CHANGED) from None


def apply_move(order: Sequence[int], move: str | None) -> list[int]:
    """`order` with one item moved: `move` is "<id>:up" or "<id>:down" (the keyboard
    buttons). An unknown id or direction leaves the order alone."""
    order = list(order)
    if not move or ":" not in move:
        return order
    raw_id, direction = move.rsplit(":", 1)
    try:
        index = order.index(int(raw_id))
    except ValueError:
        return order
    other = index - 1 if direction == "up" else index + 1 if direction == "down" else index
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    return order


@transaction.atomic
def stages_reorder(*, pathway: Pathway, stage_ids: Sequence) -> None:
    """Put the pathway's stages in the given order, in one request. The list must name
    exactly the pathway's current stages, so a page that is out of date changes nothing."""
    stage_ids = _as_ids(stage_ids)
    stages = {s.pk: s for s in Stage.objects.select_for_update().filter(pathway=pathway)}
    if len(stage_ids) != len(set(stage_ids)) or set(stage_ids) != set(stages):
        raise ValidationError(PATHWAY_CHANGED)
    _two_phase_positions(Stage, [stages[pk] for pk in stage_ids])
    _keep_publishable(pathway)
    audit_record(
        pathway,
        summary=f"Reordered the stages of “{pathway}”",
        changes={"new order": [None, ", ".join(stages[pk].title for pk in stage_ids)]},
    )


@transaction.atomic
def steps_reorder(*, stage: Stage, step_ids: Sequence) -> None:
    """Put the stage's live steps in the given order (archived ones follow them). The list
    must name exactly the stage's current live steps."""
    step_ids = _as_ids(step_ids)
    steps = {s.pk: s for s in Step.objects.select_for_update().filter(stage=stage)}
    live = {pk for pk, step in steps.items() if not step.is_archived}
    if len(step_ids) != len(set(step_ids)) or set(step_ids) != live:
        raise ValidationError(PATHWAY_CHANGED)
    archived = sorted(
        (s for s in steps.values() if s.is_archived), key=lambda s: (s.position, s.pk)
    )
    _two_phase_positions(Step, [steps[pk] for pk in step_ids] + archived)
    audit_record(
        stage,
        summary=f"Reordered the steps of the stage “{stage}”",
        changes={"new order": [None, ", ".join(steps[pk].title for pk in step_ids)]},
    )


# --- Steps ------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepFields:
    """What an admin edits on a step (the stage and pathway are set separately)."""

    title: str
    key: str
    kind: str
    instructions: str = ""
    product: Product | None = None
    competency: Competency | None = None
    target_level: int | None = None
    estimated_minutes: int = 30
    evidence_required: bool = False


def _check_prerequisites(step: Step, prerequisites: Sequence[Step]) -> None:
    """Same pathway, not itself, live, and no cycle through the pathway's other links."""
    for prerequisite in prerequisites:
        if prerequisite.pathway_id != step.pathway_id:
            raise ValidationError(
                {"prerequisites": f"“{prerequisite.title}” is in another pathway."}
            )
        if prerequisite.pk == step.pk:
            raise ValidationError({"prerequisites": "A step can't be its own prerequisite."})
        if prerequisite.is_archived:
            raise ValidationError(
                {"prerequisites": f"“{prerequisite.title}” is archived; choose a live step."}
            )
    # One query for the pathway's other links; then a walk from each new prerequisite
    # through what it needs: reaching this step again would close a loop.
    needs: dict[int, set[int]] = {}
    links = Step.prerequisites.through.objects.filter(from_step__pathway_id=step.pathway_id)
    for from_id, to_id in links.exclude(from_step_id=step.pk).values_list(
        "from_step_id", "to_step_id"
    ):
        needs.setdefault(from_id, set()).add(to_id)
    titles = dict(Step.objects.filter(pathway_id=step.pathway_id).values_list("pk", "title"))
    for prerequisite in prerequisites:
        path = _path_to(prerequisite.pk, step.pk, needs)
        if path is not None:
            chain = " → ".join(f"“{titles.get(pk, pk)}”" for pk in [step.pk, *path])
            raise ValidationError(
                {
                    "prerequisites": "That would make a loop no one could finish: "
                    f"{chain} (each step waits for the next). Remove one of these "
                    "prerequisites."
                }
            )


def _path_to(start: int, goal: int, needs: dict[int, set[int]]) -> list[int] | None:
    stack = [(start, [start])]
    seen = set()
    while stack:
        node, path = stack.pop()
        if node == goal:
            return path
        if node in seen:
            continue
        seen.add(node)
        stack.extend((nxt, [*path, nxt]) for nxt in needs.get(node, ()))
    return None


def _apply_fields(step: Step, fields: StepFields) -> None:
    step.title = fields.title.strip()
    step.key = fields.key.strip()
    step.kind = fields.kind
    step.instructions = fields.instructions.strip()
    step.product = fields.product
    step.competency = fields.competency
    step.target_level = fields.target_level
    step.estimated_minutes = fields.estimated_minutes
    step.evidence_required = fields.evidence_required


def _clean_step(step: Step) -> None:
    key_from_title = not step.key
    if not step.key:
        step.key = slugify(step.title)[:80]
    if not step.key:
        raise ValidationError(
            {"key": "Give the step a key of letters, digits or hyphens (e.g. draft-replies)."}
        )
    # Uniqueness is checked below with a message naming the key; the check constraint
    # on target_level is covered by the field's validators.
    step.full_clean(validate_unique=False, validate_constraints=False)
    if step.kind == Step.Kind.PRACTICE and step.product_id is None:
        # Refused at save, not only at publishing (pathway_publishing_problems keeps its
        # check for steps saved before this rule): practice happens on real work.
        raise ValidationError({"product": PRACTICE_NEEDS_PRODUCT})
    same_title = Step.objects.filter(
        pathway_id=step.pathway_id, title__iexact=step.title, is_archived=False
    ).exclude(pk=step.pk)
    if same_title.exists():
        raise ValidationError(
            {
                "title": f"Another step in this pathway is already called “{step.title}”; "
                "give this one a different title."
            }
        )
    clash = Step.objects.filter(pathway_id=step.pathway_id, key=step.key).exclude(pk=step.pk)
    if clash.exists():
        if key_from_title:
            # The key came from the title: the title is what to change, so say it there.
            raise ValidationError(
                {
                    "title": f"Another step in this pathway is already called “{step.title}”; "
                    "give this one a different title."
                }
            )
        raise ValidationError(
            {"key": f"Another step in this pathway already has the key “{step.key}”."}
        )


@transaction.atomic
@audit_action()  # the step and its prerequisites: one audit entry
def step_create(*, stage: Stage, fields: StepFields, prerequisites: Sequence[Step] = ()) -> Step:
    step = Step(
        stage=stage, pathway_id=stage.pathway_id, position=_next_position(stage.steps.all())
    )
    _apply_fields(step, fields)
    _clean_step(step)
    step.save()
    if prerequisites:
        _check_prerequisites(step, prerequisites)
        step.prerequisites.set(prerequisites)
    _keep_publishable(stage.pathway)
    return step


@transaction.atomic
@audit_action()
def step_update(
    *,
    step: Step,
    fields: StepFields,
    prerequisites: Sequence[Step] = (),
    stage: Stage | None = None,
) -> Step:
    """Edit a step; `stage` moves it (to the end of) another stage of the same pathway —
    its progress moves with it. Moving it to another pathway is refused."""
    _apply_fields(step, fields)
    if stage is not None and stage.pk != step.stage_id:
        if stage.pathway_id != step.pathway_id:
            raise ValidationError(
                {"stage": "A step can only move between stages of its own pathway."}
            )
        step.stage = stage
        step.position = _next_position(stage.steps.all())
    _clean_step(step)
    _check_prerequisites(step, prerequisites)
    step.save()
    step.prerequisites.set(prerequisites)
    _keep_publishable(step.pathway)
    return step


@dataclass(frozen=True)
class StepRemoval:
    archived: bool
    message: str


@transaction.atomic
@audit_action()
def step_delete(*, step: Step) -> StepRemoval:
    """Delete a step nobody has touched; archive one with progress or feedback, so the
    records stay true. Either way it stops being anyone's prerequisite."""
    Step.prerequisites.through.objects.filter(to_step=step).delete()
    kept = (
        StepProgress.objects.filter(step=step).exists()
        or StepFeedback.objects.filter(step=step).exists()
    )
    pathway = step.pathway
    if kept:
        step.is_archived = True
        step.save(update_fields=["is_archived"])
        step.prerequisites.clear()
        result = StepRemoval(
            True,
            f"“{step.title}” was archived, not deleted: people have recorded progress on "
            "it, which is kept. Learners no longer see it.",
        )
    else:
        step.prerequisites.clear()
        step.delete()
        result = StepRemoval(False, f"Deleted the step “{step.title}”.")
    _keep_publishable(pathway)
    return result


@transaction.atomic
def step_restore(*, step: Step) -> Step:
    """Bring an archived step back, at the end of its stage."""
    step.is_archived = False
    step.save(update_fields=["is_archived"])
    _keep_publishable(step.pathway)
    return step
