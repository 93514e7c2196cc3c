from django.contrib import admin

from metrics import services
from metrics.models import (
    ActivityRecord,
    ImportRun,
    OutcomeObservation,
    WeeklyRollup,
)
from upskill.admin import FigureInputAdmin


@admin.register(ActivityRecord)
class ActivityRecordAdmin(admin.ModelAdmin):
    list_display = ["person", "kind", "minutes", "occurred_at", "pathway", "source"]
    list_filter = ["kind", "source"]
    list_select_related = ["person__user", "pathway"]
    raw_id_fields = ["person", "pathway", "step", "import_run"]
    date_hierarchy = "occurred_at"
    show_full_result_count = False  # a COUNT(*) over millions of rows per page view


@admin.register(OutcomeObservation)
class OutcomeObservationAdmin(admin.ModelAdmin):
    list_display = ["measure", "team", "period_start", "value", "sample_size", "source"]
    list_filter = ["measure", "source"]
    list_select_related = ["measure", "team"]
    raw_id_fields = ["team", "import_run"]
    show_full_result_count = False


@admin.register(ImportRun)
class ImportRunAdmin(admin.ModelAdmin):
    list_display = ["__str__", "original_name", "rows_total", "rows_inserted", "created_at"]
    list_filter = ["kind", "status"]


@admin.register(WeeklyRollup)
class WeeklyRollupAdmin(FigureInputAdmin):
    def figures_changed(self) -> None:
        # Rollup rows edited by hand: a new rollup generation, as after a rollup.
        services.rollup_rows_edited()

    list_display = ["team", "week_start", "pathway", "metric", "value", "people"]
    list_filter = ["metric"]
    list_select_related = ["team", "pathway"]
    show_full_result_count = False
