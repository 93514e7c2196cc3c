import csv
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from metrics import forms, selectors, services
from metrics.models import ImportRun, XapiKey
from metrics.services import connectors
from upskill.decorators import dashboard_required, ld_admin_required
from upskill.http import HtmxHttpRequest

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


@require_GET
@dashboard_required
def dashboard(request: HtmxHttpRequest):
    """Outcomes first, attendance second, for the teams the user may see (filters in the
    URL, so a view can be bookmarked and shared)."""
    filters, teams, pathways = selectors.dashboard_filters(request.user, request.GET)
    board = selectors.dashboard(filters, teams)
    impact = selectors.impact_estimates(
        team_ids=selectors.scope_team_ids(filters, teams),
        pathway=filters.pathway,
        measures=[card.measure for card in board.cards],
        generation=board.freshness.generation,
    )
    if impact.missing:  # never computed inline: the job is queued, the page says so
        services.impact_estimates_request(team_ids=impact.team_ids, pathway=filters.pathway)
    template = "metrics/dashboard/dashboard.html"
    if request.htmx:
        template += "#dashboard-body"
    return render(
        request,
        template,
        {
            "board": board,
            "impact": impact,
            "impact_cards": list(zip(board.cards, impact.views.values(), strict=True)),
            "filters": filters,
            "teams": teams,
            "pathways": pathways,
            "min_group_size": settings.MIN_GROUP_SIZE,
        },
    )


@require_GET
@dashboard_required
def dashboard_export(request: HtmxHttpRequest):
    """The dashboard's rollups as CSV: the chosen team's subtree (else every visible
    team), range and pathway; suppressed figures blanked."""
    filters, teams, _pathways = selectors.dashboard_filters(request.user, request.GET)
    team_ids = selectors.scope_team_ids(filters, teams)
    response = StreamingHttpResponse(
        selectors.rollup_export_lines(team_ids, filters), content_type=CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = 'attachment; filename="upskill-rollups.csv"'
    return response


@require_GET
@ld_admin_required
def impact_planner(request: HtmxHttpRequest):
    """For L&D admins planning a rollout: per measure, the teams and weeks of history and
    the smallest effect a staggered rollout could detect; and a randomised rollout
    order for an assignment wave (a seeded shuffle), as a table or CSV (?format=csv)."""
    form = forms.RolloutOrderForm(request.GET or None)
    pathway, seed = None, 1
    if form.is_bound and form.is_valid():
        pathway = form.cleaned_data["pathway"]
        seed = form.cleaned_data["seed"] if form.cleaned_data["seed"] is not None else 1
    team_ids = selectors.all_team_ids()
    rows, missing = selectors.impact_planner(
        team_ids=team_ids,
        measures=selectors.outcome_measures(),
        generation=selectors.rollup_generation(),
    )
    if missing:  # never computed inline: the job is queued, the page says so
        services.impact_estimates_request(team_ids=team_ids, pathway=None)
    order = selectors.rollout_order(
        team_names=selectors.rollout_candidates(team_ids=team_ids, pathway=pathway), seed=seed
    )
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="upskill-rollout-order.csv"'
        writer = csv.writer(response)
        writer.writerow(["position", "team", "wave"])
        writer.writerows(
            (position, selectors.spreadsheet_safe(team), wave) for position, team, wave in order
        )
        return response
    return render(
        request,
        "metrics/planner/impact_planner.html",
        {
            "form": form,
            "rows": rows,
            "missing": missing,
            "order": order,
            "seed": seed,
            "pathway": pathway,
            "csv_query": urlencode(
                {"seed": seed, "format": "csv", **({"pathway": pathway.slug} if pathway else {})}
            ),
            "min_group_size": settings.MIN_GROUP_SIZE,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


# --- Imports (L&D admins) -----------------------------------------------------------------


def _import_upload_too_big(request: HtmxHttpRequest) -> bool:
    """A body far over the file limit is refused from its declared length alone (its
    file data was dropped unstored: upskill.uploads.OversizedBodyHandler)."""
    try:
        length = int(request.headers.get("Content-Length") or 0)
    except ValueError:
        return False
    return length > settings.UPLOAD_MAX_BODY_BYTES


@require_http_methods(["GET", "POST"])
@ld_admin_required
def import_list(request: HtmxHttpRequest):
    """Upload a CSV (stored, then checked by a job) and see the recent import runs."""
    form = forms.ImportUploadForm()
    refused = ""
    status = 200
    if request.method == "POST":
        if _import_upload_too_big(request):
            refused = (
                f"The file is over {services.MAX_FILE_BYTES // 2**20} MB; "
                "split it into smaller files and import each."
            )
            status = 400
        else:
            form = forms.ImportUploadForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    import_run = services.import_run_create(
                        kind=form.cleaned_data["kind"],
                        upload=form.cleaned_data["file"],
                        created_by=request.user,
                    )
                except ValidationError as exc:
                    form.add_error("file", exc)
                else:
                    return redirect("metrics:import_run", pk=import_run.pk)
            status = 400
    return render(
        request,
        "metrics/imports/import_list.html",
        {
            "form": form,
            "refused": refused,
            "import_runs": selectors.import_runs_recent(),
            "headers": services.HEADERS,
            "min_group_size": settings.MIN_GROUP_SIZE,
        },
        status=status,
    )


@require_GET
@ld_admin_required
def import_template(request: HtmxHttpRequest, kind: str):
    """A CSV with the header a kind of import expects and one example row."""
    if kind not in services.HEADERS:
        raise Http404(f"No import kind {kind!r}.")
    response = HttpResponse(services.template_csv(kind), content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="upskill-{kind}-template.csv"'
    return response


@require_GET
@ld_admin_required
def import_sample(request: HtmxHttpRequest, kind: str):
    """A sample export of a tool, made from the current organisation's people (demo
    data, labelled so in every row), to try a connector end to end."""
    sample = connectors.SAMPLES.get(kind)
    if sample is None:
        raise Http404(f"No sample for {kind!r}.")
    build, filename, content_type = sample
    response = HttpResponse(build(), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_http_methods(["GET", "POST"])
@ld_admin_required
def identity_map(request: HtmxHttpRequest):
    """Upload the identity map (whose login in which tool), all or nothing: a file with
    a bad row changes nothing and every bad row is listed by line."""
    form = forms.IdentityMapUploadForm()
    row_errors: list[dict] = []
    status = 200
    if request.method == "POST":
        status = 400
        if _import_upload_too_big(request):
            form.add_error(None, f"The file is over {services.MAX_FILE_BYTES // 2**20} MB.")
        else:
            form = forms.IdentityMapUploadForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    report = connectors.tool_logins_import(source=form.cleaned_data["file"])
                except connectors.LoginRowsInvalid as exc:
                    form.add_error("file", exc)
                    row_errors = exc.report.errors
                except ValidationError as exc:
                    form.add_error("file", exc)
                else:
                    messages.success(
                        request,
                        f"Identity map loaded: {report.rows_total:,} rows, {report.created:,} "
                        f"logins added, {report.closed:,} ended (passed to someone else), "
                        f"{report.unchanged:,} already known.",
                    )
                    return redirect("metrics:identity_map")
    return render(
        request,
        "metrics/imports/identity_map.html",
        {
            "form": form,
            "row_errors": row_errors,
            "systems": connectors.tool_login_counts(),
        },
        status=status,
    )


def _import_run_page(request: HtmxHttpRequest, import_run: ImportRun, error: str = ""):
    shown, more = selectors.import_run_errors_shown(import_run)
    template = "metrics/imports/import_run.html"
    if request.htmx:
        template += "#import-run-status"
    return render(
        request,
        template,
        {
            "import_run": import_run,
            "row_errors": shown,
            "more_errors": more,
            "headers": services.HEADERS,
            "error": error,
        },
    )


@require_GET
@ld_admin_required
def import_run(request: HtmxHttpRequest, pk: int):
    """One run: progress while a job works on it (the htmx partial polls every second
    and stops when the run settles), then the report or the result."""
    return _import_run_page(request, get_object_or_404(ImportRun, pk=pk))


def _import_run_act(request: HtmxHttpRequest, pk: int, act) -> HttpResponse:
    """Confirm or cancel a run through `act` (a service taking the run), then show the
    run: the htmx partial (saying why, if the service refused), else a redirect with a
    message."""
    import_run = get_object_or_404(ImportRun, pk=pk)
    error = ""
    try:
        act(import_run)
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.htmx:  # the partial says it; a message would wait for the next page
        import_run.refresh_from_db()
        return _import_run_page(request, import_run, error=error)
    if error:
        messages.error(request, error)
    return redirect("metrics:import_run", pk=pk)


@require_POST
@ld_admin_required
def import_run_confirm(request: HtmxHttpRequest, pk: int):
    form = forms.ImportConfirmForm(request.POST)
    rows_valid = form.cleaned_data["rows_valid"] if form.is_valid() else None
    return _import_run_act(
        request,
        pk,
        lambda import_run: services.import_run_confirm(
            import_run=import_run, rows_valid=rows_valid
        ),
    )


@require_POST
@ld_admin_required
def import_run_cancel(request: HtmxHttpRequest, pk: int):
    return _import_run_act(
        request, pk, lambda import_run: services.import_run_cancel(import_run=import_run)
    )


@require_http_methods(["GET", "POST"])
@ld_admin_required
def xapi_keys(request: HtmxHttpRequest):
    """API keys for the xAPI endpoint. A new key is shown on this response only: the
    database keeps its hash."""
    form = forms.XapiKeyForm()
    created = None
    status = 200
    if request.method == "POST":
        form = forms.XapiKeyForm(request.POST)
        if form.is_valid():
            try:
                created = services.xapi_key_create(
                    name=form.cleaned_data["name"], created_by=request.user
                )
            except ValidationError as exc:
                form.add_error("name", exc)
                status = 400
            else:
                form = forms.XapiKeyForm()
        else:
            status = 400
    response = render(
        request,
        "metrics/xapi/xapi_keys.html",
        {
            "form": form,
            "created": created,
            "xapi_keys": selectors.xapi_keys(),
            "statements_url": request.build_absolute_uri(reverse("metrics:xapi_statements")),
            "step_iri_prefix": settings.XAPI_STEP_IRI_PREFIX,
        },
        status=status,
    )
    if created:
        response["Cache-Control"] = "no-store"  # the key must not linger in a cache
    return response


@require_POST
@ld_admin_required
def xapi_key_revoke(request: HtmxHttpRequest, pk: int):
    xapi_key = services.xapi_key_revoke(xapi_key=get_object_or_404(XapiKey, pk=pk))
    messages.success(request, f"Key “{xapi_key.name}” is revoked; requests using it now get 401.")
    return redirect("metrics:xapi_keys")
