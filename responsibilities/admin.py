from django.contrib import admin

from responsibilities.models import (
    AlignmentSurvey,
    Commitment,
    CommitmentCheckIn,
    RaciAssignment,
    ResponsibilityArea,
)
from upskill import cache
from upskill.admin import FigureInputAdmin


class RaciInline(admin.TabularInline):
    model = RaciAssignment
    extra = 0


@admin.register(ResponsibilityArea)
class ResponsibilityAreaAdmin(FigureInputAdmin):
    figure_inputs = (cache.MATRIX,)
    list_display = ["name", "owner_side", "position"]
    list_filter = ["owner_side"]
    search_fields = ["name"]
    prepopulated_fields = {"key": ["name"]}
    inlines = [RaciInline]


@admin.register(RaciAssignment)
class RaciAssignmentAdmin(FigureInputAdmin):
    figure_inputs = (cache.MATRIX,)
    list_display = ["area", "party", "letter"]
    list_filter = ["party", "letter"]
    list_select_related = ["area"]


@admin.register(Commitment)
class CommitmentAdmin(FigureInputAdmin):
    figure_inputs = (cache.COMMITMENTS,)
    list_display = ["title", "area", "party", "target", "unit", "period", "is_active"]
    list_filter = ["party", "period", "is_active", "area"]
    list_select_related = ["area"]
    search_fields = ["title"]
    filter_horizontal = ["teams"]


@admin.register(CommitmentCheckIn)
class CommitmentCheckInAdmin(FigureInputAdmin):
    figure_inputs = (cache.COMMITMENTS,)
    list_display = ["commitment", "team", "period_start", "value"]
    list_filter = ["team"]
    list_select_related = ["commitment", "team"]
    date_hierarchy = "period_start"


@admin.register(AlignmentSurvey)
class AlignmentSurveyAdmin(FigureInputAdmin):
    figure_inputs = (cache.PULSES,)
    list_display = ["title", "status", "opens_at", "closes_at"]
    list_filter = ["status"]


# No admin for AlignmentAnswer: answers are only ever read in aggregate, through the
# pulse results (upskill.privacy). An admin list, even without the person column, could
# be filtered to one person (?person=<id>) — issue 15's seventh way.
