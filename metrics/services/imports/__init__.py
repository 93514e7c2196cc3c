"""The one validating importer behind the CSV commands, the upload page and xAPI.

A file goes through the same parser twice at most:

1. validate: every row is checked; bad rows are reported with their line number and
   reason, nothing is written. A wrong header, a file over MAX_FILE_BYTES or a line over
   MAX_LINE_CHARS rejects the whole file.
2. apply: the file is parsed again (people or pathways may have changed since) and its
   valid rows are written in ONE transaction, deduplicated on (source, source_id). A
   worker killed mid-way rolls the whole file back, and running apply again inserts
   exactly what is missing, so the task is safe to redeliver.

On PostgreSQL valid rows stream through COPY straight into the table, in a savepoint;
if a source id is already there (a re-import, a repeat in the file, an overlapping
import) that fails and the rows are read again through a temporary staging table and
one INSERT ... SELECT ... ON CONFLICT DO NOTHING. On SQLite they go in batched inserts
that ignore conflicts. Both then mark the (team, week) buckets they touched as dirty,
in the same transaction, for the incremental rollup.

The modules, in the order a file goes through them: `formats` (limits, headers, the
report, reading lines), `validation` (look-ups and row parsers), `tables` (where each
kind is written), `writer` (picks `writer_pg` or `writer_orm`, marks dirty buckets) and
`passes` (validate, apply, and the xAPI endpoint's entry points).
"""

from metrics.services.imports.formats import (
    ACTIVITY_HEADER,
    BATCH_ROWS,
    CSV_SOURCE,
    HEADERS,
    KINDS,
    MAX_FILE_BYTES,
    MAX_LINE_CHARS,
    MAX_REPORTED_ERRORS,
    OUTCOME_HEADER,
    FileRejected,
    ImportReport,
    InvalidRows,
    Progress,
    check_file_size,
    header_mismatch_message,
    template_csv,
)
from metrics.services.imports.passes import (
    activity_rows_parse,
    activity_rows_write,
    import_file_apply,
    import_file_validate,
    import_run_record,
)
from metrics.services.imports.tables import (
    COPY_ESCAPES,
    COPY_NULL,
    RAW_TABLES,
    ParsedRows,
)
from metrics.services.imports.validation import (
    parse_activity,
    parse_moment,
    parse_outcome,
)
from metrics.services.imports.writer import (
    dirty_buckets_mark,
)
from metrics.services.imports.writer_pg import (
    COPY_CHUNK_LINES,
)

__all__ = [
    "header_mismatch_message",
    "template_csv",
    "ACTIVITY_HEADER",
    "BATCH_ROWS",
    "COPY_CHUNK_LINES",
    "COPY_ESCAPES",
    "COPY_NULL",
    "CSV_SOURCE",
    "FileRejected",
    "HEADERS",
    "ImportReport",
    "InvalidRows",
    "KINDS",
    "MAX_FILE_BYTES",
    "MAX_LINE_CHARS",
    "MAX_REPORTED_ERRORS",
    "OUTCOME_HEADER",
    "ParsedRows",
    "Progress",
    "RAW_TABLES",
    "activity_rows_parse",
    "activity_rows_write",
    "check_file_size",
    "dirty_buckets_mark",
    "import_file_apply",
    "import_file_validate",
    "import_run_record",
    "parse_activity",
    "parse_moment",
    "parse_outcome",
]
