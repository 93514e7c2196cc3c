from django.apps import AppConfig


def _enrol_by_standing_rules(person_ids: list[int]) -> None:
    from pathways.services.builder import pathway_assignments_apply

    # A long id list would pass SQLite's bound-parameter limit; applying every rule to
    # everyone is the same set-based work and only adds missing enrolments.
    pathway_assignments_apply(person_ids=person_ids if len(person_ids) <= 900 else None)


class PathwaysConfig(AppConfig):
    name = "pathways"
    verbose_name = "Learning pathways"

    def ready(self) -> None:
        # A malformed BADGE_SIGNING_KEY or BADGE_RETIRED_SIGNING_KEYS stops the start
        # here, naming the variable, in every process (web, worker, manage.py), like a
        # malformed value in upskill/settings.py; settings cannot decode it themselves
        # without importing pathways.
        from pathways.services.badges import signing_keys_configured

        signing_keys_configured()

        # Joiners (and movers, and people with a new role) provisioned by HR sync or
        # SCIM get the standing assignment rules of their team and role in the same
        # transaction, not at the next hourly run (upskill.services.provisioning_hooks).
        from upskill.services import people_provisioned_hook_register

        people_provisioned_hook_register(_enrol_by_standing_rules)

        from pathways.notifications import due_dates_notify
        from upskill.notifications import due_job_register

        due_job_register("pathways-due-dates", due_dates_notify)

        # What the builder's destructive actions ask first (upskill/confirmation.py).
        from pathways.confirmations import CONFIRMATIONS
        from upskill.confirmation import confirmation_register

        for name, ask in CONFIRMATIONS.items():
            confirmation_register(name, ask)
