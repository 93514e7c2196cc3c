"""The SCIM 2.0 protocol (RFC 7643/7644) as Upskill speaks it at /scim/v2/: the
representations of users and groups (`representations`), PATCH on them (`patch`), the
discovery documents (`discovery`), the error (`errors`), the response bodies
(`responses`) and the URLs (`urls`). The endpoints are `upskill.views.scim`, the writes
`upskill.services.scim`, the reads `upskill.selectors.scim`. Callers import from
`upskill.scim`."""

from upskill.scim.discovery import (
    ALWAYS_SET,
    ENTERPRISE_ATTRIBUTES,
    GROUP_ATTRIBUTES,
    READ_ONLY,
    USER_ATTRIBUTES,
    resource_type_documents,
    schema_documents,
    service_provider_config_document,
)
from upskill.scim.errors import ScimError, invalid
from upskill.scim.patch import attribute_key, patch_apply
from upskill.scim.representations import (
    ENTERPRISE,
    GENERATED_PREFIXES,
    GROUP_SCHEMA,
    LD_ADMIN_GROUP_ID,
    RETURNED_ON_REQUEST,
    UNASSIGNED_ROLE,
    USER_SCHEMA,
    group_representation,
    representation_project,
    user_representation,
)
from upskill.scim.responses import (
    CONTENT_TYPE,
    ERROR_SCHEMA,
    LIST_SCHEMA,
    list_response,
    resource_location,
    scim_error_response,
    scim_response,
)

__all__ = [
    "ALWAYS_SET",
    "CONTENT_TYPE",
    "ENTERPRISE",
    "ENTERPRISE_ATTRIBUTES",
    "ERROR_SCHEMA",
    "GENERATED_PREFIXES",
    "GROUP_ATTRIBUTES",
    "GROUP_SCHEMA",
    "LD_ADMIN_GROUP_ID",
    "LIST_SCHEMA",
    "READ_ONLY",
    "RETURNED_ON_REQUEST",
    "UNASSIGNED_ROLE",
    "USER_ATTRIBUTES",
    "USER_SCHEMA",
    "ScimError",
    "attribute_key",
    "group_representation",
    "invalid",
    "list_response",
    "patch_apply",
    "representation_project",
    "resource_location",
    "resource_type_documents",
    "schema_documents",
    "scim_error_response",
    "scim_response",
    "service_provider_config_document",
    "user_representation",
]
