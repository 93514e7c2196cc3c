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
"""

from __future__ import annotations

import datetime as dt
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


class _Problems(list):
    """The problems found so far, each "path message"."""

    def add(self, path: str, message: str) -> None:
        self.append(f"{path} {message}")


def parse_timestamp(text: str) -> dt.datetime | None:
    """The moment an xAPI timestamp names (UTC when it carries no zone), or None if it is
    not one. Extended format only; "-00:00" (an unknown offset in ISO 8601) is refused."""
    match = TIMESTAMP.fullmatch(text)
    if not match:
        return None
    zone = match["zone"]
    if zone and zone[0] == "-" and not zone[1:].replace(":", "").strip("0"):
        return None
    if zone in (None, "Z"):
        tz = dt.UTC
    else:
        digits = zone[1:].replace(":", "")
        hours, minutes = int(digits[:2]), int(digits[2:] or 0)
        if hours > 23 or minutes > 59:
            return None
        offset = dt.timedelta(hours=hours, minutes=minutes)
        tz = dt.timezone(-offset if zone[0] == "-" else offset)
    fraction = (match["fraction"] or "0")[:6].ljust(6, "0")
    try:
        return dt.datetime(
            int(match["year"]),
            int(match["month"]),
            int(match["day"]),
            int(match["hour"]),
            int(match["minute"]),
            int(match["second"]),
            int(fraction),
            tzinfo=tz,
        )
    except ValueError:
        return None


def duration_seconds(text: str) -> float | None:
    """Seconds in an ISO 8601 duration (a year counted as 365 days, a month as 30), or
    None if the text is not one."""
    match = DURATION.fullmatch(text) if isinstance(text, str) else None
    if not match:
        return None
    parts = {
        name: float(value.replace(",", ".")) if value else 0.0
        for name, value in match.groupdict().items()
    }
    days = parts["weeks"] * 7 + parts["years"] * 365 + parts["months"] * 30 + parts["days"]
    return days * 86_400 + parts["hours"] * 3_600 + parts["minutes"] * 60 + parts["seconds"]


def _kind(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


def _object(problems: _Problems, value, path: str, allowed: set[str]) -> bool:
    """True if value is an object whose keys are all allowed (reporting those that are
    not, with the spelling meant when only the case differs); nulls are reported too."""
    if not isinstance(value, dict):
        problems.add(path, f"must be an object, not {_kind(value)}")
        return False
    by_lower = {name.lower(): name for name in allowed}
    for key, member in value.items():
        where = f"{path}.{key[:80]}" if path else key[:80]
        if key not in allowed:
            meant = by_lower.get(key.lower())
            hint = f" (property names are case sensitive: {meant!r})" if meant else ""
            problems.add(where, f"is not an xAPI property here{hint}")
        elif member is None:
            problems.add(where, "is null; leave the property out instead")
    return True


def _present(value: dict, key: str) -> bool:
    return value.get(key) is not None


def _string(problems: _Problems, value, path: str) -> bool:
    if not isinstance(value, str):
        problems.add(path, f"must be a string, not {_kind(value)}")
        return False
    return True


def _pattern(problems: _Problems, value, path: str, pattern: re.Pattern, what: str) -> None:
    if _string(problems, value, path) and not pattern.fullmatch(value):
        problems.add(path, f"{value[:80]!r} is not {what}")


def _iri(problems: _Problems, value, path: str) -> None:
    _pattern(problems, value, path, IRI, "an absolute IRI")


def _uuid(problems: _Problems, value, path: str) -> None:
    _pattern(problems, value, path, UUID, "a UUID in standard form (RFC 4122 variant 2)")


def _boolean(problems: _Problems, value, path: str) -> None:
    if not isinstance(value, bool):
        problems.add(path, f"must be true or false, not {_kind(value)}")


def _number(problems: _Problems, value, path: str) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | float):
        problems.add(path, f"must be a number, not {_kind(value)}")
        return False
    return True


def _timestamp(problems: _Problems, value, path: str) -> None:
    if _string(problems, value, path) and parse_timestamp(value) is None:
        problems.add(
            path,
            f"{value[:80]!r} is not an ISO 8601 timestamp like 2025-03-03T10:00:00.000Z "
            "(a negative zero offset, -00:00, is not allowed)",
        )


def _language_map(problems: _Problems, value, path: str) -> None:
    if not isinstance(value, dict):
        problems.add(path, f"must be a language map (an object), not {_kind(value)}")
        return
    for tag, text in value.items():
        if not LANGUAGE_TAG.fullmatch(tag):
            problems.add(f"{path}.{tag}", "is not an RFC 5646 language tag")
        elif not isinstance(text, str):
            problems.add(f"{path}.{tag}", f"must be a string, not {_kind(text)}")


def _extensions(problems: _Problems, value, path: str) -> None:
    if not isinstance(value, dict):
        problems.add(path, f"must be an object, not {_kind(value)}")
        return
    for key in value:
        if not IRI.fullmatch(key):
            problems.add(f"{path}.{key[:80]}", "is not an IRI (extension keys must be IRIs)")


def _required(problems: _Problems, value: dict, key: str, path: str, check) -> None:
    """A property that must be there: reported when absent, checked when present (a null
    is reported by _object)."""
    if key not in value:
        problems.add(f"{path}.{key}", "is required")
    elif value[key] is not None:
        check(problems, value[key], f"{path}.{key}")


def _account(problems: _Problems, value, path: str) -> None:
    if not _object(problems, value, path, {"homePage", "name"}):
        return
    _required(problems, value, "homePage", path, _iri)
    _required(problems, value, "name", path, _string)


def _identifiers(problems: _Problems, value: dict, path: str) -> int:
    """Check each inverse functional identifier present; return how many there are."""
    present = [name for name in IFIS if name in value]
    for name in present:
        member, where = value[name], f"{path}.{name}"
        if member is None:
            continue  # reported by _object
        if name == "mbox":
            _pattern(problems, member, where, MAILTO, "a mailto: IRI (mailto:name@example.com)")
        elif name == "mbox_sha1sum":
            _pattern(problems, member, where, SHA1, "a hex SHA-1 (40 characters)")
        elif name == "openid":
            _iri(problems, member, where)
        else:
            _account(problems, member, where)
    return len(present)


def _agent(problems: _Problems, value, path: str, *, object_type_required: bool = False) -> None:
    if not _object(problems, value, path, AGENT_KEYS):
        return
    object_type = value.get("objectType")
    if object_type_required and object_type is None:
        problems.add(f"{path}.objectType", 'is required here ("Agent")')
    elif object_type is not None and object_type != "Agent":
        problems.add(f"{path}.objectType", f'must be "Agent", not {object_type!r}')
    if _present(value, "name"):
        _string(problems, value["name"], f"{path}.name")
    count = _identifiers(problems, value, path)
    if count != 1:
        problems.add(
            path,
            f"has {count} inverse functional identifiers; an Agent needs exactly one of "
            "mbox, mbox_sha1sum, openid, account",
        )


def _group(problems: _Problems, value, path: str) -> None:
    if not _object(problems, value, path, GROUP_KEYS):
        return
    if _present(value, "name"):
        _string(problems, value["name"], f"{path}.name")
    count = _identifiers(problems, value, path)
    if count > 1:
        problems.add(path, f"has {count} inverse functional identifiers; a Group has at most one")
    members = value.get("member")
    if count == 0 and "member" not in value:
        problems.add(f"{path}.member", "is required for an anonymous Group (no identifier)")
    if members is None:
        return
    if not isinstance(members, list):
        problems.add(f"{path}.member", f"must be an array of Agents, not {_kind(members)}")
        return
    for index, member in enumerate(members):
        where = f"{path}.member[{index}]"
        if isinstance(member, dict) and member.get("objectType") == "Group":
            problems.add(where, "is a Group; a Group's members are Agents")
        else:
            _agent(problems, member, where)


def _actor(problems: _Problems, value, path: str, *, as_object: bool = False) -> None:
    """An Agent or a Group (an actor, instructor, authority; as an object, objectType is
    required)."""
    if isinstance(value, dict) and value.get("objectType") == "Group":
        _group(problems, value, path)
    else:
        _agent(problems, value, path, object_type_required=as_object)


def _verb(problems: _Problems, value, path: str) -> None:
    if not _object(problems, value, path, {"id", "display"}):
        return
    _required(problems, value, "id", path, _iri)
    if _present(value, "display"):
        _language_map(problems, value["display"], f"{path}.display")


def _components(problems: _Problems, value, path: str) -> None:
    if not isinstance(value, list):
        problems.add(path, f"must be an array of interaction components, not {_kind(value)}")
        return
    seen: set[str] = set()
    for index, component in enumerate(value):
        where = f"{path}[{index}]"
        if not _object(problems, component, where, {"id", "description"}):
            continue
        if "id" not in component:
            problems.add(f"{where}.id", "is required")
        elif _string(problems, component["id"], f"{where}.id"):
            if component["id"] in seen:
                problems.add(f"{where}.id", f"{component['id'][:40]!r} repeats an earlier id")
            seen.add(component["id"])
        if _present(component, "description"):
            _language_map(problems, component["description"], f"{where}.description")


def _definition(problems: _Problems, value, path: str) -> None:
    if not _object(problems, value, path, DEFINITION_KEYS):
        return
    for key in ("name", "description"):
        if _present(value, key):
            _language_map(problems, value[key], f"{path}.{key}")
    for key in ("type", "moreInfo"):
        if _present(value, key):
            _iri(problems, value[key], f"{path}.{key}")
    interaction = value.get("interactionType")
    if interaction is not None and interaction not in INTERACTION_COMPONENTS:
        problems.add(
            f"{path}.interactionType",
            f"{str(interaction)[:40]!r} is not one of {', '.join(INTERACTION_COMPONENTS)}",
        )
    if _present(value, "correctResponsesPattern"):
        pattern = value["correctResponsesPattern"]
        where = f"{path}.correctResponsesPattern"
        if interaction is None:
            problems.add(where, "is only allowed with an interactionType")
        if not isinstance(pattern, list) or not all(isinstance(item, str) for item in pattern):
            problems.add(where, "must be an array of strings")
    allowed = INTERACTION_COMPONENTS.get(interaction, set())
    for key in COMPONENT_LISTS:
        if not _present(value, key):
            continue
        if key not in allowed:
            problems.add(
                f"{path}.{key}",
                f"is not allowed for interactionType {interaction!r}"
                if interaction
                else "is only allowed with an interactionType that uses it",
            )
        _components(problems, value[key], f"{path}.{key}")
    if _present(value, "extensions"):
        _extensions(problems, value["extensions"], f"{path}.extensions")


def _activity(problems: _Problems, value, path: str) -> None:
    if not _object(problems, value, path, {"objectType", "id", "definition"}):
        return
    if value.get("objectType") not in (None, "Activity"):
        problems.add(f"{path}.objectType", f'must be "Activity", not {value["objectType"]!r}')
    _required(problems, value, "id", path, _iri)
    if _present(value, "definition"):
        _definition(problems, value["definition"], f"{path}.definition")


def _statement_ref(problems: _Problems, value, path: str) -> None:
    if not _object(problems, value, path, {"objectType", "id"}):
        return
    if value.get("objectType") != "StatementRef":
        problems.add(f"{path}.objectType", 'must be "StatementRef"')
    _required(problems, value, "id", path, _uuid)


OBJECT_TYPES = ("Activity", "Agent", "Group", "StatementRef", "SubStatement")


def _statement_object(problems: _Problems, value, path: str, *, in_substatement: bool) -> None:
    if not isinstance(value, dict):
        problems.add(path, f"must be an object, not {_kind(value)}")
        return
    object_type = value.get("objectType", "Activity")
    if object_type == "Activity":
        _activity(problems, value, path)
    elif object_type in ("Agent", "Group"):
        _actor(problems, value, path, as_object=True)
    elif object_type == "StatementRef":
        _statement_ref(problems, value, path)
    elif object_type == "SubStatement":
        if in_substatement:
            problems.add(f"{path}.objectType", "a SubStatement cannot contain a SubStatement")
        else:
            _statement(problems, value, path, substatement=True)
    else:
        problems.add(
            f"{path}.objectType",
            f"{str(object_type)[:40]!r} is not one of {', '.join(OBJECT_TYPES)}",
        )


def _result(problems: _Problems, value, path: str) -> None:
    if not _object(problems, value, path, RESULT_KEYS):
        return
    if _present(value, "score"):
        _score(problems, value["score"], f"{path}.score")
    for key in ("success", "completion"):
        if _present(value, key):
            _boolean(problems, value[key], f"{path}.{key}")
    if _present(value, "response"):
        _string(problems, value["response"], f"{path}.response")
    if _present(value, "duration"):
        duration = value["duration"]
        if _string(problems, duration, f"{path}.duration") and duration_seconds(duration) is None:
            problems.add(
                f"{path}.duration",
                f"{duration[:40]!r} is not an ISO 8601 duration like PT1H30M or P1W",
            )
    if _present(value, "extensions"):
        _extensions(problems, value["extensions"], f"{path}.extensions")


def _score(problems: _Problems, value, path: str) -> None:
    if not _object(problems, value, path, SCORE_KEYS):
        return
    numbers = {
        key: value[key]
        for key in SCORE_KEYS
        if _present(value, key) and _number(problems, value[key], f"{path}.{key}")
    }
    if "scaled" in numbers and not -1 <= numbers["scaled"] <= 1:
        problems.add(f"{path}.scaled", f"{numbers['scaled']} is outside -1 to 1")
    low, high, raw = numbers.get("min"), numbers.get("max"), numbers.get("raw")
    if low is not None and high is not None and low >= high:
        problems.add(f"{path}.max", f"{high} must be greater than min {low}")
    if raw is not None and low is not None and raw < low:
        problems.add(f"{path}.raw", f"{raw} is below min {low}")
    if raw is not None and high is not None and raw > high:
        problems.add(f"{path}.raw", f"{raw} is above max {high}")


def _context(problems: _Problems, value, path: str, object_is_activity: bool) -> None:
    if not _object(problems, value, path, CONTEXT_KEYS):
        return
    if _present(value, "registration"):
        _uuid(problems, value["registration"], f"{path}.registration")
    if _present(value, "instructor"):
        _actor(problems, value["instructor"], f"{path}.instructor")
    if _present(value, "team"):
        team = value["team"]
        if not isinstance(team, dict) or team.get("objectType") != "Group":
            problems.add(f"{path}.team", 'must be a Group (objectType "Group")')
        else:
            _group(problems, team, f"{path}.team")
    if _present(value, "contextActivities"):
        activities = value["contextActivities"]
        where = f"{path}.contextActivities"
        if _object(problems, activities, where, CONTEXT_ACTIVITY_KEYS):
            for key, member in activities.items():
                if key not in CONTEXT_ACTIVITY_KEYS or member is None:
                    continue
                items = member if isinstance(member, list) else [member]
                for index, item in enumerate(items):
                    shown = (
                        f"{where}.{key}[{index}]" if isinstance(member, list) else f"{where}.{key}"
                    )
                    _activity(problems, item, shown)
    for key in ("revision", "platform"):
        if _present(value, key):
            _string(problems, value[key], f"{path}.{key}")
            if not object_is_activity:
                problems.add(f"{path}.{key}", "is only allowed when the object is an Activity")
    if _present(value, "language"):
        _pattern(
            problems,
            value["language"],
            f"{path}.language",
            LANGUAGE_TAG,
            "an RFC 5646 language tag",
        )
    if _present(value, "statement"):
        _statement_ref(problems, value["statement"], f"{path}.statement")
    if _present(value, "extensions"):
        _extensions(problems, value["extensions"], f"{path}.extensions")


def _attachments(problems: _Problems, value, path: str) -> None:
    if not isinstance(value, list):
        problems.add(path, f"must be an array of attachments, not {_kind(value)}")
        return
    for index, attachment in enumerate(value):
        where = f"{path}[{index}]"
        if not _object(problems, attachment, where, ATTACHMENT_KEYS):
            continue
        for key in ("usageType", "display", "contentType", "length", "sha2"):
            if key not in attachment:
                problems.add(f"{where}.{key}", "is required")
        if _present(attachment, "usageType"):
            _iri(problems, attachment["usageType"], f"{where}.usageType")
        for key in ("display", "description"):
            if _present(attachment, key):
                _language_map(problems, attachment[key], f"{where}.{key}")
        if _present(attachment, "contentType"):
            _string(problems, attachment["contentType"], f"{where}.contentType")
        length = attachment.get("length")
        if length is not None and (
            isinstance(length, bool) or not isinstance(length, int) or length < 0
        ):
            problems.add(f"{where}.length", "must be a whole number of bytes")
        if _present(attachment, "sha2"):
            _pattern(problems, attachment["sha2"], f"{where}.sha2", SHA2, "a hex SHA-2 digest")
        if "fileUrl" in attachment:
            if attachment["fileUrl"] is not None:
                _iri(problems, attachment["fileUrl"], f"{where}.fileUrl")
        else:
            problems.add(
                f"{where}.fileUrl",
                "is required here: Upskill takes statements as JSON, not attachment data "
                "in a multipart/mixed request",
            )


def _statement(problems: _Problems, value: dict, path: str, *, substatement: bool) -> None:
    allowed = SUBSTATEMENT_KEYS if substatement else STATEMENT_KEYS
    if not _object(problems, value, path, allowed):
        return
    prefix = f"{path}." if path else ""
    for key in ("actor", "verb", "object"):
        if key not in value:
            problems.add(f"{prefix}{key}", "is required")
    if not substatement and _present(value, "id"):
        _uuid(problems, value["id"], f"{prefix}id")
    if _present(value, "actor"):
        _actor(problems, value["actor"], f"{prefix}actor")
    if _present(value, "verb"):
        _verb(problems, value["verb"], f"{prefix}verb")
    statement_object = value.get("object")
    if statement_object is not None:
        _statement_object(
            problems, statement_object, f"{prefix}object", in_substatement=substatement
        )
    verb = value.get("verb")
    if isinstance(verb, dict) and verb.get("id") == VOIDED:
        if substatement:
            problems.add(f"{prefix}verb.id", "a SubStatement cannot void a statement")
        elif (
            not isinstance(statement_object, dict)
            or statement_object.get("objectType") != "StatementRef"
        ):
            problems.add(
                f"{prefix}object.objectType", 'must be "StatementRef" in a voiding statement'
            )
    if _present(value, "result"):
        _result(problems, value["result"], f"{prefix}result")
    if _present(value, "context"):
        object_is_activity = (
            isinstance(statement_object, dict)
            and statement_object.get("objectType", "Activity") == "Activity"
        )
        _context(problems, value["context"], f"{prefix}context", object_is_activity)
    for key in ("timestamp", "stored"):
        if _present(value, key):
            _timestamp(problems, value[key], f"{prefix}{key}")
    if _present(value, "authority"):
        _actor(problems, value["authority"], f"{prefix}authority")
    if _present(value, "version"):
        version = value["version"]
        if _string(problems, version, f"{prefix}version") and not SUPPORTED_VERSION.fullmatch(
            version
        ):
            problems.add(f"{prefix}version", f"{version[:20]!r} is not an xAPI 1.0.x version")
    if _present(value, "attachments"):
        _attachments(problems, value["attachments"], f"{prefix}attachments")


def statement_problems(statement) -> list[str]:
    """Everything that makes `statement` invalid under xAPI 1.0.3; empty when it is valid."""
    problems = _Problems()
    if not isinstance(statement, dict):
        problems.add("statement", f"must be a JSON object, not {_kind(statement)}")
        return problems
    _statement(problems, statement, "", substatement=False)
    return [problem.strip() for problem in problems]
