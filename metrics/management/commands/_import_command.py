"""What import_activity and import_outcomes share: validate and apply a file in one pass,
a progress bar on a terminal, a summary, and a non-zero exit for a refused file."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from metrics import services, tasks
from metrics.models import ImportRun

SHOWN_ERRORS = 50


class ImportCommand(BaseCommand):
    kind: str

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--import-valid",
            action="store_true",
            help="Import the valid rows even if some rows are bad (they are reported).",
        )

    def _progress(self):
        if not self.stdout.isatty():
            return None

        def show(done: int, total: int) -> None:
            share = done / total if total else 1
            bar = "#" * int(share * 40)
            self.stdout.write(f"\r[{bar:<40}] {share:4.0%}", ending="")
            self.stdout.flush()

        return show

    def handle(self, *args, file: Path, import_valid: bool = False, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        import_run = ImportRun.objects.create(
            kind=self.kind, original_name=file.name[:255], status=ImportRun.Status.IMPORTING
        )
        try:
            with file.open("rb") as source:
                report = services.import_file_apply(
                    kind=self.kind,
                    source=source,
                    import_run=import_run,
                    allow_invalid=import_valid,
                    progress=self._progress(),
                )
        except services.FileRejected as exc:
            import_run.status, import_run.message = ImportRun.Status.REJECTED, exc.messages[0]
            import_run.save()
            raise CommandError(f"{file.name} was rejected: {exc.messages[0]}") from None
        except services.InvalidRows as exc:
            services.imports.import_run_record(
                import_run=import_run, report=exc.report, status=ImportRun.Status.REJECTED
            )
            self._report_errors(exc.report)
            raise CommandError(
                f"{exc.messages[0]} Re-run with --import-valid to import the "
                f"{exc.report.rows_valid:,} valid rows."
            ) from None
        if self.stdout.isatty():
            self.stdout.write("")
        services.imports.import_run_record(
            import_run=import_run, report=report, status=ImportRun.Status.DONE
        )
        self._report_errors(report)
        if report.rows_inserted:
            tasks.rollup_incremental.delay()  # committed already: no transaction is open
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {file.name}: {report.rows_total:,} rows, "
                f"{report.rows_inserted:,} new, {report.rows_duplicate:,} already imported, "
                f"{report.rows_invalid:,} invalid."
            )
        )

    def _report_errors(self, report):
        for error in report.errors[:SHOWN_ERRORS]:
            self.stderr.write(f"line {error['line']}: {error['reason']}")
        if report.rows_invalid > SHOWN_ERRORS:
            self.stderr.write(f"... and {report.rows_invalid - SHOWN_ERRORS:,} more bad rows")
