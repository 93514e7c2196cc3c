"""xAPI 1.0.3 statements in, activity records out, through the one validating importer.

A statement becomes the same seven fields as a CSV activity row and is validated by
`imports.parse_activity`; a batch is written all or nothing by
`imports.activity_rows_write` (dedupe on source "xapi" + the statement id).

Mapping (documented in the README, "Import formats"):
- actor.mbox "mailto:<email>"  -> the person with that email (any case)
- verb.id ending in /completed, /attended, /experienced -> completed, attended, practiced
- object.id  XAPI_STEP_IRI_PREFIX + "<pathway-slug>/<step-key>" -> that step
- timestamp (ISO 8601) -> occurred_at; absent means the time it is stored, as the
  xAPI spec has an LRS do
- result.duration (ISO 8601 duration, e.g. PT1H30M) -> minutes, 0-1440; absent means 0
- id (a UUID, required: it is what makes a re-post idempotent) -> source_id
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
import secrets
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from metrics.models import XapiKey
from metrics.services import imports
from upskill.celery import enqueue_after_commit

XAPI_SOURCE = "xapi"
VERBS = {"completed": "completed", "attended": "attended", "experienced": "practiced"}
KEY_PREFIX = "upx_"
MAX_DEPTH = 20
MAX_STRING = 2_000
DURATION = re.compile(
    r"P(?:(?P<days>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?"
)


class StatementsRejected(ValidationError):
    """The batch is refused; nothing was written. `.message` says why."""


# --- Keys ---------------------------------------------------------------------------------


def _key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@dataclass(frozen=True)
class CreatedKey:
    xapi_key: XapiKey
    key: str  # shown once, never stored


def xapi_key_create(*, name: str, created_by) -> CreatedKey:
    """A new random key; only its SHA-256 and first characters are stored."""
    name = name.strip()
    if not name:
        raise ValidationError("Give the key a name, e.g. the LMS that will use it.")
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    xapi_key = XapiKey(name=name, prefix=key[:12], key_hash=_key_hash(key), created_by=created_by)
    xapi_key.full_clean()
    xapi_key.save()
    return CreatedKey(xapi_key=xapi_key, key=key)


def xapi_key_revoke(*, xapi_key: XapiKey) -> XapiKey:
    """Stop a key working at once; revoking twice keeps the first time."""
    XapiKey.objects.filter(pk=xapi_key.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    xapi_key.refresh_from_db()
    return xapi_key


def _key_from_header(header: str) -> str | None:
    scheme, _, credentials = header.strip().partition(" ")
    credentials = credentials.strip()
    if scheme.lower() == "bearer":
        return credentials or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(credentials, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        _user, _, password = decoded.partition(":")
        return password or None
    return None


def xapi_key_authenticate(*, authorization: str) -> XapiKey | None:
    """The live key in an `Authorization: Bearer <key>` header, or Basic with the key
    as the password (what most LRS clients send); None if missing, unknown or revoked."""
    key = _key_from_header(authorization or "")
    if not key or len(key) > 200:
        return None
    xapi_key = XapiKey.objects.filter(key_hash=_key_hash(key), revoked_at__isnull=True).first()
    if xapi_key is not None:
        XapiKey.objects.filter(pk=xapi_key.pk).update(last_used_at=timezone.now())
    return xapi_key


# --- Statements ---------------------------------------------------------------------------


def _reject(message: str) -> StatementsRejected:
    return StatementsRejected(message)


def statements_decode(*, body: bytes) -> list[dict]:
    """The statements in a request body: one object or an array of them."""
    if len(body) > settings.XAPI_MAX_BODY_BYTES:
        raise _reject(
            f"The body is {len(body):,} bytes; the limit is {settings.XAPI_MAX_BODY_BYTES:,}. "
            "Send fewer statements per request."
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise _reject("The body is not UTF-8 JSON.") from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise _reject(f"The JSON is nested too deeply (at most {MAX_DEPTH} levels).") from None
    except ValueError as exc:
        raise _reject(f"The body is not valid JSON ({exc}).") from None
    _check_shape(document)
    statements = document if isinstance(document, list) else [document]
    if not statements:
        raise _reject("The array holds no statements.")
    if len(statements) > settings.XAPI_MAX_STATEMENTS:
        raise _reject(
            f"{len(statements):,} statements in one request; the limit is "
            f"{settings.XAPI_MAX_STATEMENTS:,}."
        )
    for number, statement in enumerate(statements, start=1):
        if not isinstance(statement, dict):
            raise _reject(f"Statement {number} is not a JSON object.")
    return statements


def _check_shape(document) -> None:
    """Depth and string length, iteratively (no recursion to exhaust)."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise _reject(f"The JSON is nested too deeply (at most {MAX_DEPTH} levels).")
        if isinstance(value, str) and len(value) > MAX_STRING:
            raise _reject(f"A string is {len(value):,} characters; at most {MAX_STRING:,}.")
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values())
            pending.extend((key, depth + 1) for key in value)
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)


def _text(statement: dict, *path: str, required: bool = True) -> str:
    value = statement
    for step in path:
        if not isinstance(value, dict):
            raise ValueError(f"{'.'.join(path[: path.index(step)])} must be an object")
        value = value.get(step)
        if value is None:
            if required:
                raise ValueError(f"{'.'.join(path)} is missing")
            return ""
    if not isinstance(value, str):
        raise ValueError(f"{'.'.join(path)} must be a string")
    return value


def duration_minutes(text: str) -> int:
    """Whole minutes (rounded) of an ISO 8601 duration in days, hours, minutes and
    seconds; years, months and weeks are refused as ambiguous."""
    match = DURATION.fullmatch(text.strip())
    if not match or text.strip() in ("P", "") or text.strip().endswith("T"):
        raise ValueError(f"result.duration {text[:40]!r} is not an ISO 8601 duration like PT1H30M")
    parts = {name: float(value) if value else 0.0 for name, value in match.groupdict().items()}
    seconds = (
        parts["days"] * 86_400 + parts["hours"] * 3_600 + parts["minutes"] * 60 + parts["seconds"]
    )
    return round(seconds / 60)


def _record(statement: dict, now: str) -> list[str]:
    """The statement as a CSV activity record (the importer's seven fields)."""
    statement_id = _text(statement, "id")
    try:
        statement_id = str(uuid.UUID(statement_id))
    except ValueError:
        raise ValueError(f"id {statement_id[:60]!r} is not a UUID") from None
    mbox = _text(statement, "actor", "mbox")
    if not mbox.lower().startswith("mailto:"):
        raise ValueError("actor.mbox must be a mailto: IRI (actor identified by email)")
    verb = _text(statement, "verb", "id").rstrip("/").rsplit("/", 1)[-1].lower()
    if verb not in VERBS:
        raise ValueError(
            "verb.id must end in /completed, /attended or /experienced; other verbs are "
            "not recorded"
        )
    object_id = _text(statement, "object", "id")
    prefix = settings.XAPI_STEP_IRI_PREFIX
    reference = object_id[len(prefix) :] if object_id.startswith(prefix) else ""
    slug, _, step_key = reference.partition("/")
    if not slug or not step_key or "/" in step_key:
        raise ValueError(f"object.id must be {prefix}<pathway-slug>/<step-key>")
    timestamp = _text(statement, "timestamp", required=False) or now
    if "result" in statement and not isinstance(statement["result"], dict):
        raise ValueError("result must be an object")
    duration = _text(statement, "result", "duration", required=False)
    minutes = str(duration_minutes(duration)) if duration else "0"
    return [mbox[len("mailto:") :], timestamp, minutes, VERBS[verb], slug, step_key, statement_id]


@dataclass(frozen=True)
class StatementsResult:
    ids: list[str]
    inserted: int


@transaction.atomic
def statements_record(*, statements: list[dict]) -> StatementsResult:
    """Validate every statement, then write them all or none; queue the rollup."""
    from metrics import tasks

    now = timezone.now().isoformat()
    records: list[list[str]] = []
    problems: list[str] = []
    for number, statement in enumerate(statements, start=1):
        try:
            records.append(_record(statement, now))
        except ValueError as exc:
            problems.append(f"statement {number}: {exc}")
            records.append([])
    if not problems:
        _rows, errors = imports.activity_rows_parse(records=records)
        problems = [f"statement {number}: {reason}" for number, reason in errors]
        rows = _rows
    if problems:
        shown = "; ".join(problems[:10])
        more = f" (and {len(problems) - 10} more)" if len(problems) > 10 else ""
        raise _reject(f"Nothing was recorded. {shown}{more}")
    ids = [record[6] for record in records]
    if len(set(ids)) != len(ids):
        raise _reject("Nothing was recorded: the batch repeats a statement id.")
    inserted = imports.activity_rows_write(rows=rows, source=XAPI_SOURCE)
    if inserted:
        # Not delay_on_commit: the rows are committed by then, so a broker outage must not
        # fail the request; the beat catch-up rolls up the queued buckets anyway.
        enqueue_after_commit(tasks.rollup_incremental)
    return StatementsResult(ids=ids, inserted=inserted)
