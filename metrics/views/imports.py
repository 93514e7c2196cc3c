"""Imports (L&D admins): the upload page, a run's report and its confirm/cancel, the
template and sample files."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from metrics import forms, selectors, services
from metrics.models import ImportRun
from metrics.services import connectors, import_reports
from upskill.decorators import ld_admin_required
from upskill.http import HtmxHttpRequest
from upskill.paging import page_of

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


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
            "import_runs": page_of(
                selectors.import_runs_recent(), request, per_page=selectors.RECENT_IMPORT_RUNS
            ),
            "formats": import_reports.FORMATS,
            "measure_keys": selectors.outcome_measure_keys(),
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
    refused: ImportRun | None = None
    status = 200
    if request.method == "POST":
        status = 400
        if _import_upload_too_big(request):
            form.add_error(None, f"The file is over {services.MAX_FILE_BYTES // 2**20} MB.")
        else:
            form = forms.IdentityMapUploadForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    run = services.identity_map_load(
                        upload=form.cleaned_data["file"], created_by=request.user
                    )
                except ValidationError as exc:
                    form.add_error("file", exc)
                else:
                    if run.status == ImportRun.Status.DONE:
                        messages.success(
                            request,
                            f"Identity map loaded: {run.rows_total:,} rows, {run.message}",
                        )
                        return redirect("metrics:identity_map")
                    form.add_error("file", run.message)
                    refused = run
    return render(
        request,
        "metrics/imports/identity_map.html",
        {
            "form": form,
            "refused": refused,
            "row_errors": refused.row_errors if refused else [],
            "systems": connectors.tool_login_counts(),
            "format": import_reports.IDENTITY_MAP_FORMAT,
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
            "bad_rows_download": bool(import_run.row_errors and import_run.file),
        },
    )


@require_GET
@ld_admin_required
def import_run(request: HtmxHttpRequest, pk: int):
    """One run: progress while a job works on it (the htmx partial polls every second
    and stops when the run settles), then the report or the result."""
    return _import_run_page(request, get_object_or_404(ImportRun, pk=pk))


@require_GET
@ld_admin_required
def import_run_bad_rows(request: HtmxHttpRequest, pk: int):
    """The rows a run refused, as uploaded, each with its line number and reason: read
    back from the stored file (a run from the command line stores none)."""
    import_run = get_object_or_404(ImportRun, pk=pk)
    if not (import_run.row_errors and import_run.file):
        raise Http404("This import has no bad rows to download.")
    try:
        with import_run.file.open("rb") as source:
            body = import_reports.bad_rows_csv(import_run, source)
    except FileNotFoundError:
        raise Http404("The uploaded file is no longer stored.") from None
    response = HttpResponse(body, content_type=CSV_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="upskill-import-{import_run.pk}-bad-rows.csv"'
    )
    return response


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
        request,
        pk,
        lambda import_run: services.import_run_cancel(
            import_run=import_run, cancelled_by=request.user
        ),
    )
