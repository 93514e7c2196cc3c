"""The Organisation area for L&D admins: HR sync from the two CSV files (upload, a job
plans them, read the plan, confirm or cancel, a job applies it) and the SCIM tokens
identity providers provision with."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from upskill import forms, selectors, services
from upskill.decorators import ld_admin_required
from upskill.forms import validation_error_onto_form
from upskill.http import HtmxHttpRequest
from upskill.models import HrSyncRun, ScimConnection
from upskill.paging import page_of
from upskill.services import HR_SYNC_FILES


@require_http_methods(["GET", "POST"])
@ld_admin_required
def organisation(request: HtmxHttpRequest) -> HttpResponse:
    """Upload the HR files (stored, then planned by a job) and see the recent syncs."""
    form = forms.HrSyncUploadForm()
    status = 200
    if request.method == "POST":
        form = forms.HrSyncUploadForm(request.POST, request.FILES)
        if getattr(request, "upload_oversized", False):
            form.add_error(None, "The files are too big to upload; the limit is 20 MB each.")
        elif form.is_valid():
            try:
                run = services.hr_sync_run_create(
                    teams_upload=form.cleaned_data["teams_file"],
                    people_upload=form.cleaned_data["people_file"],
                    full=form.cleaned_data["full"],
                    created_by=request.user,
                )
            except ValidationError as exc:
                validation_error_onto_form(form, exc)
            else:
                return redirect("organisation_run", pk=run.pk)
        status = 400
    return render(
        request,
        "upskill/organisation/organisation.html",
        {
            "form": form,
            "hr_sync_runs": page_of(
                selectors.hr_sync_runs_recent(), request, per_page=selectors.HR_SYNC_RUNS_SHOWN
            ),
            "hr_sync_files": HR_SYNC_FILES,
            "hr_sync_optional_columns": services.hr_sync_columns_registered(),
        },
        status=status,
    )


def _run_page(request: HtmxHttpRequest, run: HrSyncRun, error: str = "") -> HttpResponse:
    template = "upskill/organisation/hr_sync_run.html"
    if request.htmx:
        template += "#hr-sync-run-status"
    # ?section=<name>&page=<n>: that section of the plan (or the bad rows) at page n.
    section, page = request.GET.get("section", ""), request.GET.get("page")
    return render(
        request,
        template,
        {
            "run": run,
            "sections": selectors.hr_sync_plan_sections(run.plan, section=section, page=page),
            "row_errors": selectors.hr_sync_row_errors(run.row_errors, section=section, page=page),
            "mass_leavers": selectors.hr_sync_mass_leavers(run),
            "confirm_form": forms.HrSyncConfirmForm(),
            "error": error,
        },
    )


@require_GET
@ld_admin_required
def organisation_run(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    """One sync: progress while a job works on it (the htmx partial polls every second
    and stops when the run settles), then the plan, the bad rows or the result."""
    run = selectors.hr_sync_run_shown(pk)
    if run is None:
        raise Http404("No such HR sync.")
    return _run_page(request, run)


def _run_act(request: HtmxHttpRequest, pk: int, act) -> HttpResponse:
    """Confirm or cancel through `act` (a service taking the run), then show the run: the
    htmx partial (saying why, if the service refused), else a redirect with a message."""
    run = get_object_or_404(HrSyncRun, pk=pk)
    error = ""
    try:
        act(run)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:
        run.refresh_from_db()
        return _run_page(request, run, error=error)
    if error:
        messages.error(request, error)
    return redirect("organisation_run", pk=pk)


@require_POST
@ld_admin_required
def organisation_run_confirm(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    form = forms.HrSyncConfirmForm(request.POST)
    allow = form.is_valid() and form.cleaned_data["allow_mass_leavers"]
    return _run_act(
        request,
        pk,
        lambda run: services.hr_sync_run_confirm(hr_sync_run=run, allow_mass_leavers=allow),
    )


@require_POST
@ld_admin_required
def organisation_run_cancel(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    return _run_act(request, pk, lambda run: services.hr_sync_run_cancel(hr_sync_run=run))


@require_http_methods(["GET", "POST"])
@ld_admin_required
def scim_connections(request: HtmxHttpRequest) -> HttpResponse:
    """Bearer tokens for identity providers. A new token is shown on this response only:
    the database keeps its hash."""
    form = forms.ScimConnectionForm()
    created = None
    status = 200
    if request.method == "POST":
        form = forms.ScimConnectionForm(request.POST)
        if form.is_valid():
            try:
                created = services.scim_connection_create(
                    name=form.cleaned_data["name"], created_by=request.user
                )
            except ValidationError as exc:
                validation_error_onto_form(form, exc)
                status = 400
            else:
                form = forms.ScimConnectionForm()
        else:
            status = 400
    response = render(
        request,
        "upskill/organisation/scim_connections.html",
        {
            "form": form,
            "created": created,
            "scim_connections": page_of(
                selectors.scim_connections(), request, per_page=selectors.SCIM_CONNECTIONS_PER_PAGE
            ),
            "scim_base_url": request.build_absolute_uri(
                reverse("scim:service_provider_config").removesuffix("ServiceProviderConfig")
            ),
        },
        status=status,
    )
    if created:
        response["Cache-Control"] = "no-store"  # the token must not linger in a cache
    return response


@require_POST
@ld_admin_required
def scim_connection_revoke(request: HtmxHttpRequest, pk: int) -> HttpResponse:
    connection = services.scim_connection_revoke(
        connection=get_object_or_404(ScimConnection, pk=pk)
    )
    messages.success(
        request, f"Token “{connection.name}” is revoked; requests using it now get 401."
    )
    return redirect("scim_connections")
