"""Reads for the shared-responsibility model. Each function runs a fixed number of
queries whatever the number of areas, teams, periods or answers.

- `matrix`: the responsibility matrix (areas x parties, RACI letters, commitments);
- `fulfilment`: delivered / target per commitment, team and period;
- `pulse`: the alignment pulse's aggregated, suppressed results;
- `standoff`: each team's standoff score at each pulse.
"""

from responsibilities.selectors.fulfilment import (
    AMBER_AT,
    EMPLOYER_PARTIES,
    GREEN_AT,
    TEAM_CHOICES_MAX,
    TEAMS_PER_PAGE,
    FulfilmentCell,
    FulfilmentRow,
    OverviewRow,
    commitments_for_teams,
    fulfilment_overview,
    fulfilment_rows,
    fulfilment_team_ids,
    fulfilment_teams,
    support_summaries,
    team_fulfilment,
)
from responsibilities.selectors.matrix import MatrixRow, matrix_row, responsibility_matrix
from responsibilities.selectors.pulse import (
    GROUPS,
    SIDES,
    AreaResult,
    Distribution,
    PulseResults,
    answered_area_ids,
    open_survey,
    pulse_results,
    surveys_with_counts,
)
from responsibilities.selectors.standoff import StandoffScore, pulses_taken, standoff_scores

__all__ = [
    "AMBER_AT",
    "TEAM_CHOICES_MAX",
    "TEAMS_PER_PAGE",
    "EMPLOYER_PARTIES",
    "GREEN_AT",
    "GROUPS",
    "SIDES",
    "AreaResult",
    "Distribution",
    "FulfilmentCell",
    "FulfilmentRow",
    "MatrixRow",
    "OverviewRow",
    "PulseResults",
    "StandoffScore",
    "answered_area_ids",
    "commitments_for_teams",
    "fulfilment_overview",
    "fulfilment_rows",
    "fulfilment_team_ids",
    "support_summaries",
    "fulfilment_teams",
    "matrix_row",
    "open_survey",
    "pulse_results",
    "pulses_taken",
    "responsibility_matrix",
    "standoff_scores",
    "surveys_with_counts",
    "team_fulfilment",
]
