from django.contrib import admin

from upskill.models import JobRole, OutcomeMeasure, Person, Team, TeamChatPost


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "parent"]
    list_select_related = ["parent"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    filter_horizontal = ["leaders"]


@admin.register(JobRole)
class JobRoleAdmin(admin.ModelAdmin):
    list_display = ["name"]
    search_fields = ["name"]


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["display_name", "email", "team", "job_role", "manager"]
    list_select_related = ["user", "team", "job_role", "manager__user"]
    list_filter = ["job_role", "team"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user", "team", "manager"]


@admin.register(OutcomeMeasure)
class OutcomeMeasureAdmin(admin.ModelAdmin):
    # Which pathways target a measure is edited on the pathway (its targeted_measures).
    list_display = ["key", "name", "unit", "direction"]
    prepopulated_fields = {"key": ["name"]}


@admin.register(TeamChatPost)
class TeamChatPostAdmin(admin.ModelAdmin):
    """Read-only: the delivery record of team chat posts (webhooks are set in the app)."""

    list_display = ["subject", "team", "kind", "state", "attempts", "last_error", "created_at"]
    list_select_related = ["team"]
    list_filter = ["state", "kind"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
