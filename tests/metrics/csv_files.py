"""Import files for the tests, their headers taken from the importer's own column
definitions, so a change of format changes every test file with it. (What the README
documents is pinned separately: the upload page test checks the header it shows.)"""

import io
from collections.abc import Iterable
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile

from metrics import services
from metrics.models import ImportRun

ACTIVITY_HEADER = ",".join(services.ACTIVITY_HEADER)
OUTCOME_HEADER = ",".join(services.OUTCOME_HEADER)


def csv_text(header: str, rows: Iterable[str]) -> str:
    """The header line, then each row; every line ends in a newline."""
    return "".join(f"{line}\n" for line in (header, *rows))


def activity_csv(*rows: str) -> str:
    return csv_text(ACTIVITY_HEADER, rows)


def outcome_csv(*rows: str) -> str:
    return csv_text(OUTCOME_HEADER, rows)


def activity_file_write(path: Path, rows: Iterable[str]) -> Path:
    """An activity file on disk (for the commands and stored import runs)."""
    path.write_text(csv_text(ACTIVITY_HEADER, rows))
    return path


def csv_upload(text: str | bytes, name: str = "activity.csv") -> SimpleUploadedFile:
    """What the browser sends for a chosen file."""
    body = text.encode() if isinstance(text, str) else text
    return SimpleUploadedFile(name, body, content_type="text/csv")


def file_apply(kind: str, text: str | bytes, *, allow_invalid: bool = False):
    """Apply a file straight through the importer, on a fresh ImportRun; its report."""
    body = text.encode() if isinstance(text, str) else text
    return services.import_file_apply(
        kind=kind,
        source=io.BytesIO(body),
        import_run=ImportRun.objects.create(kind=kind),
        allow_invalid=allow_invalid,
    )
