from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from metrics.services.connectors import LoginRowsInvalid, tool_logins_import


class Command(BaseCommand):
    help = (
        "Load the identity map from a CSV employee_id,system,login[,valid_from], all or "
        "nothing (README, Connecting your tools)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, file: Path, **options):
        if not file.is_file():
            raise CommandError(f"{file} is not a file.")
        try:
            with file.open("rb") as source:
                report = tool_logins_import(source=source)
        except LoginRowsInvalid as exc:
            for error in exc.report.errors[:50]:
                self.stderr.write(f"line {error['line']}: {error['reason']}")
            raise CommandError(exc.messages[0]) from None
        except ValidationError as exc:
            raise CommandError(f"{file.name} was not imported: {' '.join(exc.messages)}") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Loaded {file.name}: {report.rows_total:,} rows, {report.created:,} logins "
                f"added, {report.closed:,} ended (passed to someone else), "
                f"{report.unchanged:,} already known."
            )
        )
