"""The responsibility matrix and the commitments listed in it: everyone reads it,
L&D admins edit a row in place, add areas and add, edit or retire commitments."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from responsibilities import selectors, services
from responsibilities.forms import (
    AreaForm,
    CommitmentForm,
    RaciRowForm,
)
from responsibilities.models import Commitment, ResponsibilityArea
from upskill import access
from upskill.confirmation import confirmation_page, is_confirmed
from upskill.decorators import ld_admin_required
from upskill.forms import validation_error_onto_form
from upskill.http import HtmxHttpRequest


@require_GET
@login_required
def matrix(request: HtmxHttpRequest):
    """The responsibility matrix with each area's commitments; admins edit rows in place."""
    can_edit = access.can_configure(request.user)
    return render(
        request,
        "responsibilities/matrix/matrix.html",
        {
            "parties": services.Party.choices,
            "rows": selectors.responsibility_matrix(include_retired=can_edit),
            "can_edit": can_edit,
        },
    )


@require_GET
@login_required
def matrix_print(request: HtmxHttpRequest):
    """A clean page to print and post in a team space."""
    return render(
        request,
        "responsibilities/matrix/print.html",
        {"parties": services.Party.choices, "rows": selectors.responsibility_matrix()},
    )


@require_GET
@login_required
def area_row(request: HtmxHttpRequest, pk: int):
    """One area's row (htmx: after cancelling an edit); a full request goes to the matrix."""
    area = get_object_or_404(ResponsibilityArea, pk=pk)
    if not request.htmx:
        return redirect(f"{reverse('responsibilities:matrix')}#area-{area.pk}")
    return render(
        request,
        "responsibilities/matrix/matrix.html#area-row",
        {"row": selectors.matrix_row(area), "can_edit": access.can_configure(request.user)},
    )


@require_http_methods(["GET", "POST"])
@ld_admin_required
def area_raci_edit(request: HtmxHttpRequest, pk: int):
    """Edit an area's RACI row in place; the one-A-at-least-one-R rule is checked on save."""
    area = get_object_or_404(ResponsibilityArea, pk=pk)
    row = selectors.matrix_row(area)
    if request.method == "POST":
        form = RaciRowForm(request.POST)
        if form.is_valid():
            try:
                services.raci_row_set(area=area, letters=form.letters)
            except ValidationError as exc:
                validation_error_onto_form(form, exc)
            else:
                if request.htmx:
                    return render(
                        request,
                        "responsibilities/matrix/matrix.html#area-row",
                        {"row": selectors.matrix_row(area), "can_edit": True, "saved": True},
                    )
                messages.success(request, f"Saved the matrix row for “{area.name}”.")
                return redirect(f"{reverse('responsibilities:matrix')}#area-{area.pk}")
    else:
        form = RaciRowForm(initial=dict(zip(services.Party.values, row.letters, strict=True)))
    context = {"row": row, "form": form, "parties": services.Party.choices}
    if request.htmx:
        return render(request, "responsibilities/matrix/matrix.html#area-row-edit", context)
    return render(request, "responsibilities/matrix/area_raci_edit.html", context)


@require_http_methods(["GET", "POST"])
@ld_admin_required
def area_create(request: HtmxHttpRequest):
    form = AreaForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            area = services.area_create(
                name=form.cleaned_data["name"],
                description=form.cleaned_data["description"],
                owner_side=form.cleaned_data["owner_side"],
                letters=form.letters,
            )
        except ValidationError as exc:
            validation_error_onto_form(form, exc)
        else:
            messages.success(request, f"Added the area “{area.name}”.")
            return redirect(f"{reverse('responsibilities:matrix')}#area-{area.pk}")
    return render(request, "responsibilities/matrix/area_form.html", {"form": form})


# --- Commitments -------------------------------------------------------------------------


def _commitment_form(request: HtmxHttpRequest, *, area, commitment=None):
    """Add a commitment under `area`, or edit `commitment`: one form page for both."""
    form = CommitmentForm(request.POST or None, instance=commitment)
    if request.method == "POST" and form.is_valid():
        fields = {name: form.cleaned_data[name] for name in CommitmentForm.Meta.fields}
        try:
            if commitment is None:
                saved = services.commitment_create(area=area, **fields)
            else:
                # Validate against a fresh copy: a form bound to the instance has already
                # assigned the new values to it.
                fresh = Commitment.objects.get(pk=commitment.pk)
                saved = services.commitment_update(commitment=fresh, **fields)
        except ValidationError as exc:
            validation_error_onto_form(form, exc)
        else:
            done = "Added" if commitment is None else "Saved"
            messages.success(request, f"{done} the commitment “{saved.title}”.")
            return redirect(f"{reverse('responsibilities:matrix')}#area-{area.pk}")
    return render(
        request,
        "responsibilities/matrix/commitment_form.html",
        {"form": form, "area": area, "commitment": commitment},
    )


@require_http_methods(["GET", "POST"])
@ld_admin_required
def commitment_create(request: HtmxHttpRequest, area_pk: int):
    return _commitment_form(request, area=get_object_or_404(ResponsibilityArea, pk=area_pk))


@require_http_methods(["GET", "POST"])
@ld_admin_required
def commitment_edit(request: HtmxHttpRequest, pk: int):
    commitment = get_object_or_404(Commitment.objects.select_related("area"), pk=pk)
    return _commitment_form(request, area=commitment.area, commitment=commitment)


@require_POST
@ld_admin_required
def commitment_set_active(request: HtmxHttpRequest, pk: int):
    commitment = get_object_or_404(Commitment, pk=pk)
    is_active = request.POST.get("active") == "1"
    back = f"{reverse('responsibilities:matrix')}#area-{commitment.area_id}"
    if not is_active and not is_confirmed(request):  # restoring is not destructive
        return confirmation_page(
            request, "responsibilities:commitment_set_active", commitment, cancel_url=back
        )
    services.commitment_set_active(commitment=commitment, is_active=is_active)
    messages.success(
        request,
        f"{'Restored' if is_active else 'Retired'} “{commitment.title}”; its check-ins are kept.",
    )
    return redirect(back)
