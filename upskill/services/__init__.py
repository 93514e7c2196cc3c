"""Writes for the core app, by area: `organisation` (access groups and permissions),
`hr_sync` (the organisation from two HR CSV files), `scim` (a package: the organisation
from an identity provider over SCIM 2.0), `credentials` (the bearer secrets machines
present: SCIM tokens, xAPI keys), `sign_in` (single sign-on), `provisioning_hooks` (the
port through which the apps above upskill react to joiners). Callers import from
`upskill.services`."""

from upskill.services.credentials import (
    MAX_SECRET_LENGTH,
    NewSecret,
    credential_authenticate,
    credential_revoke,
    secret_digest,
    secret_generate,
)
from upskill.services.hr_sync import (
    HR_SYNC_FILES,
    HrPlan,
    HrSyncRejected,
    RowError,
    hr_sync_apply,
    hr_sync_plan,
)
from upskill.services.hr_sync_runs import (
    hr_sync_run_apply,
    hr_sync_run_cancel,
    hr_sync_run_confirm,
    hr_sync_run_create,
    hr_sync_run_plan,
)
from upskill.services.organisation import LD_ADMIN_APPS, ld_admin_permissions_grant
from upskill.services.provisioning_hooks import (
    PeopleProvisionedHook,
    people_provisioned_hook_register,
    people_provisioned_notify,
)
from upskill.services.scim import (
    TOKEN_PREFIX,
    UNASSIGNED_TEAM_ID,
    UNASSIGNED_TEAM_NAME,
    CreatedToken,
    ScimError,
    is_ld_admin_group,
    scim_connection_authenticate,
    scim_connection_create,
    scim_connection_revoke,
    scim_group_create,
    scim_group_delete,
    scim_group_patch,
    scim_group_replace,
    scim_user_create,
    scim_user_delete,
    scim_user_patch,
    scim_user_replace,
)
from upskill.services.sign_in import identity_sign_in, sign_in_event_record

__all__ = [
    "MAX_SECRET_LENGTH",
    "NewSecret",
    "credential_authenticate",
    "credential_revoke",
    "secret_digest",
    "secret_generate",
    "identity_sign_in",
    "sign_in_event_record",
    "TOKEN_PREFIX",
    "UNASSIGNED_TEAM_ID",
    "UNASSIGNED_TEAM_NAME",
    "CreatedToken",
    "ScimError",
    "is_ld_admin_group",
    "scim_connection_authenticate",
    "scim_connection_create",
    "scim_connection_revoke",
    "scim_group_create",
    "scim_group_delete",
    "scim_group_patch",
    "scim_group_replace",
    "scim_user_create",
    "scim_user_delete",
    "scim_user_patch",
    "scim_user_replace",
    "HR_SYNC_FILES",
    "LD_ADMIN_APPS",
    "HrPlan",
    "HrSyncRejected",
    "PeopleProvisionedHook",
    "RowError",
    "hr_sync_apply",
    "hr_sync_plan",
    "hr_sync_run_apply",
    "hr_sync_run_cancel",
    "hr_sync_run_confirm",
    "hr_sync_run_create",
    "hr_sync_run_plan",
    "ld_admin_permissions_grant",
    "people_provisioned_hook_register",
    "people_provisioned_notify",
]
