"""Verbs and the objects a statement can be about: Activities (with their definitions
and interaction components) and StatementRefs."""

from __future__ import annotations

from metrics.services.xapi.validation.grammar import (
    COMPONENT_LISTS,
    DEFINITION_KEYS,
    INTERACTION_COMPONENTS,
)
from metrics.services.xapi.validation.primitives import (
    _extensions,
    _iri,
    _kind,
    _language_map,
    _object,
    _present,
    _Problems,
    _required,
    _string,
    _uuid,
)


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
