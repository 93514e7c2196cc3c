"""Reads for the import pages and the xAPI keys that feed imports."""

from __future__ import annotations

from metrics.models import ImportRun, OutcomeMeasure, XapiKey

RECENT_IMPORT_RUNS = 20
SHOWN_ROW_ERRORS = 100


def outcome_measure_keys() -> list[str]:
    """The keys an outcomes file may name, for its column rules (one query)."""
    return list(OutcomeMeasure.objects.order_by("key").values_list("key", flat=True))


def import_runs_recent(limit: int = RECENT_IMPORT_RUNS):
    """The latest import runs, newest first, with who started them (one query)."""
    return ImportRun.objects.select_related("created_by").order_by("-created_at", "-pk")[:limit]


def import_run_errors_shown(import_run) -> tuple[list[dict], int]:
    """The bad rows to list on the page, and how many more there are."""
    shown = import_run.row_errors[:SHOWN_ROW_ERRORS]
    return shown, import_run.rows_invalid - len(shown)


def xapi_keys():
    return XapiKey.objects.select_related("created_by").order_by("-created_at", "-pk")
