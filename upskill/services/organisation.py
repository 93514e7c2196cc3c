"""Writes for the organisation core."""

from django.contrib.auth.models import Group, Permission

from upskill.access import LD_ADMINS_GROUP

# The apps whose models L&D admins may manage in the Django admin as well as in the app.
LD_ADMIN_APPS = ("upskill", "pathways", "responsibilities", "metrics")


def ld_admin_permissions_grant(*, app_label: str) -> int:
    """Give the "L&D admins" group every model permission of one of Upskill's apps, so
    its (staff) members can use the Django admin. Safe to re-run; returns how many."""
    if app_label not in LD_ADMIN_APPS:
        return 0
    group = Group.objects.filter(name=LD_ADMINS_GROUP).first()
    if group is None:
        return 0
    permissions = list(Permission.objects.filter(content_type__app_label=app_label))
    group.permissions.add(*permissions)
    return len(permissions)
