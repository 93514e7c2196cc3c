"""Pathways as a whole: the publishing rules, create, edit, duplicate, publish, archive."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pathways.models import (
    Pathway,
    Product,
    Stage,
    Step,
)
from pathways.services.builder.catalogue import _unique_slug
from upskill.models import JobRole
from upskill.services.audit import audit_action

SLUG_RE = re.compile(r"^[-a-zA-Z0-9_]+$")


# --- Publishing rules -------------------------------------------------------------------

KIND_ORDER = {Stage.Kind.FOUNDATION: 0, Stage.Kind.PRACTICE: 1, Stage.Kind.COACHING: 2}


def pathway_publishing_problems(*, stages: Sequence[Stage], steps: Iterable[Step]) -> list[str]:
    """What stops a pathway being published (empty when it may be), from its stages in
    position order and its live steps. Pure: callers load the rows once."""
    problems: list[str] = []
    kinds = [stage.kind for stage in stages]
    missing = [label for kind, label in Stage.Kind.choices if kind not in kinds]
    if missing:
        problems.append(
            "A pathway needs at least one stage of each kind; add: " + ", ".join(missing) + "."
        )
    ranks = [KIND_ORDER[kind] for kind in kinds]
    if ranks != sorted(ranks):
        problems.append(
            "Stages must run foundation → hands-on practice → coaching (a kind may repeat, "
            "e.g. two practice stages); the order now is "
            + " → ".join(Stage.Kind(kind).label.lower() for kind in kinds)
            + "."
        )
    steps = list(steps)
    stage_ids_with_steps = {step.stage_id for step in steps}
    for stage in stages:
        if stage.pk not in stage_ids_with_steps:
            problems.append(f"The stage “{stage.title}” has no steps yet.")
    for step in steps:
        if step.kind == Step.Kind.PRACTICE and step.product_id is None:
            problems.append(
                f"The practice step “{step.title}” must name the product, service or process "
                "it is practised on."
            )
    keys = [step.key for step in steps]
    for key in sorted({k for k in keys if keys.count(k) > 1}):
        problems.append(f"More than one step has the key “{key}”; keys must be unique.")
    for step in steps:
        if not step.key or not SLUG_RE.match(step.key):
            problems.append(
                f"The step “{step.title}” needs a key of letters, digits, hyphens or underscores."
            )
    return problems


def _problems_for(pathway: Pathway) -> list[str]:
    stages = list(pathway.stages.order_by("position"))
    steps = pathway.steps.filter(is_archived=False)
    return pathway_publishing_problems(stages=stages, steps=steps)


def _keep_publishable(pathway: Pathway) -> None:
    """Refuse (roll back) an edit that would leave a published pathway breaking the
    publishing rules. Call it last inside the editing service's transaction."""
    if pathway.status != Pathway.Status.PUBLISHED:
        return
    problems = _problems_for(pathway)
    if problems:
        raise ValidationError(
            ["This pathway is published, so the change was not made: " + problems[0]] + problems[1:]
        )


@transaction.atomic
def pathway_publish(*, pathway: Pathway) -> Pathway:
    pathway = Pathway.objects.select_for_update().get(pk=pathway.pk)
    if pathway.status == Pathway.Status.PUBLISHED:
        return pathway
    problems = _problems_for(pathway)
    if problems:
        raise ValidationError(["The pathway can't be published yet."] + problems)
    pathway.status = Pathway.Status.PUBLISHED
    pathway.published_at = timezone.now()
    pathway.save(update_fields=["status", "published_at", "updated_at"])
    return pathway


def pathway_archive(*, pathway: Pathway) -> Pathway:
    """Archived pathways keep their enrolments and progress; assignment rules stop
    enrolling new people."""
    pathway.status = Pathway.Status.ARCHIVED
    pathway.save(update_fields=["status", "updated_at"])
    return pathway


# --- Pathways ---------------------------------------------------------------------------


def _set_pathway_relations(pathway: Pathway, *, products, target_roles, targeted_measures):
    pathway.products.set(products)
    pathway.target_roles.set(target_roles)
    if targeted_measures is not None:
        pathway.targeted_measures.set(targeted_measures)


@transaction.atomic
@audit_action()  # the pathway and its products and roles: one audit entry
def pathway_create(
    *,
    title: str,
    summary: str = "",
    slug: str = "",
    products: Iterable[Product] = (),
    target_roles: Iterable[JobRole] = (),
    targeted_measures: Iterable | None = None,
    stages_in_order: bool = True,
) -> Pathway:
    slug = slug.strip()
    _refuse_a_taken_title(title)
    if slug and Pathway.objects.filter(slug=slug).exists():
        raise ValidationError({"slug": f"Another pathway already uses the address “{slug}”."})
    pathway = Pathway(
        title=title.strip(),
        summary=summary.strip(),
        slug=slug or _unique_slug(Pathway, title),
        status=Pathway.Status.DRAFT,
        stages_in_order=stages_in_order,
    )
    return _pathway_save(
        pathway, products=products, target_roles=target_roles, targeted_measures=targeted_measures
    )


@transaction.atomic
@audit_action()
def pathway_update(
    *,
    pathway: Pathway,
    title: str,
    summary: str = "",
    slug: str | None = None,
    products: Iterable[Product] = (),
    target_roles: Iterable[JobRole] = (),
    targeted_measures: Iterable | None = None,
    stages_in_order: bool | None = None,
) -> Pathway:
    _refuse_a_taken_title(title, pathway=pathway)
    pathway.title = title.strip()
    pathway.summary = summary.strip()
    if stages_in_order is not None:
        pathway.stages_in_order = stages_in_order
    if slug is not None and slug.strip() and slug.strip() != pathway.slug:
        if Pathway.objects.filter(slug=slug.strip()).exclude(pk=pathway.pk).exists():
            raise ValidationError({"slug": f"Another pathway already uses “{slug.strip()}”."})
        pathway.slug = slug.strip()
    return _pathway_save(
        pathway, products=products, target_roles=target_roles, targeted_measures=targeted_measures
    )


def _pathway_save(pathway: Pathway, **relations) -> Pathway:
    """Validate and save the pathway's own fields, then set its products, target roles
    and targeted measures (pathway_create and pathway_update)."""
    pathway.full_clean()
    pathway.save()
    _set_pathway_relations(pathway, **relations)
    return pathway


def _refuse_a_taken_title(title: str, *, pathway: Pathway | None = None) -> None:
    """Two pathways with one title cannot be told apart in a learner's list."""
    taken = Pathway.objects.filter(title__iexact=title.strip())
    if pathway is not None:
        taken = taken.exclude(pk=pathway.pk)
    if title.strip() and taken.exists():
        raise ValidationError(
            {"title": f"Another pathway is already called “{title.strip()}”; choose another title."}
        )


def _free_title(title: str) -> str:
    """`title`, or `title (2)`, `(3)`… — the first no pathway has (for copies)."""
    taken = {
        t.lower()
        for t in Pathway.objects.filter(title__istartswith=title[:150]).values_list(
            "title", flat=True
        )
    }
    candidate, n = title[:160], 2
    while candidate.lower() in taken:
        suffix = f" ({n})"
        candidate, n = f"{title[: 160 - len(suffix)]}{suffix}", n + 1
    return candidate


@transaction.atomic
def pathway_duplicate(*, pathway: Pathway, title: str = "") -> Pathway:
    """A draft deep copy to start from: stages, live steps and the prerequisites between
    them, products, target roles and targeted measures. Enrolments stay behind."""
    with audit_action() as action:
        copy = _pathway_copy(pathway, _free_title(title.strip() or f"Copy of {pathway.title}"))
        action.describe(
            subject=copy,
            summary=f"Duplicated pathway “{pathway.title}” as “{copy.title}”: "
            f"{copy.stages.count()} stages, {copy.steps.count()} steps",
        )
    return copy


def _pathway_copy(pathway: Pathway, title: str) -> Pathway:
    copy = Pathway.objects.create(
        title=title,
        slug=_unique_slug(Pathway, f"{pathway.slug}-copy"),
        summary=pathway.summary,
        status=Pathway.Status.DRAFT,
        stages_in_order=pathway.stages_in_order,
    )
    _set_pathway_relations(
        copy,
        products=pathway.products.all(),
        target_roles=pathway.target_roles.all(),
        targeted_measures=pathway.targeted_measures.all(),
    )
    stage_copies = {}
    for stage in pathway.stages.order_by("position"):
        stage_copies[stage.pk] = Stage.objects.create(
            pathway=copy,
            title=stage.title,
            kind=stage.kind,
            position=stage.position,
            is_sequential=stage.is_sequential,
            description=stage.description,
        )
    step_copies = {}
    for step in pathway.steps.filter(is_archived=False).order_by("stage__position", "position"):
        step_copies[step.pk] = Step.objects.create(
            pathway=copy,
            stage=stage_copies[step.stage_id],
            key=step.key,
            title=step.title,
            kind=step.kind,
            position=step.position,
            instructions=step.instructions,
            product_id=step.product_id,
            competency_id=step.competency_id,
            target_level=step.target_level,
            estimated_minutes=step.estimated_minutes,
            evidence_required=step.evidence_required,
        )
    links = Step.prerequisites.through.objects.filter(
        from_step_id__in=step_copies, to_step_id__in=step_copies
    )
    Step.prerequisites.through.objects.bulk_create(
        Step.prerequisites.through(
            from_step_id=step_copies[link.from_step_id].pk,
            to_step_id=step_copies[link.to_step_id].pk,
        )
        for link in links
    )
    return copy
