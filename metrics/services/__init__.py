"""Writes for metrics. Re-exports its parts so callers use `metrics.services.<name>`."""

from metrics.services.commitments import commitment_check_ins_compute
from metrics.services.import_runs import (
    import_apply,
    import_run_cancel,
    import_run_confirm,
    import_run_create,
    import_runs_resume,
    import_validate,
    upload_check,
)
from metrics.services.imports import (
    FileRejected,
    ImportReport,
    InvalidRows,
    dirty_buckets_mark,
    import_file_apply,
    import_file_validate,
)
from metrics.services.rollups import (
    ACTIVITY_METRICS,
    RollupResult,
    rollup_catch_up,
    rollup_incremental,
    rollup_rebuild,
)
from metrics.services.xapi import (
    StatementsRejected,
    StatementsResult,
    statements_decode,
    statements_record,
    xapi_key_authenticate,
    xapi_key_create,
    xapi_key_revoke,
)

__all__ = [
    "ACTIVITY_METRICS",
    "FileRejected",
    "ImportReport",
    "InvalidRows",
    "RollupResult",
    "commitment_check_ins_compute",
    "dirty_buckets_mark",
    "import_apply",
    "import_file_apply",
    "import_file_validate",
    "import_run_cancel",
    "import_run_confirm",
    "import_run_create",
    "import_runs_resume",
    "import_validate",
    "rollup_catch_up",
    "rollup_incremental",
    "rollup_rebuild",
    "StatementsRejected",
    "StatementsResult",
    "statements_decode",
    "statements_record",
    "upload_check",
    "xapi_key_authenticate",
    "xapi_key_create",
    "xapi_key_revoke",
]
