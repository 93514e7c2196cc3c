"""What import_activity and import_outcomes share: the service's one-pass import
(`metrics.services.file_import`), a progress bar on a terminal, a summary, and a
non-zero exit for a refused file."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from metrics import services

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
        try:
            import_run = services.file_import(
                kind=self.kind, path=file, allow_invalid=import_valid, progress=self._progress()
            )
        except services.FileRejected as exc:
            raise CommandError(f"{file.name} was rejected: {exc.messages[0]}") from None
        except services.InvalidRows as exc:
            self._report_errors(exc.report.errors, exc.report.rows_invalid)
            raise CommandError(
                f"{exc.messages[0]} Re-run with --import-valid to import the "
                f"{exc.report.rows_valid:,} valid rows."
            ) from None
        except ValidationError as exc:
            raise CommandError(f"{file.name} was not imported: {' '.join(exc.messages)}") from None
        if self.stdout.isatty():
            self.stdout.write("")
        self._report_errors(import_run.row_errors, import_run.rows_invalid)
        for reason, rows in import_run.rows_skipped.items():
            self.stdout.write(f"left out: {rows:,} rows — {reason}")
        if import_run.unmatched_logins:
            self.stderr.write(
                f"{sum(import_run.unmatched_logins.values()):,} rows of "
                f"{len(import_run.unmatched_logins):,} logins the identity map does not know "
                "(not imported; add them with import_tool_logins):"
            )
            for login, rows in list(import_run.unmatched_logins.items())[:SHOWN_ERRORS]:
                self.stderr.write(f"  {login}: {rows:,} rows")
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {file.name}: {import_run.rows_total:,} rows, "
                f"{import_run.rows_inserted:,} new, "
                f"{import_run.rows_duplicate:,} already imported, "
                f"{import_run.rows_invalid:,} invalid."
            )
        )

    def _report_errors(self, errors: list[dict], rows_invalid: int) -> None:
        for error in errors[:SHOWN_ERRORS]:
            self.stderr.write(f"line {error['line']}: {error['reason']}")
        if rows_invalid > SHOWN_ERRORS:
            self.stderr.write(f"... and {rows_invalid - SHOWN_ERRORS:,} more bad rows")
