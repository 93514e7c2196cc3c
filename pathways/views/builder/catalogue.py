"""Products, competencies and the role rubric grid."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pathways.forms import (
    CompetencyForm,
    ProductForm,
    RubricForm,
)
from pathways.models import Competency, Product
from pathways.selectors import builder as selectors
from pathways.services import builder as services
from upskill.confirmation import confirmation_page, is_confirmed
from upskill.decorators import ld_admin_required
from upskill.forms import form_save, validation_error_onto_form
from upskill.http import HtmxHttpRequest
from upskill.models import JobRole

# --- Products ---------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@ld_admin_required
def products(request: HtmxHttpRequest):
    form = ProductForm(request.POST or None, auto_id="new-product-%s")
    if request.method == "POST" and form.is_valid():
        try:
            product = services.product_create(**form.cleaned_data)
        except ValidationError as exc:
            validation_error_onto_form(form, exc)
        else:
            messages.success(request, f"Added “{product.name}”.")
            return redirect(reverse("pathways:products"))
    return render(
        request,
        "pathways/builder/products.html",
        {"form": form, "products": selectors.products_with_use()},
    )


def _product_row(request, product_pk: int, **extra):
    product = selectors.products_with_use().get(pk=product_pk)
    return render(
        request, "pathways/builder/products.html#product-row", {"product": product, **extra}
    )


@require_GET
@ld_admin_required
def product_row(request: HtmxHttpRequest, pk: int):
    """One product's row (htmx: after cancelling an edit); a full request goes to the list."""
    get_object_or_404(Product, pk=pk)
    if not request.htmx:
        return redirect(f"{reverse('pathways:products')}#product-{pk}")
    return _product_row(request, pk)


@require_http_methods(["GET", "POST"])
@ld_admin_required
def product_edit(request: HtmxHttpRequest, pk: int):
    product = get_object_or_404(Product, pk=pk)
    auto_id = f"product-{product.pk}-%s"
    if request.method == "POST":
        form = ProductForm(request.POST, auto_id=auto_id)
        saved = form_save(
            form,
            lambda data: services.product_update(
                product=Product.objects.get(pk=product.pk), **data
            ),
        )
        if saved:
            if request.htmx:
                return _product_row(request, product.pk, saved=True)
            messages.success(request, f"Saved “{saved.name}”.")
            return redirect(f"{reverse('pathways:products')}#product-{product.pk}")
    else:
        initial = model_to_dict(product, fields=["name", "kind", "description"])
        form = ProductForm(auto_id=auto_id, initial=initial)
    context = {"product": product, "form": form}
    if request.htmx:
        return render(request, "pathways/builder/products.html#product-edit", context)
    return render(request, "pathways/builder/product_edit.html", context)


@require_POST
@ld_admin_required
def product_archive(request: HtmxHttpRequest, pk: int):
    product = get_object_or_404(Product, pk=pk)
    archive = request.POST.get("archived") == "1"
    if archive and not is_confirmed(request):  # restoring is not destructive: no question
        return confirmation_page(
            request,
            "pathways:product_archive",
            product,
            cancel_url=f"{reverse('pathways:products')}#product-{product.pk}",
        )
    services.product_set_archived(product=product, is_archived=archive)
    if request.htmx:
        return _product_row(request, product.pk, saved=True)
    messages.success(
        request,
        f"Archived “{product.name}”: steps that name it keep it; new steps can't choose it."
        if archive
        else f"Restored “{product.name}”.",
    )
    return redirect(f"{reverse('pathways:products')}#product-{product.pk}")


# --- Competencies and role rubrics ------------------------------------------------------


@require_GET
@ld_admin_required
def rubrics(request: HtmxHttpRequest):
    competencies, rows = selectors.rubric_grid()
    return render(
        request,
        "pathways/builder/rubrics.html",
        {
            "competencies": competencies,
            "rows": rows,
            "competency_form": CompetencyForm(auto_id="new-competency-%s"),
        },
    )


@require_POST
@ld_admin_required
def competency_create(request: HtmxHttpRequest):
    form = CompetencyForm(request.POST, auto_id="new-competency-%s")
    if form.is_valid():
        try:
            competency = services.competency_create(**form.cleaned_data)
        except ValidationError as exc:
            validation_error_onto_form(form, exc)
        else:
            messages.success(
                request,
                f"Added the competency “{competency.name}”: describe what good looks like "
                "for each role in its column.",
            )
            return redirect(reverse("pathways:rubrics"))
    competencies, rows = selectors.rubric_grid()
    return render(
        request,
        "pathways/builder/rubrics.html",
        {"competencies": competencies, "rows": rows, "competency_form": form},
    )


def _cell(role_pk: int, competency_pk: int):
    job_role = get_object_or_404(JobRole, pk=role_pk)
    competency = get_object_or_404(Competency, pk=competency_pk)
    rubric = job_role.rubrics.filter(competency=competency).first()
    return job_role, competency, rubric


@require_GET
@ld_admin_required
def rubric_cell(request: HtmxHttpRequest, role_pk: int, competency_pk: int):
    job_role, competency, rubric = _cell(role_pk, competency_pk)
    if not request.htmx:
        return redirect(f"{reverse('pathways:rubrics')}#rubric-{role_pk}-{competency_pk}")
    return render(
        request,
        "pathways/builder/rubrics.html#rubric-cell",
        {"job_role": job_role, "competency": competency, "rubric": rubric},
    )


@require_http_methods(["GET", "POST"])
@ld_admin_required
def rubric_edit(request: HtmxHttpRequest, role_pk: int, competency_pk: int):
    job_role, competency, rubric = _cell(role_pk, competency_pk)
    auto_id = f"rubric-{role_pk}-{competency_pk}-%s"
    if request.method == "POST":
        form = RubricForm(request.POST, auto_id=auto_id)
        if form.is_valid():
            try:
                rubric = services.role_rubric_set(
                    job_role=job_role, competency=competency, descriptors=form.cleaned_data
                )
            except ValidationError as exc:
                validation_error_onto_form(form, exc)
            else:
                if request.htmx:
                    return render(
                        request,
                        "pathways/builder/rubrics.html#rubric-cell",
                        {
                            "job_role": job_role,
                            "competency": competency,
                            "rubric": rubric,
                            "saved": True,
                        },
                    )
                messages.success(request, f"Saved what good looks like: {job_role} × {competency}.")
                return redirect(f"{reverse('pathways:rubrics')}#rubric-{role_pk}-{competency_pk}")
    else:
        initial = {name: getattr(rubric, name) for name in services.RUBRIC_FIELDS} if rubric else {}
        form = RubricForm(auto_id=auto_id, initial=initial)
    context = {"job_role": job_role, "competency": competency, "rubric": rubric, "form": form}
    if request.htmx:
        return render(request, "pathways/builder/rubrics.html#rubric-edit", context)
    return render(request, "pathways/builder/rubric_edit.html", context)
