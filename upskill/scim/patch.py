"""RFC 7644 §3.5.2 PATCH on a resource's SCIM representation: add, replace and remove,
case-insensitive op names (Entra sends "Replace"), attribute paths, URN-prefixed extension
paths and value filters such as `members[value eq "42"]`. The result is written like a
PUT by the services: one code path for every change."""

from __future__ import annotations

import copy
import re

from upskill.scim.errors import invalid
from upskill.scim.representations import ENTERPRISE, GROUP_SCHEMA, USER_SCHEMA

_FILTERED = re.compile(
    r'^(?P<attr>[\w$]+)\[(?P<key>[\w$.]+)\s+eq\s+"(?P<value>[^"]*)"\](?:\.(?P<sub>[\w$]+))?$', re.I
)


def attribute_key(mapping: dict, name: str) -> str:
    """The key of `mapping` that is `name` case-insensitively (SCIM names are)."""
    for key in mapping:
        if key.lower() == name.lower():
            return key
    return name


def _merge(target: dict, values: dict, *, op: str) -> None:
    for name, value in values.items():
        if name.lower().startswith("urn:") and ":" in name and isinstance(value, dict):
            extension = target.setdefault(attribute_key(target, name), {})
            _merge(extension, value, op=op)
            continue
        if name.lower().startswith(ENTERPRISE.lower() + ":"):
            extension = target.setdefault(ENTERPRISE, {})
            _set(extension, name[len(ENTERPRISE) + 1 :], value, op=op)
            continue
        _set(target, name, value, op=op)


def _set(target: dict, path: str, value, *, op: str) -> None:
    if "." in path and "[" not in path:
        head, _, rest = path.partition(".")
        child = target.setdefault(attribute_key(target, head), {})
        if isinstance(child, list):  # emails.value: the primary (first) element
            child = child[0] if child else child.append({}) or child[0]
        _set(child, rest, value, op=op)
        return
    key = attribute_key(target, path)
    current = target.get(key)
    if op == "add" and isinstance(current, list):
        additions = value if isinstance(value, list) else [value]
        for item in additions:
            if item not in current:
                current.append(item)
    elif op == "add" and isinstance(current, dict) and isinstance(value, dict):
        current.update(value)
    else:
        target[key] = value


def patch_apply(representation: dict, operations: list) -> dict:
    """RFC 7644 §3.5.2 on a copy of `representation`: add, replace and remove."""
    result = copy.deepcopy(representation)
    if not isinstance(operations, list) or not operations:
        raise invalid("Operations must be a non-empty list.", "invalidSyntax")
    for operation in operations:
        if not isinstance(operation, dict):
            raise invalid("Each operation must be an object.", "invalidSyntax")
        op = str(operation.get(attribute_key(operation, "op"), "")).lower()
        path = operation.get(attribute_key(operation, "path"))
        value = operation.get(attribute_key(operation, "value"))
        if op not in ("add", "replace", "remove"):
            raise invalid(f"Unknown operation {op!r}: use add, replace or remove.", "invalidSyntax")
        if path is not None and not isinstance(path, str):
            raise invalid("path must be a string.", "invalidPath")
        if not path:
            if op == "remove":
                raise invalid("remove needs a path.", "noTarget")
            if not isinstance(value, dict):
                raise invalid("Without a path, value must be an object.", "invalidSyntax")
            _merge(result, value, op=op)
            continue
        target, path = result, path.strip()
        if path.lower() == ENTERPRISE.lower():
            if op == "remove":
                result.pop(ENTERPRISE, None)
            elif isinstance(value, dict):
                _merge(result.setdefault(ENTERPRISE, {}), value, op=op)
            else:
                raise invalid("The extension's value must be an object.", "invalidValue")
            continue
        if path.lower().startswith(ENTERPRISE.lower() + ":"):
            target = result.setdefault(ENTERPRISE, {})
            path = path[len(ENTERPRISE) + 1 :]
        elif path.lower().startswith(USER_SCHEMA.lower() + ":") or path.lower().startswith(
            GROUP_SCHEMA.lower() + ":"
        ):
            path = path.split(":")[-1]
        filtered = _FILTERED.match(path)
        if filtered:
            items = target.setdefault(attribute_key(target, filtered["attr"]), [])
            if not isinstance(items, list):
                raise invalid(f"{filtered['attr']} is not multi-valued.", "invalidPath")
            matching = [
                item
                for item in items
                if isinstance(item, dict)
                and str(item.get(attribute_key(item, filtered["key"]), "")).lower()
                == filtered["value"].lower()
            ]
            if op == "remove" and not filtered["sub"]:
                target[attribute_key(target, filtered["attr"])] = [
                    i for i in items if i not in matching
                ]
            elif filtered["sub"]:
                if not matching:
                    if op == "remove":
                        continue
                    matching = [{filtered["key"]: filtered["value"]}]
                    items.append(matching[0])
                for item in matching:
                    if op == "remove":
                        item.pop(attribute_key(item, filtered["sub"]), None)
                    else:
                        item[attribute_key(item, filtered["sub"])] = value
            else:
                raise invalid(
                    "A filtered path needs a sub-attribute to add or replace.", "invalidPath"
                )
            continue
        if not re.fullmatch(r"[\w$]+(\.[\w$]+)?", path):
            raise invalid(f"Cannot read the path {path!r}.", "invalidPath")
        if op == "remove":
            head, _, rest = path.partition(".")
            key = attribute_key(target, head)
            if rest and isinstance(target.get(key), dict):
                target[key].pop(attribute_key(target[key], rest), None)
            elif isinstance(target.get(key), list) and value is not None:
                removals = value if isinstance(value, list) else [value]
                ids = {str(v.get("value")) for v in removals if isinstance(v, dict)}
                target[key] = [i for i in target[key] if str(i.get("value")) not in ids]
            else:
                target.pop(key, None)
        else:
            _set(target, path, value, op=op)
    return result
