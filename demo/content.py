"""Writes the catalogue and curriculum: products, competencies, role rubrics, pathways.

Rows are found by natural key (slug, name, role x competency, pathway x position or
key) and only created when missing, so an L&D admin's later edits survive a re-run.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from demo.catalogue import (
    COMPETENCIES,
    PRODUCTS,
    ROLES,
    RUBRIC_JUDGEMENT,
    rubric_levels,
)
from demo.curriculum import PATHWAYS
from metrics.models import OutcomeMeasure
from pathways.models import Competency, Pathway, Product, RoleRubric, Stage, Step


@dataclass(frozen=True)
class CatalogueIds:
    products: dict[str, int]  # slug -> id
    competencies: dict[str, int]  # slug -> id


@dataclass(frozen=True)
class ContentIds:
    pathways: dict[str, int]  # slug -> id
    steps: dict[tuple[str, str], int]  # (pathway slug, step key) -> id


def catalogue_write(*, role_ids: dict[str, int]) -> CatalogueIds:
    """Products, competencies and a rubric for every job role x competency."""
    product_ids = {}
    for entry in PRODUCTS:
        product, _ = Product.objects.get_or_create(
            slug=entry.slug,
            defaults={"name": entry.name, "kind": entry.kind, "description": entry.description},
        )
        product_ids[entry.slug] = product.pk
    competency_ids = {}
    for entry in COMPETENCIES:
        competency, _ = Competency.objects.get_or_create(
            slug=entry.slug, defaults={"name": entry.name, "description": entry.description}
        )
        competency_ids[entry.slug] = competency.pk
    for role in ROLES:
        for competency in COMPETENCIES:
            ethics, boundaries = RUBRIC_JUDGEMENT[(role.name, competency.slug)]
            level_1, level_2, level_3, level_4 = rubric_levels(role, competency)
            RoleRubric.objects.get_or_create(
                job_role_id=role_ids[role.name],
                competency_id=competency_ids[competency.slug],
                defaults={
                    "level_1": level_1,
                    "level_2": level_2,
                    "level_3": level_3,
                    "level_4": level_4,
                    "ethical_considerations": ethics,
                    "decision_boundaries": boundaries,
                },
            )
    return CatalogueIds(products=product_ids, competencies=competency_ids)


def pathways_write(
    *, role_ids: dict[str, int], catalogue_ids: CatalogueIds, published_at: dt.datetime
) -> ContentIds:
    """The three published pathways with their stages, steps, prerequisites and measures."""
    measures = {measure.key: measure for measure in OutcomeMeasure.objects.all()}
    pathway_ids: dict[str, int] = {}
    step_ids: dict[tuple[str, str], int] = {}
    for entry in PATHWAYS:
        pathway, _ = Pathway.objects.get_or_create(
            slug=entry.slug,
            defaults={
                "title": entry.title,
                "summary": entry.summary,
                "status": Pathway.Status.PUBLISHED,
                "published_at": published_at,
            },
        )
        pathway_ids[entry.slug] = pathway.pk
        pathway.products.add(*(catalogue_ids.products[slug] for slug in entry.products))
        pathway.target_roles.add(*(role_ids[name] for name in entry.target_roles))
        for key in entry.measures:
            measures[key].pathways.add(pathway)
        for position, stage_entry in enumerate(entry.stages, start=1):
            stage, _ = Stage.objects.get_or_create(
                pathway=pathway,
                position=position,
                defaults={
                    "title": stage_entry.title,
                    "kind": stage_entry.kind,
                    "description": stage_entry.description,
                },
            )
            for step_position, step_entry in enumerate(stage_entry.steps, start=1):
                step, _ = Step.objects.get_or_create(
                    pathway=pathway,
                    key=step_entry.key,
                    defaults={
                        "stage": stage,
                        "position": step_position,
                        "title": step_entry.title,
                        "kind": step_entry.kind,
                        "instructions": step_entry.instructions,
                        "product_id": catalogue_ids.products.get(step_entry.product or ""),
                        "competency_id": catalogue_ids.competencies[step_entry.competency],
                        "target_level": step_entry.target_level,
                        "estimated_minutes": step_entry.minutes,
                        "evidence_required": bool(step_entry.evidence),
                    },
                )
                step_ids[(entry.slug, step_entry.key)] = step.pk
    Prerequisite = Step.prerequisites.through
    Prerequisite.objects.bulk_create(
        [
            Prerequisite(
                from_step_id=step_ids[(entry.slug, step_entry.key)],
                to_step_id=step_ids[(entry.slug, key)],
            )
            for entry in PATHWAYS
            for step_entry in entry.steps
            for key in step_entry.prerequisites
        ],
        ignore_conflicts=True,
    )
    return ContentIds(pathways=pathway_ids, steps=step_ids)
