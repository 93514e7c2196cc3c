"""Views for the shared-responsibility model. Thin: parse with a form, ask the access
policy, call a service or selector, render the page or its htmx partial."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from responsibilities import periods, selectors, services
from responsibilities.forms import (
    AreaForm,
    CheckInForm,
    CommitmentForm,
    PulseForm,
    RaciRowForm,
    SurveyOpenForm,
    TeamChoiceForm,
)
from responsibilities.models import AlignmentSurvey, Commitment, ResponsibilityArea
from upskill import access
from upskill.decorators import dashboard_required, ld_admin_required, person_required
from upskill.http import HtmxHttpRequest
from upskill.models import Team


def _form_errors_to(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


# --- The matrix --------------------------------------------------------------------------


@require_GET
@login_required
def matrix(request: HtmxHttpRequest):
    """The responsibility matrix with each area's commitments; admins edit rows in place."""
    can_edit = access.can_configure(request.user)
    return render(
        request,
        "responsibilities/matrix.html",
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
        "responsibilities/matrix_print.html",
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
        "responsibilities/matrix.html#area-row",
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
                _form_errors_to(form, exc)
            else:
                if request.htmx:
                    return render(
                        request,
                        "responsibilities/matrix.html#area-row",
                        {"row": selectors.matrix_row(area), "can_edit": True, "saved": True},
                    )
                messages.success(request, f"Saved the matrix row for “{area.name}”.")
                return redirect(f"{reverse('responsibilities:matrix')}#area-{area.pk}")
    else:
        form = RaciRowForm(initial=dict(zip(services.Party.values, row.letters, strict=True)))
    context = {"row": row, "form": form, "parties": services.Party.choices}
    if request.htmx:
        return render(request, "responsibilities/matrix.html#area-row-edit", context)
    return render(request, "responsibilities/area_raci_edit.html", context)


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
            _form_errors_to(form, exc)
        else:
            messages.success(request, f"Added the area “{area.name}”.")
            return redirect(f"{reverse('responsibilities:matrix')}#area-{area.pk}")
    return render(request, "responsibilities/area_form.html", {"form": form})


# --- Commitments -------------------------------------------------------------------------


def _commitment_save(request, form: CommitmentForm, *, area, commitment=None):
    fields = {
        "party": form.cleaned_data["party"],
        "title": form.cleaned_data["title"],
        "description": form.cleaned_data["description"],
        "target": form.cleaned_data["target"],
        "unit": form.cleaned_data["unit"],
        "period": form.cleaned_data["period"],
        "direction": form.cleaned_data["direction"],
        "teams": form.cleaned_data["teams"],
        "computed_from": form.cleaned_data["computed_from"],
    }
    if commitment is None:
        return services.commitment_create(area=area, **fields)
    return services.commitment_update(commitment=commitment, **fields)


@require_http_methods(["GET", "POST"])
@ld_admin_required
def commitment_create(request: HtmxHttpRequest, area_pk: int):
    area = get_object_or_404(ResponsibilityArea, pk=area_pk)
    form = CommitmentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            commitment = _commitment_save(request, form, area=area)
        except ValidationError as exc:
            _form_errors_to(form, exc)
        else:
            messages.success(request, f"Added the commitment “{commitment.title}”.")
            return redirect(f"{reverse('responsibilities:matrix')}#area-{area.pk}")
    return render(request, "responsibilities/commitment_form.html", {"form": form, "area": area})


@require_http_methods(["GET", "POST"])
@ld_admin_required
def commitment_edit(request: HtmxHttpRequest, pk: int):
    commitment = get_object_or_404(Commitment.objects.select_related("area"), pk=pk)
    form = CommitmentForm(request.POST or None, instance=commitment)
    if request.method == "POST" and form.is_valid():
        # Validate against a fresh copy: a form bound to the instance has already
        # assigned the new values to it.
        fresh = Commitment.objects.get(pk=commitment.pk)
        try:
            _commitment_save(request, form, area=commitment.area, commitment=fresh)
        except ValidationError as exc:
            _form_errors_to(form, exc)
        else:
            messages.success(request, f"Saved the commitment “{fresh.title}”.")
            return redirect(f"{reverse('responsibilities:matrix')}#area-{commitment.area_id}")
    return render(
        request,
        "responsibilities/commitment_form.html",
        {"form": form, "area": commitment.area, "commitment": commitment},
    )


@require_POST
@ld_admin_required
def commitment_set_active(request: HtmxHttpRequest, pk: int):
    commitment = get_object_or_404(Commitment, pk=pk)
    is_active = request.POST.get("active") == "1"
    services.commitment_set_active(commitment=commitment, is_active=is_active)
    messages.success(
        request,
        f"{'Restored' if is_active else 'Retired'} “{commitment.title}”; its check-ins are kept.",
    )
    return redirect(f"{reverse('responsibilities:matrix')}#area-{commitment.area_id}")


# --- Fulfilment and check-ins ------------------------------------------------------------


@require_GET
@login_required
def fulfilment(request: HtmxHttpRequest):
    """Delivered / target per commitment and period. Leaders and admins start from an
    overview of all their teams and open one; employees see their own team's."""
    teams = selectors.fulfilment_teams(request.user)
    if not teams:
        raise PermissionDenied
    form = TeamChoiceForm(request.GET or None, teams=teams)
    team = form.cleaned_data["team"] if form.is_bound and form.is_valid() else None
    today = timezone.localdate()
    context = {"teams": teams, "team": team}
    if team is None and len(teams) > 1:
        commitments, overview = selectors.fulfilment_overview(teams, today=today)
        context |= {"commitments": commitments, "overview": overview}
    else:
        team = team or teams[0]
        context |= {
            "team": team,
            "rows": selectors.team_fulfilment(team, today=today),
            "can_record": access.can_act_for_team(request.user, team),
        }
    if request.htmx:
        return render(request, "responsibilities/fulfilment.html#fulfilment-table", context)
    return render(request, "responsibilities/fulfilment.html", context)


def _check_in_context(commitment: Commitment, team: Team, form: CheckInForm):
    starts = periods.recent_period_starts(commitment.period, 6, timezone.localdate())
    return {
        "commitment": commitment,
        "team": team,
        "form": form,
        "period_choices": [(s, periods.period_label(s, commitment.period)) for s in starts],
    }


@require_http_methods(["GET", "POST"])
@login_required
def check_in_record(request: HtmxHttpRequest, pk: int, team_pk: int):
    """The accountable party records what was delivered for one team and period."""
    commitment = get_object_or_404(Commitment.objects.prefetch_related("teams"), pk=pk)
    team = get_object_or_404(Team, pk=team_pk)
    if not access.can_act_for_team(request.user, team):
        raise PermissionDenied
    if commitment.computed_from or not services.commitment_applies_to(commitment, team):
        raise Http404("This commitment takes no check-ins for this team.")
    teams = Team.objects.filter(pk=team.pk)
    if request.method == "POST":
        form = CheckInForm(request.POST, teams=teams)
        if form.is_valid():
            try:
                services.check_in_record(
                    commitment=commitment,
                    team=form.cleaned_data["team"],
                    period_start=form.cleaned_data["period_start"],
                    value=form.cleaned_data["value"],
                    note=form.cleaned_data["note"],
                    recorded_by=request.user,
                )
            except ValidationError as exc:
                _form_errors_to(form, exc)
            else:
                messages.success(request, f"Recorded {commitment.title} for {team}.")
                return redirect(f"{reverse('responsibilities:fulfilment')}#c{pk}-t{team_pk}")
    else:
        start = periods.period_start(timezone.localdate(), commitment.period)
        form = CheckInForm(teams=teams, initial={"team": team, "period_start": start})
    return render(
        request,
        "responsibilities/check_in_form.html",
        _check_in_context(commitment, team, form),
    )


# --- The alignment pulse -----------------------------------------------------------------


@require_GET
@login_required
def pulse_list(request: HtmxHttpRequest):
    person = access.person_of(request.user)
    current = selectors.open_survey()
    return render(
        request,
        "responsibilities/pulse_list.html",
        {
            "surveys": selectors.surveys_with_counts(),
            "current": current,
            "can_answer": person is not None and current is not None,
            "answered": bool(current and person and selectors.answered_area_ids(current, person)),
            "can_configure": access.can_configure(request.user),
            "open_form": SurveyOpenForm(),
            "min_group_size": settings.MIN_GROUP_SIZE,
        },
    )


@require_POST
@ld_admin_required
def pulse_open(request: HtmxHttpRequest):
    form = SurveyOpenForm(request.POST)
    if form.is_valid():
        try:
            services.survey_open(
                title=form.cleaned_data["title"],
                closes_at=form.cleaned_data["closes_at"],
                created_by=request.user,
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, "The pulse is open: everyone can answer it now.")
    else:
        for field, errors in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            messages.error(request, f"{label or 'Pulse'}: {' '.join(errors)}")
    return redirect("responsibilities:pulse_list")


@require_POST
@ld_admin_required
def pulse_close(request: HtmxHttpRequest, pk: int):
    survey = get_object_or_404(AlignmentSurvey, pk=pk)
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
                _form_errors_to(form, exc)
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
    return render(request, "responsibilities/pulse_answer.html", {"survey": survey, "form": form})


@require_GET
@login_required
def pulse_results(request: HtmxHttpRequest, pk: int):
    """Aggregates only, by respondent group, with small groups suppressed."""
    survey = get_object_or_404(AlignmentSurvey, pk=pk)
    return render(
        request,
        "responsibilities/pulse_results.html",
        {"results": selectors.pulse_results(survey)},
    )


# --- The standoff score ------------------------------------------------------------------


@require_GET
@dashboard_required
def standoff(request: HtmxHttpRequest):
    teams = list(access.visible_teams(request.user).order_by("name"))
    surveys = list(
        AlignmentSurvey.objects.exclude(status=AlignmentSurvey.Status.DRAFT).order_by(
            "opens_at", "pk"
        )
    )
    scores = selectors.standoff_scores(teams=teams, surveys=surveys)
    return render(
        request,
        "responsibilities/standoff.html",
        {"series": [(team, scores[team.pk]) for team in teams], "surveys": surveys},
    )
