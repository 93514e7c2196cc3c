"""The checks every part of a statement is made of: objects and their property names,
strings, patterns, numbers, language maps, extensions."""

from __future__ import annotations

import re

from metrics.services.xapi.validation.grammar import IRI, LANGUAGE_TAG, UUID
from metrics.services.xapi.validation.times import parse_timestamp


class _Problems(list):
    """The problems found so far, each "path message"."""

    def add(self, path: str, message: str) -> None:
        self.append(f"{path} {message}")


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
