"""Metrics views by area: the dashboard (and its export, the impact planner), imports,
and xAPI (the statement resource, its mapping and API keys). Every view is re-exported."""

from metrics.views.dashboard import (
    dashboard,
    dashboard_export,
    impact_planner,
)
from metrics.views.imports import (
    identity_map,
    import_list,
    import_run,
    import_run_bad_rows,
    import_run_cancel,
    import_run_confirm,
    import_sample,
    import_template,
)
from metrics.views.xapi import (
    xapi_about,
    xapi_activity_mapping_delete,
    xapi_key_revoke,
    xapi_keys,
    xapi_mapping,
    xapi_resource,
    xapi_statements,
    xapi_verb_mapping_delete,
)

__all__ = [
    "identity_map",
    "dashboard",
    "dashboard_export",
    "impact_planner",
    "import_list",
    "import_run",
    "import_run_bad_rows",
    "import_run_cancel",
    "import_run_confirm",
    "import_sample",
    "import_template",
    "xapi_about",
    "xapi_activity_mapping_delete",
    "xapi_key_revoke",
    "xapi_keys",
    "xapi_mapping",
    "xapi_resource",
    "xapi_statements",
    "xapi_verb_mapping_delete",
]
