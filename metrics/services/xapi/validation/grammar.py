"""The forms xAPI 1.0.3 writes values in (patterns) and the property names each
object may carry."""

import re

VOIDED = "http://adlnet.gov/expapi/verbs/voided"
SUPPORTED_VERSION = re.compile(r"1\.0(\.\d+)?")

UUID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
)
IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>\"{}|\\^`]+")
MAILTO = re.compile(r"mailto:[^@\s]+@[^@\s]+")
SHA1 = re.compile(r"[0-9a-fA-F]{40}")
SHA2 = re.compile(r"[0-9a-fA-F]{56}|[0-9a-fA-F]{64}|[0-9a-fA-F]{96}|[0-9a-fA-F]{128}")
# RFC 5646's general shape: a 2-8 letter primary subtag (or x-/i- for private and
# grandfathered tags) then 1-8 alphanumeric subtags.
LANGUAGE_TAG = re.compile(r"(?:[A-Za-z]{2,8}|[xXiI])(?:-[A-Za-z0-9]{1,8})*")
TIMESTAMP = re.compile(
    r"(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})"
    r"T(?P<hour>\d{2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.(?P<fraction>\d+))?"
    r"(?P<zone>Z|[+-]\d{2}(?::?\d{2})?)?"
)
_NUMBER = r"\d+(?:[.,]\d+)?"
DURATION = re.compile(
    rf"P(?:(?P<weeks>{_NUMBER})W|(?=\d|T\d)"
    rf"(?:(?P<years>{_NUMBER})Y)?(?:(?P<months>{_NUMBER})M)?(?:(?P<days>{_NUMBER})D)?"
    rf"(?:T(?=\d)(?:(?P<hours>{_NUMBER})H)?(?:(?P<minutes>{_NUMBER})M)?"
    rf"(?:(?P<seconds>{_NUMBER})S)?)?)"
)
INTERACTION_COMPONENTS = {
    "choice": {"choices"},
    "sequencing": {"choices"},
    "likert": {"scale"},
    "matching": {"source", "target"},
    "performance": {"steps"},
    "true-false": set(),
    "fill-in": set(),
    "long-fill-in": set(),
    "numeric": set(),
    "other": set(),
}
COMPONENT_LISTS = ("choices", "scale", "source", "target", "steps")
IFIS = ("mbox", "mbox_sha1sum", "openid", "account")

STATEMENT_KEYS = {
    "id", "actor", "verb", "object", "result", "context", "timestamp", "stored",
    "authority", "version", "attachments",
}  # fmt: skip
SUBSTATEMENT_KEYS = {
    "objectType", "actor", "verb", "object", "result", "context", "timestamp", "attachments",
}  # fmt: skip
AGENT_KEYS = {"objectType", "name", *IFIS}
GROUP_KEYS = {*AGENT_KEYS, "member"}
DEFINITION_KEYS = {
    "name", "description", "type", "moreInfo", "interactionType", "correctResponsesPattern",
    *COMPONENT_LISTS, "extensions",
}  # fmt: skip
CONTEXT_KEYS = {
    "registration", "instructor", "team", "contextActivities", "revision", "platform",
    "language", "statement", "extensions",
}  # fmt: skip
CONTEXT_ACTIVITY_KEYS = {"parent", "grouping", "category", "other"}
RESULT_KEYS = {"score", "success", "completion", "response", "duration", "extensions"}
SCORE_KEYS = {"scaled", "raw", "min", "max"}
ATTACHMENT_KEYS = {
    "usageType",
    "display",
    "description",
    "contentType",
    "length",
    "sha2",
    "fileUrl",
}
