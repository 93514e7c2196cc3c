from django.urls import path

from metrics import views

app_name = "metrics"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/export.csv", views.dashboard_export, name="dashboard_export"),
    path("dashboard/impact-planner/", views.impact_planner, name="impact_planner"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:pk>/", views.import_run, name="import_run"),
    path("imports/<int:pk>/confirm/", views.import_run_confirm, name="import_run_confirm"),
    path("imports/<int:pk>/cancel/", views.import_run_cancel, name="import_run_cancel"),
    path("imports/<int:pk>/bad-rows.csv", views.import_run_bad_rows, name="import_run_bad_rows"),
    path("imports/api-keys/", views.xapi_keys, name="xapi_keys"),
    path("imports/api-keys/<int:pk>/revoke/", views.xapi_key_revoke, name="xapi_key_revoke"),
    path("imports/xapi-mapping/", views.xapi_mapping, name="xapi_mapping"),
    path(
        "imports/xapi-mapping/verbs/<int:pk>/delete/",
        views.xapi_verb_mapping_delete,
        name="xapi_verb_mapping_delete",
    ),
    path(
        "imports/xapi-mapping/activities/<int:pk>/delete/",
        views.xapi_activity_mapping_delete,
        name="xapi_activity_mapping_delete",
    ),
    path("imports/templates/<str:kind>.csv", views.import_template, name="import_template"),
    path("imports/samples/<str:kind>/", views.import_sample, name="import_sample"),
    path("imports/identity-map/", views.identity_map, name="identity_map"),
    # The LRS base is /xapi/ (clients add "statements", "about"); no trailing slashes.
    path("xapi/statements", views.xapi_statements, name="xapi_statements"),
    path("xapi/about", views.xapi_about, name="xapi_about"),
]
