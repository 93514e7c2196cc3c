"""The pathway builder: L&D admins design and run pathways.

Every view here is for L&D admins only (`ld_admin_required`: anonymous users go to the
login page, everyone else gets 403), including the htmx endpoints — a client can ask for
a partial directly. Each view serves a full page, and for `request.htmx` the partial
that htmx swaps; edits to a pathway's structure answer htmx with the whole
`#pathway-structure` partial, so the order, the publish check and the step list never
disagree on screen.

A package by part (pathways, editor, catalogue); the views are re-exported here for
pathways/urls.py.
"""

from pathways.views.builder.catalogue import (
    competency_create,
    product_archive,
    product_edit,
    product_row,
    products,
    rubric_cell,
    rubric_edit,
    rubrics,
)
from pathways.views.builder.editor import (
    pathway_editor,
    stage_create,
    stage_delete,
    stage_edit,
    stages_reorder,
    step_create,
    step_delete,
    step_edit,
    step_restore,
    steps_reorder,
)
from pathways.views.builder.pathways import (
    assign_people,
    assignment_remove,
    pathway_archive,
    pathway_assign,
    pathway_create,
    pathway_duplicate,
    pathway_edit,
    pathway_list,
    pathway_preview,
    pathway_publish,
)

__all__ = [
    "assignment_remove",
    "competency_create",
    "pathway_archive",
    "assign_people",
    "pathway_assign",
    "pathway_create",
    "pathway_duplicate",
    "pathway_edit",
    "pathway_editor",
    "pathway_list",
    "pathway_preview",
    "pathway_publish",
    "product_archive",
    "product_edit",
    "product_row",
    "products",
    "rubric_cell",
    "rubric_edit",
    "rubrics",
    "stage_create",
    "stage_delete",
    "stage_edit",
    "stages_reorder",
    "step_create",
    "step_delete",
    "step_edit",
    "step_restore",
    "steps_reorder",
]
