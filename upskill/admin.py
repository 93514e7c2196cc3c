from django.contrib import admin
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model

from upskill import cache
from upskill.models import JobRole, OutcomeMeasure, Person, Team, TeamChatPost


class FigureInputAdmin(admin.ModelAdmin):
    """The admin of a model the cached figures read (upskill.cache). The Django admin
    writes around the services, so it moves the inputs' generations on itself, inside
    the transaction the admin runs each change in: a save, its many-to-many fields and
    inlines (save_related), a delete, a bulk delete."""

    figure_inputs: tuple[str, ...] = ()

    def figures_changed(self) -> None:
        cache.inputs_changed(*self.figure_inputs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        self.figures_changed()

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        self.figures_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.figures_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        self.figures_changed()


# Users: a leaver (inactive) or a deleted user changes teams' people and leaders.
admin.site.unregister(get_user_model())


@admin.register(get_user_model())
class UserAdmin(FigureInputAdmin, auth_admin.UserAdmin):
    figure_inputs = (cache.ORGANISATION,)


@admin.register(Team)
class TeamAdmin(FigureInputAdmin):
    figure_inputs = (cache.ORGANISATION,)
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
class PersonAdmin(FigureInputAdmin):
    figure_inputs = (cache.ORGANISATION,)
    list_display = ["display_name", "email", "team", "job_role", "manager"]
    list_select_related = ["user", "team", "job_role", "manager__user"]
    list_filter = ["job_role", "team"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    autocomplete_fields = ["user", "team", "manager"]


@admin.register(OutcomeMeasure)
class OutcomeMeasureAdmin(FigureInputAdmin):
    figure_inputs = (cache.MEASURES,)
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
