"""A statement's context: registration, instructor, team, context activities, revision,
platform, language, the statement it refers to."""

from __future__ import annotations

from metrics.services.xapi.validation.agents import _actor, _group
from metrics.services.xapi.validation.grammar import (
    CONTEXT_ACTIVITY_KEYS,
    CONTEXT_KEYS,
    LANGUAGE_TAG,
)
from metrics.services.xapi.validation.objects import _activity, _statement_ref
from metrics.services.xapi.validation.primitives import (
    _extensions,
    _object,
    _pattern,
    _present,
    _Problems,
    _string,
    _uuid,
)


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
