"""A whole statement or SubStatement, and the one public check: statement_problems."""

from __future__ import annotations

from metrics.services.xapi.validation.agents import _actor
from metrics.services.xapi.validation.attachments import _attachments
from metrics.services.xapi.validation.context import _context
from metrics.services.xapi.validation.grammar import (
    STATEMENT_KEYS,
    SUBSTATEMENT_KEYS,
    SUPPORTED_VERSION,
    VOIDED,
)
from metrics.services.xapi.validation.objects import _activity, _statement_ref, _verb
from metrics.services.xapi.validation.primitives import (
    _kind,
    _object,
    _present,
    _Problems,
    _string,
    _timestamp,
    _uuid,
)
from metrics.services.xapi.validation.results import _result

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
