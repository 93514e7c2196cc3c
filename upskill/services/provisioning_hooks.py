"""The one port from provisioning (HR sync, SCIM) up to the apps that build on people.

upskill imports no other app, yet a joiner must get the standing pathway assignment rules
of their team and role in the same run, not at the next hourly job. So the apps register
a hook here in their AppConfig.ready() — pathways registers its assignment-rule
application — and provisioning calls every hook, inside its own transaction, with the
ids of the people it created, reactivated, moved or gave a new role:

    # pathways/apps.py
    def ready(self):
        from upskill.services import people_provisioned_hook_register
        people_provisioned_hook_register(enrol_by_standing_rules)

A hook takes `person_ids: list[int]`, works set-based (a constant number of queries
whatever the count: HR sync passes up to every person at once) and is safe to re-run.
If it raises, the whole sync or SCIM request is rolled back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

PeopleProvisionedHook = Callable[[list[int]], object]

_hooks: list[PeopleProvisionedHook] = []


def people_provisioned_hook_register(hook: PeopleProvisionedHook) -> None:
    """Call `hook(person_ids)` after every provisioning run; registering twice is a no-op."""
    if hook not in _hooks:
        _hooks.append(hook)


def people_provisioned_notify(*, person_ids: Sequence[int]) -> None:
    ids = sorted(set(person_ids))
    if not ids:
        return
    for hook in list(_hooks):
        hook(ids)
