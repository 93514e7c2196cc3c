"""Metrics models, by area; every name is re-exported so callers use `metrics.models`."""

from metrics.models.connectors import ToolLogin, ToolMilestone, ToolRecord
from metrics.models.impact import ImpactEstimate
from metrics.models.records import (
    ActivityRecord,
    ImportRun,
    OutcomeMeasure,
    OutcomeObservation,
    RollupAttribution,
    RollupDirtyBucket,
    RollupState,
    RollupTeamGeneration,
    WeeklyRollup,
)
from metrics.models.xapi import XapiActivityMapping, XapiKey, XapiStatement, XapiVerbMapping

__all__ = [
    "ActivityRecord",
    "ImpactEstimate",
    "ImportRun",
    "OutcomeMeasure",
    "OutcomeObservation",
    "RollupAttribution",
    "RollupDirtyBucket",
    "RollupState",
    "RollupTeamGeneration",
    "ToolLogin",
    "ToolMilestone",
    "ToolRecord",
    "WeeklyRollup",
    "XapiActivityMapping",
    "XapiKey",
    "XapiStatement",
    "XapiVerbMapping",
]
