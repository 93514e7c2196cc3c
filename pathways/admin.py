from django.contrib import admin
from django.db import models

from pathways.models import (
    Competency,
    ConfidenceRating,
    Enrollment,
    Pathway,
    PathwayAssignment,
    Product,
    Recognition,
    RoleRubric,
    Stage,
    Step,
    StepFeedback,
    StepProgress,
)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "is_archived"]
    list_filter = ["kind", "is_archived"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Competency)
class CompetencyAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(RoleRubric)
class RoleRubricAdmin(admin.ModelAdmin):
    list_display = ["job_role", "competency", "updated_at"]
    list_filter = ["job_role", "competency"]
    list_select_related = ["job_role", "competency"]


class StageInline(admin.TabularInline):
    model = Stage
    extra = 0


@admin.register(Pathway)
class PathwayAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "published_at"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    filter_horizontal = ["products", "target_roles", "targeted_measures"]
    inlines = [StageInline]


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    list_display = ["pathway", "position", "title", "kind", "is_sequential"]
    list_filter = ["kind", "pathway"]
    list_select_related = ["pathway"]
    search_fields = ["title", "pathway__title"]


@admin.register(Step)
class StepAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "kind", "pathway", "stage", "position", "is_archived"]
    list_filter = ["kind", "pathway", "is_archived"]
    list_select_related = ["pathway", "stage"]
    search_fields = ["key", "title"]
    autocomplete_fields = ["stage", "prerequisites"]


@admin.register(Enrollment)
class EnrollmentAdmin(admin.ModelAdmin):
    list_display = ["person", "pathway", "source", "due_date", "completed_at"]
    list_filter = ["pathway", "source"]
    list_select_related = ["person__user", "pathway"]
    autocomplete_fields = ["person"]


@admin.register(StepProgress)
class StepProgressAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "step", "status", "rubric_level", "updated_at"]
    list_filter = ["status"]
    list_select_related = ["enrollment__person__user", "enrollment__pathway", "step"]
    raw_id_fields = ["enrollment", "step", "reviewer"]
    # Django 6.0's default, adopted now (and silences its deprecation warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(StepFeedback)
class StepFeedbackAdmin(admin.ModelAdmin):
    """Feedback as the builder reads it: never who wrote it (the app's own pages hide
    the author too), not even through a ?person= filter. Read-only."""

    list_display = ["step", "useful", "comment", "created_at"]
    list_filter = ["useful"]
    list_select_related = ["step"]
    exclude = ["person"]
    readonly_fields = ["step", "useful", "comment", "created_at"]

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split("__")[0] == "person":
            return False
        return super().lookup_allowed(lookup, value, request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Recognition)
class RecognitionAdmin(admin.ModelAdmin):
    list_display = ["from_person", "to_person", "behaviour", "created_at"]
    list_filter = ["behaviour"]
    list_select_related = ["from_person__user", "to_person__user"]
    raw_id_fields = ["from_person", "to_person"]


@admin.register(ConfidenceRating)
class ConfidenceRatingAdmin(admin.ModelAdmin):
    list_display = ["enrollment", "moment", "stage", "rating", "created_at"]
    list_filter = ["moment", "rating"]
    list_select_related = ["enrollment__person__user", "enrollment__pathway", "stage"]
    raw_id_fields = ["enrollment", "stage"]


@admin.register(PathwayAssignment)
class PathwayAssignmentAdmin(admin.ModelAdmin):
    """Standing rules; people changed here or in the app are enrolled by the next hourly
    run of pathways.tasks.pathway_assignments_apply (or `manage.py apply_pathway_assignments`)."""

    list_display = ["pathway", "team", "include_subteams", "job_role", "due_date", "created_at"]
    list_select_related = ["pathway", "team", "job_role"]
    raw_id_fields = ["created_by"]
