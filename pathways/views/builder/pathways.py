"""Pathways as a whole: the list, create, details, duplicate, publish, archive, the
learner preview, and assignment with its enrolments."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pathways.forms import (
    AssignForm,
    PathwayForm,
)
from pathways.models import Pathway, PathwayAssignment
from pathways.selectors import builder as selectors
from pathways.services import builder as services
from upskill.confirmation import confirmation_page, is_confirmed
from upskill.decorators import ld_admin_required
from upskill.forms import form_save, validation_error_onto_form
from upskill.http import HtmxHttpRequest

ENROLMENTS_PER_PAGE = 25


def editor_url(pathway_pk: int, anchor: str = "") -> str:
    url = reverse("pathways:editor", args=[pathway_pk])
    return f"{url}#{anchor}" if anchor else url


# --- Pathway list, create, details ------------------------------------------------------


@require_GET
@ld_admin_required
def pathway_list(request: HtmxHttpRequest):
    return render(
        request,
        "pathways/builder/pathway_list.html",
        {"pathways": selectors.pathway_list_with_counts()},
    )


@require_http_methods(["GET", "POST"])
@ld_admin_required
def pathway_create(request: HtmxHttpRequest):
    form = PathwayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pathway = services.pathway_create(**form.cleaned_data)
        except ValidationError as exc:
            validation_error_onto_form(form, exc)
        else:
            messages.success(
                request, f"Created “{pathway.title}” as a draft. Now add its stages and steps."
            )
            return redirect(editor_url(pathway.pk))
    return render(request, "pathways/builder/pathway_form.html", {"form": form})


@require_http_methods(["GET", "POST"])
@ld_admin_required
def pathway_edit(request: HtmxHttpRequest, pk: int):
    pathway = get_object_or_404(Pathway, pk=pk)
    if request.method == "POST":
        form = PathwayForm(request.POST, pathway=pathway)
        saved = form_save(
            form,
            lambda data: services.pathway_update(
                pathway=Pathway.objects.get(pk=pathway.pk), **data
            ),
        )
        if saved:
            messages.success(request, f"Saved the details of “{saved.title}”.")
            return redirect(editor_url(pathway.pk))
    else:
        fields = [
            "title",
            "summary",
            "products",
            "target_roles",
            "targeted_measures",
            "stages_in_order",
        ]
        form = PathwayForm(pathway=pathway, initial=model_to_dict(pathway, fields=fields))
    return render(
        request,
        "pathways/builder/pathway_form.html",
        {"form": form, "pathway": pathway, "tab": "details"},
    )


@require_POST
@ld_admin_required
def pathway_duplicate(request: HtmxHttpRequest, pk: int):
    pathway = get_object_or_404(Pathway, pk=pk)
    copy = services.pathway_duplicate(pathway=pathway)
    messages.success(
        request, f"Made “{copy.title}”, a draft copy of “{pathway.title}”, to start from."
    )
    return redirect(editor_url(copy.pk))


@require_POST
@ld_admin_required
def pathway_publish(request: HtmxHttpRequest, pk: int):
    pathway = get_object_or_404(Pathway, pk=pk)
    try:
        services.pathway_publish(pathway=pathway)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Published “{pathway.title}”. You can now assign it to teams and roles."
        )
    return redirect(editor_url(pathway.pk))


@require_POST
@ld_admin_required
def pathway_archive(request: HtmxHttpRequest, pk: int):
    pathway = get_object_or_404(Pathway, pk=pk)
    if not is_confirmed(request):
        return confirmation_page(
            request, "pathways:archive", pathway, cancel_url=editor_url(pathway.pk)
        )
    services.pathway_archive(pathway=pathway)
    messages.success(
        request,
        f"Archived “{pathway.title}”. Enrolments and progress are kept; nobody new is enrolled.",
    )
    return redirect(editor_url(pathway.pk))


# --- Preview ----------------------------------------------------------------------------


@require_GET
@ld_admin_required
def pathway_preview(request: HtmxHttpRequest, pk: int):
    pathway = get_object_or_404(Pathway, pk=pk)
    return render(
        request,
        "pathways/builder/pathway_preview.html",
        {"pathway": pathway, "structure": selectors.pathway_structure(pathway), "tab": "preview"},
    )


# --- Assignment -------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@ld_admin_required
def pathway_assign(request: HtmxHttpRequest, pk: int):
    pathway = get_object_or_404(Pathway, pk=pk)
    form = AssignForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.pathway_assign(
                pathway=pathway,
                assigned_by=request.user,
                due_date=form.cleaned_data["due_date"],
                move_due_dates=form.cleaned_data["move_due_dates"],
                **form.targets(),
            )
        except ValidationError as exc:
            validation_error_onto_form(form, exc)
        else:
            standing = form.cleaned_data["audience"] != "people"
            messages.success(
                request,
                f"Enrolled {result.enrolled} new {'person' if result.enrolled == 1 else 'people'}"
                + _already_enrolled_note(result)
                + (". People who join later are enrolled too." if standing else "."),
            )
            return redirect(reverse("pathways:assign", args=[pathway.pk]))
    enrolments = Paginator(selectors.pathway_enrollments(pathway), ENROLMENTS_PER_PAGE)
    page = enrolments.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    selectors.enrollments_done_steps(page.object_list)
    context = {
        "pathway": pathway,
        "form": form,
        # Whoever was already chosen in the picker when a POST is refused.
        "chosen_people": (
            selectors.people_by_ids(request.POST.getlist("people"))
            if request.method == "POST"
            else []
        ),
        **_people_matches(request),
        "assignments": selectors.pathway_assignments(pathway),
        "page": page,
        "live_steps": selectors.pathway_live_step_count(pathway),
        "tab": "assign",
    }
    if request.htmx and request.method == "GET":
        return render(request, "pathways/builder/pathway_assign.html#enrolments", context)
    return render(request, "pathways/builder/pathway_assign.html", context)


def _people_matches(request: HtmxHttpRequest) -> dict:
    """The picker's search: at least two characters, one page of matches."""
    query = request.GET.get("q", "")[:100].strip()
    if len(query) < 2:
        return {"people_query": query, "people_page": None}
    paginator = Paginator(selectors.people_search(query), selectors.PEOPLE_PER_PAGE)
    return {"people_query": query, "people_page": paginator.get_page(request.GET.get("p"))}


@require_GET
@ld_admin_required
def assign_people(request: HtmxHttpRequest, pk: int):
    """The people picker's matches (htmx swaps them under the search box; without
    JavaScript the search goes to the assignment page itself)."""
    pathway = get_object_or_404(Pathway, pk=pk)
    if not request.htmx:
        query = urlencode({"q": request.GET.get("q", "")[:100], "p": request.GET.get("p", "")})
        return redirect(f"{reverse('pathways:assign', args=[pathway.pk])}?{query}#people-picker")
    context = {"pathway": pathway, **_people_matches(request)}
    return render(request, "pathways/builder/pathway_assign.html#people-results", context)


def _already_enrolled_note(result) -> str:
    if not result.already_enrolled:
        return ""
    if result.due_dates_moved:
        return (
            f"; {result.already_enrolled} already enrolled"
            f" ({result.due_dates_moved} moved to the new due date)"
        )
    return f"; {result.already_enrolled} already enrolled, unchanged"


@require_POST
@ld_admin_required
def assignment_remove(request: HtmxHttpRequest, pk: int):
    assignment = get_object_or_404(
        PathwayAssignment.objects.select_related("team", "job_role"), pk=pk
    )
    if not is_confirmed(request):
        return confirmation_page(
            request,
            "pathways:assignment_remove",
            assignment,
            cancel_url=reverse("pathways:assign", args=[assignment.pathway_id]),
        )
    services.pathway_assignment_remove(assignment=assignment)
    messages.success(
        request,
        f"Stopped assigning to {assignment.audience}; people already enrolled stay enrolled.",
    )
    return redirect(reverse("pathways:assign", args=[assignment.pathway_id]))
