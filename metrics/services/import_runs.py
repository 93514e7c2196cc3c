"""The upload flow around the importer: store the file, validate it in a job, let the
admin confirm "import the N valid rows", apply in a job, then roll up the buckets."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F

from metrics.models import ImportRun
from metrics.services import imports


def _progress_writer(import_run: ImportRun):
    """Progress goes straight to the row with an UPDATE (autocommitted while validating,
    so the polling page sees it; inside apply's transaction it is invisible until the
    end, and the page shows an indeterminate bar instead)."""

    def write(done: int, total: int) -> None:
        ImportRun.objects.filter(pk=import_run.pk).update(bytes_done=done, bytes_total=total)

    return write


@transaction.atomic
def import_run_create(*, kind: str, upload: UploadedFile, created_by) -> ImportRun:
    """Store an uploaded file and queue its validation."""
    from metrics import tasks

    if kind not in ImportRun.Kind.values:
        raise ValidationError(f"Unknown import kind {kind!r}: choose activity or outcomes.")
    imports.check_file_size(upload.size)
    import_run = ImportRun(
        kind=kind,
        original_name=(upload.name or "upload.csv")[:255],
        created_by=created_by,
        bytes_total=upload.size,
    )
    import_run.file.save(upload.name or "upload.csv", upload, save=False)
    import_run.save()
    tasks.import_validate.delay_on_commit(import_run.pk)
    return import_run


def import_validate(*, import_run_id: int) -> ImportRun:
    """Check every row of the stored file and record the report; writes no raw rows."""
    import_run = ImportRun.objects.get(pk=import_run_id)
    if import_run.status not in (ImportRun.Status.PENDING, ImportRun.Status.VALIDATING):
        return import_run  # a redelivered message for a run that has moved on
    import_run.status = ImportRun.Status.VALIDATING
    import_run.save(update_fields=["status"])
    try:
        with import_run.file.open("rb") as source:
            report = imports.import_file_validate(
                kind=import_run.kind, source=source, progress=_progress_writer(import_run)
            )
    except imports.FileRejected as exc:
        import_run.refresh_from_db()
        import_run.message = " ".join(exc.messages)
        imports.import_run_record(
            import_run=import_run, report=imports.ImportReport(), status=ImportRun.Status.REJECTED
        )
        return import_run
    import_run.refresh_from_db()
    imports.import_run_record(
        import_run=import_run, report=report, status=ImportRun.Status.VALIDATED
    )
    return import_run


@transaction.atomic
def import_run_confirm(*, import_run: ImportRun, rows_valid: int) -> ImportRun:
    """The admin saw the report and chose to import the valid rows."""
    from metrics import tasks

    import_run = ImportRun.objects.select_for_update().get(pk=import_run.pk)
    if import_run.status != ImportRun.Status.VALIDATED:
        raise ValidationError(
            f"This import is {import_run.get_status_display().lower()}; only a checked file "
            "waiting for confirmation can be imported."
        )
    if rows_valid != import_run.rows_valid or not rows_valid:
        raise ValidationError(
            "There are no valid rows to import; fix the file and upload it again."
        )
    import_run.status = ImportRun.Status.IMPORTING
    import_run.save(update_fields=["status"])
    tasks.import_apply.delay_on_commit(import_run.pk)
    return import_run


def import_apply(*, import_run_id: int) -> ImportRun:
    """Write the confirmed valid rows (one transaction), then queue the rollup.

    Safe to run twice (a redelivered task after a killed worker): the file applies in one
    transaction, and a finished run is left alone."""
    from metrics import tasks

    import_run = ImportRun.objects.get(pk=import_run_id)
    if import_run.status != ImportRun.Status.IMPORTING:
        return import_run
    try:
        with transaction.atomic(), import_run.file.open("rb") as source:
            report = imports.import_file_apply(
                kind=import_run.kind,
                source=source,
                import_run=import_run,
                allow_invalid=True,
                expected_valid=import_run.rows_valid,
            )
            imports.import_run_record(
                import_run=import_run, report=report, status=ImportRun.Status.DONE
            )
            ImportRun.objects.filter(pk=import_run.pk).update(bytes_done=F("bytes_total"))
            tasks.rollup_incremental.delay_on_commit()
    except ValidationError as exc:
        import_run.refresh_from_db()
        import_run.status = ImportRun.Status.FAILED
        import_run.message = " ".join(exc.messages)
        import_run.save(update_fields=["status", "message"])
    return import_run
