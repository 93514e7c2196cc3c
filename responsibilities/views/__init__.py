"""Views for the shared-responsibility model, by area. Thin: parse with a form, ask the
access policy, call a service or selector, render the page or its htmx partial.

- `matrix`: the matrix, its rows edited in place, areas and commitments;
- `fulfilment`: fulfilment per commitment, team and period, and check-ins;
- `pulse`: the alignment pulse (open, close, answer, results);
- `standoff`: the standoff score.
"""

from responsibilities.views.fulfilment import check_in_record, fulfilment
from responsibilities.views.matrix import (
    area_create,
    area_raci_edit,
    area_row,
    commitment_create,
    commitment_edit,
    commitment_set_active,
    matrix,
    matrix_print,
)
from responsibilities.views.pulse import (
    pulse_answer,
    pulse_close,
    pulse_list,
    pulse_nudge,
    pulse_open,
    pulse_results,
)
from responsibilities.views.standoff import standoff

__all__ = [
    "area_create",
    "area_raci_edit",
    "area_row",
    "check_in_record",
    "commitment_create",
    "commitment_edit",
    "commitment_set_active",
    "fulfilment",
    "matrix",
    "matrix_print",
    "pulse_answer",
    "pulse_close",
    "pulse_list",
    "pulse_nudge",
    "pulse_open",
    "pulse_results",
    "standoff",
]
