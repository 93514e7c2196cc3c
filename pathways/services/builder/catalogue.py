"""Products, competencies and role rubrics: what learning is anchored to."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.text import slugify

from pathways.models import (
    Competency,
    Product,
    RoleRubric,
)
from upskill.models import JobRole


def _unique_slug(model, base: str, *, exclude_pk: int | None = None, **scope) -> str:
    """`base`, or `base-2`, `base-3`... whichever is free (one query)."""
    base = (slugify(base) or "item")[:70]
    taken = set(
        model.objects.filter(slug__startswith=base, **scope)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


# --- Products ---------------------------------------------------------------------------


def product_create(*, name: str, kind: str, description: str = "") -> Product:
    product = Product(
        name=name.strip(),
        slug=_unique_slug(Product, name),
        kind=kind,
        description=description.strip(),
    )
    product.full_clean()
    product.save()
    return product


def product_update(*, product: Product, name: str, kind: str, description: str = "") -> Product:
    product.name = name.strip()
    product.kind = kind
    product.description = description.strip()
    product.full_clean()
    product.save()
    return product


def product_set_archived(*, product: Product, is_archived: bool) -> Product:
    """Archived products stay on the steps that name them (history stays true) but are
    no longer offered for new steps."""
    product.is_archived = is_archived
    product.save(update_fields=["is_archived"])
    return product


# --- Competencies and role rubrics ------------------------------------------------------


def competency_create(*, name: str, description: str = "") -> Competency:
    competency = Competency(
        name=name.strip(),
        slug=_unique_slug(Competency, name),
        description=description.strip(),
    )
    competency.full_clean()
    competency.save()
    return competency


RUBRIC_FIELDS = (
    "level_1",
    "level_2",
    "level_3",
    "level_4",
    "ethical_considerations",
    "decision_boundaries",
)


def role_rubric_set(
    *, job_role: JobRole, competency: Competency, descriptors: dict[str, str]
) -> RoleRubric:
    """Create or replace what good looks like for one role in one competency."""
    unknown = set(descriptors) - set(RUBRIC_FIELDS)
    if unknown:
        raise ValidationError(f"Unknown rubric fields: {', '.join(sorted(unknown))}.")
    levels = [(descriptors.get(f"level_{n}") or "").strip() for n in range(1, 5)]
    if not any(levels):
        raise ValidationError(
            {"level_1": "Describe at least one level of what good looks like before saving."}
        )
    rubric = RoleRubric.objects.filter(job_role=job_role, competency=competency).first()
    rubric = rubric or RoleRubric(job_role=job_role, competency=competency)
    for name in RUBRIC_FIELDS:
        setattr(rubric, name, (descriptors.get(name) or "").strip())
    rubric.full_clean()
    rubric.save()
    return rubric
