"""The upload flow around the importer: store the file, validate it in a job, let the
admin confirm "import the N valid rows", apply in a job, then roll up the buckets; and
the commands' one-pass import of a file on this machine, through the same write.

Nothing reaches the raw tables before the admin confirms: validation only records the
report on the ImportRun. A file refused up front (size, type, empty, binary, not UTF-8)
is not stored and creates no run at all.
"""

from __future__ import annotations

import codecs
import logging
from pathlib import Path, PurePath
from typing import IO

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from metrics import enqueue
from metrics import notifications as metric_notifications
from metrics.models import ImportRun
from metrics.services import connectors, imports
from upskill.services.audit import audit_action, audit_record

logger = logging.getLogger(__name__)

ALLOWED_SUFFIXES = (".csv",)  # as the README says: a .txt is refused too
SNIFF_BYTES = 64 * 1024
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _progress_writer(import_run: ImportRun):
    """Progress goes straight to the row with an UPDATE (autocommitted while validating,
    so the polling page sees it)."""

    def write(done: int, total: int) -> None:
        ImportRun.objects.filter(pk=import_run.pk).update(bytes_done=done, bytes_total=total)

    return write


def upload_check(*, upload: UploadedFile, kind: str = ImportRun.Kind.ACTIVITY) -> None:
    """Refuse, before anything is stored, a file that cannot be a UTF-8 CSV (or, for a
    tool export, the tool's CSV or JSON): wrong extension, empty, over the size limit,
    binary, or another encoding. Reads only the first SNIFF_BYTES; bad bytes further on
    are reported per line by validation."""
    name = upload.name or ""
    connector = connectors.CONNECTORS.get(kind)
    allowed = (*connector.suffixes, ".txt") if connector else ALLOWED_SUFFIXES
    if PurePath(name).suffix.lower() not in allowed:
        if connector:
            raise ValidationError(
                f"{name or 'The file'} is not a {ImportRun.Kind(kind).label} export: "
                f"choose a {' or '.join(connector.suffixes)} file."
            )
        raise ValidationError(
            f"{name or 'The file'} is not a CSV file: choose a .csv file "
            "(in a spreadsheet, use Save as → CSV UTF-8)."
        )
    if not upload.size:
        raise ValidationError("The file is empty: choose a CSV file with a header row and data.")
    imports.check_file_size(upload.size)
    upload.seek(0)
    head = upload.read(SNIFF_BYTES)
    upload.seek(0)
    if head.startswith(UTF16_BOMS):
        raise ValidationError(
            "The file is UTF-16 encoded; save it as CSV UTF-8 and upload it again."
        )
    if b"\x00" in head:
        raise ValidationError(
            "This is not a text file (it contains binary data). Choose the CSV export."
        )
    try:
        # An incremental decoder: a character cut off at the end of the sample is fine.
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        raise ValidationError(
            "The file is not UTF-8 text (perhaps Windows-1252 or Latin-1). Save it as "
            "CSV UTF-8 and upload it again."
        ) from None


@transaction.atomic
def import_run_create(*, kind: str, upload: UploadedFile, created_by) -> ImportRun:
    """Check and store an uploaded file, then queue its validation."""
    if kind not in ImportRun.Kind.values or kind == ImportRun.Kind.IDENTITY_MAP:
        raise ValidationError(f"Unknown import kind {kind!r}: choose activity or outcomes.")
    upload_check(upload=upload, kind=kind)
    name = PurePath(upload.name).name[:255]
    import_run = ImportRun(
        kind=kind, original_name=name, created_by=created_by, bytes_total=upload.size
    )
    import_run.file.save(name, upload, save=False)
    import_run.save()
    # With the broker down the run stays pending (the page says so) and
    # import_runs_resume picks it up once the broker is back.
    enqueue.import_validate(import_run_id=import_run.pk)
    return import_run


def import_run_audit(*, import_run: ImportRun, actor=None) -> None:
    """The run's one audit entry, written when it settles (imported, refused, failed or
    cancelled): its file, its counts and who uploaded it (or `actor`, who cancelled it;
    the request's user when neither is given)."""
    run = import_run
    kind = run.get_kind_display()
    name = run.original_name or "(command line)"
    counts = {
        "rows": run.rows_total,
        "valid": run.rows_valid,
        "with errors": run.rows_invalid,
        "imported": run.rows_inserted,
        "already imported": run.rows_duplicate,
    }
    if run.status == ImportRun.Status.DONE:
        if run.kind == ImportRun.Kind.IDENTITY_MAP:
            summary = f"Loaded the identity map “{name}”: {run.rows_total:,} rows, {run.message}"
        else:
            summary = (
                f"Imported the {kind.lower()} file “{name}”: {run.rows_inserted:,} of "
                f"{run.rows_total:,} rows imported, {run.rows_duplicate:,} already there"
                + (f", {run.rows_invalid:,} with errors left out" if run.rows_invalid else "")
            )
    elif run.status == ImportRun.Status.CANCELLED:
        summary = f"Cancelled the {kind.lower()} import of “{name}”: nothing was imported"
    else:
        reason = run.message or f"{run.rows_invalid:,} of {run.rows_total:,} rows with errors"
        summary = (
            f"{run.get_status_display()}: the {kind.lower()} file “{name}”, nothing was "
            f"imported. {reason}"
        )
    audit_record(
        run,
        summary=summary,
        changes={label: [None, count] for label, count in counts.items() if count},
        actor=actor or run.created_by,
        object_repr=f"{kind} import “{name}”",
    )


def _fail(import_run_id: int, message: str) -> None:
    ImportRun.objects.filter(pk=import_run_id).update(
        status=ImportRun.Status.FAILED, message=message, finished_at=timezone.now()
    )
    import_run_audit(
        import_run=ImportRun.objects.select_related("created_by").get(pk=import_run_id)
    )
    metric_notifications.import_run_notify(import_run_id=import_run_id)


def import_validate(*, import_run_id: int) -> ImportRun:
    """Check every row of the stored file and record the report; writes no raw rows.

    Not atomic on purpose: the progress UPDATEs must commit as they go for the page's
    progress bar. Safe to re-run: it only rewrites the run's own report."""
    import_run = ImportRun.objects.get(pk=import_run_id)
    if import_run.status not in (ImportRun.Status.PENDING, ImportRun.Status.VALIDATING):
        return import_run  # a redelivered message for a run that has moved on
    ImportRun.objects.filter(pk=import_run.pk).update(
        status=ImportRun.Status.VALIDATING, bytes_done=0
    )
    try:
        with import_run.file.open("rb") as source:
            validate = (
                connectors.connector_file_validate
                if import_run.kind in connectors.CONNECTORS
                else imports.import_file_validate
            )
            report = validate(
                kind=import_run.kind, source=source, progress=_progress_writer(import_run)
            )
    except imports.FileRejected as exc:
        import_run.refresh_from_db()
        import_run.message = " ".join(exc.messages)
        imports.import_run_record(
            import_run=import_run, report=imports.ImportReport(), status=ImportRun.Status.REJECTED
        )
        import_run_audit(import_run=import_run)
        metric_notifications.import_run_notify(import_run_id=import_run.pk)
        return import_run
    except Exception:
        # Without this the run would stay "validating" and the page poll for ever.
        logger.exception("Validating import run %s failed", import_run_id)
        _fail(import_run_id, "Checking the file failed unexpectedly; upload it again.")
        raise
    import_run.refresh_from_db()
    if import_run.status != ImportRun.Status.VALIDATING:
        return import_run  # cancelled while it was being checked
    import_run.bytes_done = import_run.bytes_total
    imports.import_run_record(
        import_run=import_run, report=report, status=ImportRun.Status.VALIDATED
    )
    return import_run


@transaction.atomic
def import_run_confirm(*, import_run: ImportRun, rows_valid: int | None) -> ImportRun:
    """The admin saw the report and chose to import its `rows_valid` valid rows."""
    import_run = ImportRun.objects.select_for_update().get(pk=import_run.pk)
    if import_run.status != ImportRun.Status.VALIDATED:
        raise ValidationError(
            f"This import is {import_run.get_status_display().lower()}; only a checked file "
            "waiting for confirmation can be imported."
        )
    if not import_run.rows_valid:
        raise ValidationError(
            "There are no valid rows to import; fix the file and upload it again."
        )
    if rows_valid != import_run.rows_valid:
        raise ValidationError(
            f"The report shows {import_run.rows_valid:,} valid rows; reload the page and "
            "confirm again."
        )
    import_run.status = ImportRun.Status.IMPORTING
    import_run.bytes_done = 0
    import_run.save(update_fields=["status", "bytes_done"])
    enqueue.import_apply(import_run_id=import_run.pk)
    return import_run


@transaction.atomic
def import_run_cancel(*, import_run: ImportRun, cancelled_by=None) -> ImportRun:
    """The admin chose not to import: nothing was written, and nothing will be."""
    import_run = ImportRun.objects.select_for_update().get(pk=import_run.pk)
    if import_run.status not in (
        ImportRun.Status.PENDING,
        ImportRun.Status.VALIDATING,
        ImportRun.Status.VALIDATED,
    ):
        raise ValidationError(
            f"This import is {import_run.get_status_display().lower()}; it can no longer "
            "be cancelled."
        )
    import_run.status = ImportRun.Status.CANCELLED
    import_run.finished_at = timezone.now()
    import_run.save(update_fields=["status", "finished_at"])
    import_run_audit(import_run=import_run, actor=cancelled_by)
    return import_run


def _import_run_write(
    *,
    import_run: ImportRun,
    source: IO[bytes],
    allow_invalid: bool,
    expected_valid: int | None = None,
    progress: imports.Progress | None = None,
) -> None:
    """Write a run's valid rows, record its report as done and queue the rollup: the
    one write behind the upload flow (import_apply) and the commands (file_import).
    Call it inside a transaction, so the report commits with the rows."""
    apply = (
        connectors.connector_file_apply
        if import_run.kind in connectors.CONNECTORS
        else imports.import_file_apply
    )
    report = apply(
        kind=import_run.kind,
        source=source,
        import_run=import_run,
        allow_invalid=allow_invalid,
        expected_valid=expected_valid,
        progress=progress,
    )
    import_run.bytes_done = import_run.bytes_total
    imports.import_run_record(import_run=import_run, report=report, status=ImportRun.Status.DONE)
    import_run_audit(import_run=import_run)
    if report.rows_inserted:
        enqueue.rollup_incremental()


def import_apply(*, import_run_id: int) -> ImportRun:
    """Write the confirmed valid rows (one transaction), then queue the rollup.

    Safe to run twice (a redelivered task after a killed worker): the run row is locked
    and re-checked inside the transaction, so a second delivery waits for the first and
    then finds it done instead of overwriting its counts with "all duplicates"."""
    try:
        # One audit entry: the run's, with whatever else the import changed (a tool
        # connector may add the outcome measures it fills) merged into it.
        with transaction.atomic(), audit_action():
            import_run = ImportRun.objects.select_for_update().get(pk=import_run_id)
            if import_run.status != ImportRun.Status.IMPORTING:
                return import_run
            with import_run.file.open("rb") as source:
                _import_run_write(
                    import_run=import_run,
                    source=source,
                    allow_invalid=True,
                    expected_valid=import_run.rows_valid,
                )
    except imports.FileRejected as exc:
        _fail(import_run_id, " ".join(exc.messages))
    except ValidationError as exc:
        _fail(import_run_id, " ".join(exc.messages))
    except Exception:
        logger.exception("Applying import run %s failed", import_run_id)
        _fail(import_run_id, "Importing failed unexpectedly; nothing was written. Try again.")
        raise
    metric_notifications.import_run_notify(import_run_id=import_run_id)
    return ImportRun.objects.get(pk=import_run_id)


def file_import(
    *, kind: str, path: Path, allow_invalid: bool, progress: imports.Progress | None = None
) -> ImportRun:
    """Import a file on this machine in one pass (`manage.py import_activity`,
    `import_outcomes` and `import_source`): validated and written together by the upload
    flow's own write, without storing a copy or waiting for a confirmation.

    Writes nothing and leaves the run rejected when the file is refused whole
    (FileRejected) or, unless allow_invalid, when any row is bad (InvalidRows, carrying
    the report); both are raised for the caller to report."""
    if kind not in ImportRun.Kind.values:
        raise ValidationError(f"Unknown import kind {kind!r}: choose activity or outcomes.")
    if kind == ImportRun.Kind.IDENTITY_MAP:
        raise ValidationError("Load an identity map with `manage.py import_tool_logins`.")
    import_run = ImportRun.objects.create(
        kind=kind, original_name=path.name[:255], status=ImportRun.Status.IMPORTING
    )
    try:
        with transaction.atomic(), audit_action(), path.open("rb") as source:
            _import_run_write(
                import_run=import_run,
                source=source,
                allow_invalid=allow_invalid,
                progress=progress,
            )
    except imports.FileRejected as exc:
        import_run.message = " ".join(exc.messages)
        imports.import_run_record(
            import_run=import_run, report=imports.ImportReport(), status=ImportRun.Status.REJECTED
        )
        import_run_audit(import_run=import_run)
        raise
    except imports.InvalidRows as exc:
        imports.import_run_record(
            import_run=import_run, report=exc.report, status=ImportRun.Status.REJECTED
        )
        import_run_audit(import_run=import_run)
        raise
    except ValidationError as exc:
        _fail(import_run.pk, " ".join(exc.messages))
        raise
    return import_run


RESUME_AFTER = timezone.timedelta(minutes=2)
STALLED_CHECK_AFTER = timezone.timedelta(minutes=30)


def import_runs_resume(*, older_than: timezone.timedelta = RESUME_AFTER) -> int:
    """Re-send the jobs of runs stuck waiting: accepted while the broker was down, or
    whose worker died (a check stalled for STALLED_CHECK_AFTER included). Both jobs
    are idempotent (validation rewrites only its report; apply locks the run and
    re-checks its status), so re-sending a job that is in fact still running is
    harmless. Returns how many were re-sent."""
    now = timezone.now()
    waiting = Q(
        status__in=[ImportRun.Status.PENDING, ImportRun.Status.IMPORTING],
        created_at__lt=now - older_than,
    )
    # A check whose worker died mid-file leaves the run "validating"; a live check of a
    # 200 MB file takes a minute or two, so only one this old is taken for dead.
    stalled = Q(status=ImportRun.Status.VALIDATING, created_at__lt=now - STALLED_CHECK_AFTER)
    stuck = list(ImportRun.objects.filter(waiting | stalled).values_list("pk", "status"))
    for pk, status in stuck:
        if status == ImportRun.Status.IMPORTING:
            enqueue.import_apply(import_run_id=pk)
        else:
            enqueue.import_validate(import_run_id=pk)
    return len(stuck)


def identity_map_load(*, upload: UploadedFile, created_by) -> ImportRun:
    """Load an identity-map file (the identity-map page), all or nothing, recorded as an
    import run: done with its counts, or refused with every bad row by line (the file
    kept, so its bad rows can be downloaded). A file that is not an identity map at all
    (empty, not UTF-8, a wrong header) is refused with a ValidationError and nothing is
    stored, as on the upload page."""
    if not upload.size:
        raise ValidationError("The file is empty: choose a CSV file with a header row and data.")
    imports.check_file_size(upload.size)
    name = PurePath(upload.name or "identity-map.csv").name[:255]
    import_run = ImportRun(
        kind=ImportRun.Kind.IDENTITY_MAP,
        original_name=name,
        created_by=created_by,
        status=ImportRun.Status.IMPORTING,
        bytes_total=upload.size,
        bytes_done=upload.size,
    )
    import_run.file.save(name, upload, save=False)
    import_run.save()
    try:
        with import_run.file.open("rb") as source:
            report = connectors.tool_logins_import(source=source)
    except connectors.LoginRowsInvalid as exc:
        failed = exc.report
        import_run.message = " ".join(exc.messages)
        imports.import_run_record(
            import_run=import_run,
            report=imports.ImportReport(
                rows_total=failed.rows_total,
                rows_valid=failed.rows_total - len(failed.errors),
                rows_invalid=len(failed.errors),
                errors=failed.errors,
            ),
            status=ImportRun.Status.REJECTED,
        )
        import_run_audit(import_run=import_run)
        return import_run
    except ValidationError:
        import_run.file.delete(save=False)
        import_run.delete()
        raise
    import_run.message = (
        f"{report.created:,} logins added, {report.closed:,} ended (passed to someone "
        f"else), {report.unchanged:,} already known."
    )
    imports.import_run_record(
        import_run=import_run,
        report=imports.ImportReport(
            rows_total=report.rows_total,
            rows_valid=report.rows_total,
            rows_inserted=report.created,
            rows_duplicate=report.unchanged,
        ),
        status=ImportRun.Status.DONE,
    )
    import_run_audit(import_run=import_run)
    return import_run
