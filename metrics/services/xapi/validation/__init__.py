"""Strict validation of a whole xAPI 1.0.3 statement (xAPI-Data.md, part two).

Every member is checked, including those Upskill never reads: a statement the
specification calls invalid is refused whole, whatever part of it is wrong. Each problem
is "<property path> <what is wrong>", e.g. "actor.mbox must be a mailto: IRI".

What is enforced: property names exactly as the spec spells them (case included) and
nothing else outside extensions; no null anywhere outside extensions; objectType values;
exactly one inverse functional identifier per Agent and Identified Group, Agents only as
Group members; UUIDs in standard form, variant 2; IRIs absolute; language maps keyed by
RFC 5646 tags with string values; ISO 8601 timestamps in the extended format with a time
zone that is not "-00:00"; ISO 8601 durations (PnYnMnDTnHnMnS or PnW); scores within
their bounds; interaction components only where their interactionType allows them;
"revision" and "platform" only when the object is an Activity; a voiding statement's
object a StatementRef; a SubStatement without id, stored, version or authority and not
nesting another SubStatement; attachments that point to a fileUrl (this receiver takes
JSON bodies, not multipart ones).

Parts, in the order a statement is read: `grammar` (patterns and property names),
`times` (timestamps, durations), `primitives` (the checks the others are made of),
`agents`, `objects` (verbs, activities, statement references), `results`, `context`,
`attachments`, `statement` (the whole, and `statement_problems`). Callers import from
`metrics.services.xapi.validation`.
"""

from metrics.services.xapi.validation.grammar import (
    AGENT_KEYS,
    ATTACHMENT_KEYS,
    COMPONENT_LISTS,
    CONTEXT_ACTIVITY_KEYS,
    CONTEXT_KEYS,
    DEFINITION_KEYS,
    DURATION,
    GROUP_KEYS,
    IFIS,
    INTERACTION_COMPONENTS,
    IRI,
    LANGUAGE_TAG,
    MAILTO,
    RESULT_KEYS,
    SCORE_KEYS,
    SHA1,
    SHA2,
    STATEMENT_KEYS,
    SUBSTATEMENT_KEYS,
    SUPPORTED_VERSION,
    TIMESTAMP,
    UUID,
    VOIDED,
)
from metrics.services.xapi.validation.statement import OBJECT_TYPES, statement_problems
from metrics.services.xapi.validation.times import duration_seconds, parse_timestamp

__all__ = [
    "AGENT_KEYS",
    "ATTACHMENT_KEYS",
    "COMPONENT_LISTS",
    "CONTEXT_ACTIVITY_KEYS",
    "CONTEXT_KEYS",
    "DEFINITION_KEYS",
    "DURATION",
    "GROUP_KEYS",
    "IFIS",
    "INTERACTION_COMPONENTS",
    "IRI",
    "LANGUAGE_TAG",
    "MAILTO",
    "OBJECT_TYPES",
    "RESULT_KEYS",
    "SCORE_KEYS",
    "SHA1",
    "SHA2",
    "STATEMENT_KEYS",
    "SUBSTATEMENT_KEYS",
    "SUPPORTED_VERSION",
    "TIMESTAMP",
    "UUID",
    "VOIDED",
    "duration_seconds",
    "parse_timestamp",
    "statement_problems",
]
