"""Writes for metrics. Re-exports its parts so callers use `metrics.services.<name>`."""

from metrics.services.commitments import commitment_check_ins_compute
from metrics.services.rollups import ACTIVITY_METRICS, RollupResult, rollup_rebuild

__all__ = [
    "ACTIVITY_METRICS",
    "RollupResult",
    "commitment_check_ins_compute",
    "rollup_rebuild",
]
