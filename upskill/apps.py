from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate


def _grant_ld_admin_permissions(sender, **kwargs):
    # Runs after django.contrib.auth has created this app's permissions (its handler is
    # connected first), for every app that is migrated.
    from upskill.services import ld_admin_permissions_grant

    ld_admin_permissions_grant(app_label=sender.label)


class UpskillConfig(AppConfig):
    name = "upskill"
    verbose_name = "Organisation"

    def ready(self) -> None:
        post_migrate.connect(_grant_ld_admin_permissions, dispatch_uid="upskill-ld-admin-perms")
        from upskill.middleware import session_clock_start

        user_logged_in.connect(session_clock_start, dispatch_uid="upskill-session-clock")
