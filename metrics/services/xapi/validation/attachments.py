"""A statement's attachments (by fileUrl: this receiver takes JSON bodies, not
multipart ones)."""

from __future__ import annotations

from metrics.services.xapi.validation.grammar import ATTACHMENT_KEYS, SHA2
from metrics.services.xapi.validation.primitives import (
    _iri,
    _kind,
    _language_map,
    _object,
    _pattern,
    _present,
    _Problems,
    _string,
)


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
