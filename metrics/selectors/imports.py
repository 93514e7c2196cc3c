"""Reads for the import pages and the xAPI keys that feed imports."""

from __future__ import annotations

from metrics.models import ImportRun, OutcomeMeasure, XapiKey

RECENT_IMPORT_RUNS = 20  # a page of the import runs
SHOWN_ROW_ERRORS = 100
CREDENTIALS_PER_PAGE = 20  # a page of the xAPI keys


def outcome_measure_keys() -> list[str]:
    """The keys an outcomes file may name, for its column rules (one query)."""
    return list(OutcomeMeasure.objects.order_by("key").values_list("key", flat=True))


def import_runs_recent():
    """The import runs, newest first, with who started them: page them,
    RECENT_IMPORT_RUNS a page (a count and a page: two queries)."""
    return ImportRun.objects.select_related("created_by").order_by("-created_at", "-pk")


def import_run_errors_shown(import_run) -> tuple[list[dict], int]:
    """The bad rows to list on the page, and how many more there are."""
    shown = import_run.row_errors[:SHOWN_ROW_ERRORS]
    return shown, import_run.rows_invalid - len(shown)


def xapi_keys():
    """Every key, newest first: page them, CREDENTIALS_PER_PAGE a page."""
    return XapiKey.objects.select_related("created_by").order_by("-created_at", "-pk")
