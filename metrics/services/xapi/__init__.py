"""The xAPI 1.0.3 receiver: keys, strict validation, mapping to activity, storage."""

from metrics.services.xapi.keys import (
    KEY_PREFIX,
    CreatedKey,
    xapi_key_authenticate,
    xapi_key_create,
    xapi_key_revoke,
)
from metrics.services.xapi.mapping import (
    DEFAULT_VERBS,
    duration_minutes,
    statement_map,
    xapi_activity_mapping_delete,
    xapi_activity_mapping_set,
    xapi_verb_mapping_delete,
    xapi_verb_mapping_set,
)
from metrics.services.xapi.receiver import (
    MAX_DEPTH,
    MAX_STRING,
    SUPPORTED_VERSIONS,
    XAPI_SOURCE,
    StatementConflict,
    StatementsRejected,
    StatementsResult,
    about,
    statement_get,
    statements_decode,
    statements_store,
)
from metrics.services.xapi.validation import statement_problems

__all__ = [
    "DEFAULT_VERBS",
    "KEY_PREFIX",
    "MAX_DEPTH",
    "MAX_STRING",
    "SUPPORTED_VERSIONS",
    "XAPI_SOURCE",
    "CreatedKey",
    "StatementConflict",
    "StatementsRejected",
    "StatementsResult",
    "about",
    "duration_minutes",
    "statement_get",
    "statement_map",
    "statement_problems",
    "statements_decode",
    "statements_store",
    "xapi_activity_mapping_delete",
    "xapi_activity_mapping_set",
    "xapi_key_authenticate",
    "xapi_key_create",
    "xapi_key_revoke",
    "xapi_verb_mapping_delete",
    "xapi_verb_mapping_set",
]
