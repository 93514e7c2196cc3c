"""The alignment pulse: admins open and close it, each person answers for themselves,
everyone reads the aggregated results."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from responsibilities import selectors, services
from responsibilities.forms import (
    PulseForm,
    SurveyOpenForm,
)
from responsibilities.models import AlignmentSurvey, ResponsibilityArea
from upskill import access
from upskill.confirmation import confirmation_page, is_confirmed
from upskill.decorators import ld_admin_required, person_required
from upskill.forms import validation_error_onto_form
from upskill.http import HtmxHttpRequest
from upskill.replica import reads_from_replica


@require_GET
@login_required
def pulse_list(request: HtmxHttpRequest):
    return _pulse_list_page(request, SurveyOpenForm())


def _pulse_list_page(request: HtmxHttpRequest, open_form: SurveyOpenForm):
    person = access.person_of(request.user)
    current = selectors.open_survey()
    return render(
        request,
        "responsibilities/pulse/list.html",
        {
            "surveys": selectors.surveys_with_counts(),
            "current": current,
            "can_answer": person is not None and current is not None,
            "answered": bool(current and person and selectors.answered_area_ids(current, person)),
            "can_configure": access.can_configure(request.user),
            "open_form": open_form,
            "min_group_size": settings.MIN_GROUP_SIZE,
        },
    )


@require_POST
@ld_admin_required
def pulse_open(request: HtmxHttpRequest):
    """A refused pulse is shown again with what was typed and the reason beside it."""
    form = SurveyOpenForm(request.POST)
    if form.is_valid():
        try:
            services.survey_open(
                title=form.cleaned_data["title"],
                closes_at=form.cleaned_data["closes_at"],
                created_by=request.user,
            )
        except ValidationError as exc:
            validation_error_onto_form(form, exc)
        else:
            messages.success(request, "The pulse is open: everyone can answer it now.")
            return redirect("responsibilities:pulse_list")
    return _pulse_list_page(request, form)


@require_GET
@login_required
def pulse_nudge(request: HtmxHttpRequest):
    """A card inviting the signed-in person to answer the open pulse, or nothing when
    there is none or they have answered (embedded by My learning)."""
    return render(request, "responsibilities/pulse/list.html#pulse-nudge", nudge_context(request))


def nudge_context(request: HtmxHttpRequest) -> dict:
    """The open pulse, if the signed-in person has not answered it (three queries with
    their Person: the pulse and their answers)."""
    person = access.person_of(request.user)
    current = selectors.open_survey()
    unanswered = bool(current and person and not selectors.answered_area_ids(current, person))
    return {"current": current if unanswered else None}


@require_POST
@ld_admin_required
def pulse_close(request: HtmxHttpRequest, pk: int):
    survey = get_object_or_404(AlignmentSurvey, pk=pk)
    if not is_confirmed(request):
        return confirmation_page(
            request,
            "responsibilities:pulse_close",
            survey,
            cancel_url=reverse("responsibilities:pulse_list"),
        )
    services.survey_close(survey=survey)
    messages.success(request, f"Closed “{survey.title}”.")
    return redirect("responsibilities:pulse_list")


@require_http_methods(["GET", "POST"])
@person_required
def pulse_answer(request: HtmxHttpRequest, pk: int):
    """Each person answers for themselves; nobody can read or change another's answers."""
    survey = get_object_or_404(AlignmentSurvey, pk=pk)
    person = access.person_of(request.user)
    if not services.survey_is_accepting(survey):
        messages.error(request, "This pulse is closed; answers are no longer accepted.")
        return redirect("responsibilities:pulse_list")
    areas = list(ResponsibilityArea.objects.order_by("position", "name"))
    if request.method == "POST":
        form = PulseForm(request.POST, areas=areas)
        if form.is_valid():
            try:
                services.pulse_answer(survey=survey, person=person, answers=form.answers)
            except ValidationError as exc:
                validation_error_onto_form(form, exc)
            else:
                messages.success(request, "Thank you — your answers are in.")
                return redirect("responsibilities:pulse_list")
    else:
        previous = selectors.answered_area_ids(survey, person)
        initial = {}
        for area_id, (owner, rating) in previous.items():
            initial[f"owner_{area_id}"] = owner
            initial[f"rating_{area_id}"] = rating
        form = PulseForm(areas=areas, initial=initial)
    return render(request, "responsibilities/pulse/answer.html", {"survey": survey, "form": form})


@reads_from_replica
@require_GET
@login_required
def pulse_results(request: HtmxHttpRequest, pk: int):
    """Aggregates only, by respondent group, with small groups suppressed."""
    survey = get_object_or_404(AlignmentSurvey, pk=pk)
    return render(
        request,
        "responsibilities/pulse/results.html",
        {"results": selectors.pulse_results(survey)},
    )
