from django.urls import path

from responsibilities import views

app_name = "responsibilities"
urlpatterns = [
    path("responsibilities/", views.matrix, name="matrix"),
    path("responsibilities/print/", views.matrix_print, name="matrix_print"),
    path("responsibilities/areas/new/", views.area_create, name="area_create"),
    path("responsibilities/areas/<int:pk>/row/", views.area_row, name="area_row"),
    path("responsibilities/areas/<int:pk>/raci/", views.area_raci_edit, name="area_raci_edit"),
    path(
        "responsibilities/areas/<int:area_pk>/commitments/new/",
        views.commitment_create,
        name="commitment_create",
    ),
    path(
        "responsibilities/commitments/<int:pk>/edit/",
        views.commitment_edit,
        name="commitment_edit",
    ),
    path(
        "responsibilities/commitments/<int:pk>/active/",
        views.commitment_set_active,
        name="commitment_set_active",
    ),
    path(
        "responsibilities/commitments/<int:pk>/teams/<int:team_pk>/check-in/",
        views.check_in_record,
        name="check_in_record",
    ),
    path("responsibilities/fulfilment/", views.fulfilment, name="fulfilment"),
    path("responsibilities/pulse/", views.pulse_list, name="pulse_list"),
    path("responsibilities/pulse/open/", views.pulse_open, name="pulse_open"),
    path("responsibilities/pulse/nudge/", views.pulse_nudge, name="pulse_nudge"),
    path("responsibilities/pulse/<int:pk>/close/", views.pulse_close, name="pulse_close"),
    path("responsibilities/pulse/<int:pk>/answer/", views.pulse_answer, name="pulse_answer"),
    path("responsibilities/pulse/<int:pk>/results/", views.pulse_results, name="pulse_results"),
    path("responsibilities/standoff/", views.standoff, name="standoff"),
]
