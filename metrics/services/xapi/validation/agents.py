"""Agents and Groups: actors, instructors, authorities, team and Group members."""

from __future__ import annotations

from metrics.services.xapi.validation.grammar import AGENT_KEYS, GROUP_KEYS, IFIS, MAILTO, SHA1
from metrics.services.xapi.validation.primitives import (
    _iri,
    _kind,
    _object,
    _pattern,
    _present,
    _Problems,
    _required,
    _string,
)


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
