"""The statement resource of an xAPI 1.0.3 LRS, as far as Upskill needs one.

A request's statements are validated whole (validation.py); one invalid statement
refuses the request and nothing is stored. Valid statements are all stored as received
(XapiStatement); those that map to a person, a step and a counted verb (mapping.py) also
become activity rows through the importer's writer (dedupe on source "xapi" + the
statement id), and the rollup is queued after commit.

A statement id already stored with the same content is accepted again and changes
nothing; with different content the request is a conflict (409). A voiding statement
(verb http://adlnet.gov/expapi/verbs/voided) from the key that sent the target removes
the target's activity row and marks its (team, week) bucket for the rollup; a target
that arrives after its voiding statement is stored voided.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from metrics.models import ActivityRecord, XapiKey, XapiStatement
from metrics.services import imports
from metrics.services.xapi.mapping import Lookups, statement_map
from metrics.services.xapi.validation import VOIDED, statement_problems
from upskill.celery import enqueue_after_commit

XAPI_SOURCE = "xapi"
SUPPORTED_VERSIONS = ["1.0.3", "1.0.2", "1.0.1", "1.0.0"]
MAX_DEPTH = 20
MAX_STRING = 2_000
MAX_SHOWN_PROBLEMS = 10
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
# Set by the LRS, so not part of what makes two statements with one id the same.
LRS_PROPERTIES = ("stored", "authority")
Outcome = XapiStatement.Outcome


class StatementsRejected(ValidationError):
    """The request is refused (400); nothing was stored. `.message` says why."""


class StatementConflict(ValidationError):
    """A statement id is already stored with different content (409); nothing stored."""


# --- Reading the body ---------------------------------------------------------------------


def _check_shape(document) -> None:
    """Depth and string length, iteratively (no recursion to exhaust)."""
    pending = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            raise StatementsRejected(f"The JSON is nested too deeply (at most {MAX_DEPTH} levels).")
        if isinstance(value, str):
            if len(value) > MAX_STRING:
                raise StatementsRejected(
                    f"A string is {len(value):,} characters; at most {MAX_STRING:,}."
                )
            if UNSTORABLE.search(value):
                # PostgreSQL stores neither in text or jsonb: refuse them as bad input.
                raise StatementsRejected(
                    "A string holds a NUL character (\\u0000) or an unpaired surrogate; "
                    "send text only."
                )
        if isinstance(value, dict):
            pending.extend((item, depth + 1) for item in value.values())
            pending.extend((key, depth + 1) for key in value)
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)


def statements_decode(*, body: bytes, single: bool = False) -> list[dict]:
    """The statements in a request body: one object or an array of them (PUT: one)."""
    if len(body) > settings.XAPI_MAX_BODY_BYTES:
        raise StatementsRejected(
            f"The body is {len(body):,} bytes; the limit is {settings.XAPI_MAX_BODY_BYTES:,}. "
            "Send fewer statements per request."
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise StatementsRejected("The body is not UTF-8 JSON.") from None
    try:
        document = json.loads(text)
    except RecursionError:
        raise StatementsRejected(
            f"The JSON is nested too deeply (at most {MAX_DEPTH} levels)."
        ) from None
    except ValueError as exc:
        raise StatementsRejected(f"The body is not valid JSON ({exc}).") from None
    _check_shape(document)
    if single and not isinstance(document, dict):
        raise StatementsRejected("A PUT carries one statement (a JSON object), not an array.")
    statements = document if isinstance(document, list) else [document]
    if not statements:
        raise StatementsRejected("The array holds no statements.")
    if len(statements) > settings.XAPI_MAX_STATEMENTS:
        raise StatementsRejected(
            f"{len(statements):,} statements in one request; the limit is "
            f"{settings.XAPI_MAX_STATEMENTS:,}."
        )
    for number, statement in enumerate(statements, start=1):
        if not isinstance(statement, dict):
            raise StatementsRejected(f"Statement {number} is not a JSON object.")
    return statements


def _refuse(problems: list[str], exception: type[ValidationError] = StatementsRejected):
    shown = "; ".join(problems[:MAX_SHOWN_PROBLEMS])
    more = (
        f" (and {len(problems) - MAX_SHOWN_PROBLEMS} more)"
        if len(problems) > MAX_SHOWN_PROBLEMS
        else ""
    )
    return exception(f"Nothing was recorded. {shown}{more}")


# --- Storing ------------------------------------------------------------------------------


def _same(received: dict, stored: dict) -> bool:
    def content(statement: dict) -> str:
        kept = {k: v for k, v in statement.items() if k not in LRS_PROPERTIES}
        kept["id"] = str(uuid.UUID(kept["id"]))
        return json.dumps(kept, sort_keys=True)

    return content(received) == content(stored)


@dataclass(frozen=True)
class StatementsResult:
    ids: list[str]
    inserted: int  # activity rows written
    stored: int  # statements stored (a repeat of a stored one is not stored again)


def _with_ids(statements: list[dict], statement_id: str | None) -> list[dict]:
    """The statements with an id each (generated where absent, as the LRS must)."""
    problems: list[str] = []
    given: list[dict] = []
    for number, statement in enumerate(statements, start=1):
        if statement_id is not None:
            if "id" in statement and str(uuid.UUID(statement["id"])) != statement_id:
                problems.append(
                    f"statement {number}: id {statement['id']!r} differs from the "
                    f"statementId parameter {statement_id!r}"
                )
            statement = {**statement, "id": statement_id}
        elif "id" not in statement:
            statement = {**statement, "id": str(uuid.uuid4())}
        given.append(statement)
    if problems:
        raise _refuse(problems)
    ids = [str(uuid.UUID(s["id"])) for s in given]
    if len(set(ids)) != len(ids):
        raise StatementsRejected("Nothing was recorded: the batch repeats a statement id.")
    return given


def _void(*, xapi_key: XapiKey, target_ids: dict[str, str]) -> int:
    """Mark the key's stored statements voided (target id -> voiding id) and remove their
    activity rows, queueing their (team, week) buckets. Returns the rows removed."""
    targets = list(
        XapiStatement.objects.filter(xapi_key=xapi_key, statement_id__in=list(target_ids))
        .exclude(outcome__in=(Outcome.VOIDING, Outcome.VOIDED))
        .values_list("pk", "statement_id")
    )
    if not targets:
        return 0
    XapiStatement.objects.filter(pk__in=[pk for pk, _id in targets]).update(
        outcome=Outcome.VOIDED, detail="voided by a later statement"
    )
    records = ActivityRecord.objects.filter(
        source=XAPI_SOURCE, source_id__in=[str(statement_id) for _pk, statement_id in targets]
    )
    site_tz = ZoneInfo(settings.TIME_ZONE)
    buckets = set()
    for team_id, occurred_at in records.values_list("person__team_id", "occurred_at"):
        day = occurred_at.astimezone(site_tz).date()
        buckets.add((team_id, day - dt.timedelta(days=day.weekday())))
    removed, _by_model = records.delete()
    imports.dirty_buckets_mark(buckets=buckets)
    return removed


@transaction.atomic
def statements_store(
    *, xapi_key: XapiKey, statements: list[dict], statement_id: str | None = None
) -> StatementsResult:
    """Validate every statement, then store them all or none (see the module docstring).
    statement_id is PUT's statementId parameter. Raises StatementsRejected (400) or
    StatementConflict (409)."""
    from metrics import tasks

    problems = [
        f"statement {number}: {problem}"
        for number, statement in enumerate(statements, start=1)
        for problem in statement_problems(statement)
    ]
    if problems:
        raise _refuse(problems)
    if statement_id is not None:
        try:
            statement_id = str(uuid.UUID(statement_id))
        except ValueError:
            raise StatementsRejected(
                f"The statementId parameter {statement_id[:60]!r} is not a UUID."
            ) from None
    statements = _with_ids(statements, statement_id)
    ids = [str(uuid.UUID(s["id"])) for s in statements]
    existing = dict(
        XapiStatement.objects.filter(statement_id__in=ids).values_list("statement_id", "received")
    )
    conflicts = [
        f"statement {number}: a different statement with id {sid} is already stored"
        for number, (sid, statement) in enumerate(zip(ids, statements, strict=True), start=1)
        if uuid.UUID(sid) in existing and not _same(statement, existing[uuid.UUID(sid)])
    ]
    if conflicts:
        raise _refuse(conflicts, StatementConflict)
    fresh = [
        (sid, statement)
        for sid, statement in zip(ids, statements, strict=True)
        if uuid.UUID(sid) not in existing
    ]
    stored_at = timezone.now()
    voiding = {
        str(uuid.UUID(s["object"]["id"])): sid for sid, s in fresh if s["verb"]["id"] == VOIDED
    }
    # Targets that arrive after (or with) the statement voiding them are stored voided.
    voided_before = {
        str(target): str(by)
        for target, by in XapiStatement.objects.filter(
            xapi_key=xapi_key, outcome=Outcome.VOIDING, voids__in=[sid for sid, _s in fresh]
        ).values_list("voids", "statement_id")
    }
    voided_before.update(voiding)
    counted = [s for _sid, s in fresh if s["verb"]["id"] != VOIDED]
    lookups = Lookups(counted) if counted else None
    records: list[XapiStatement] = []
    rows: list[tuple] = []
    for sid, statement in fresh:
        row_statement = {**statement, "id": sid}
        if statement["verb"]["id"] == VOIDED:
            outcome, detail = Outcome.VOIDING, ""
        elif sid in voided_before:
            outcome, detail = Outcome.VOIDED, f"voided by {voided_before[sid]}"
        else:
            mapped = statement_map(row_statement, lookups, stored_at)
            outcome, detail = mapped.outcome, mapped.detail
            if mapped.row:
                rows.append(mapped.row)
        records.append(
            XapiStatement(
                statement_id=sid,
                xapi_key=xapi_key,
                received=statement,
                stored_at=stored_at,
                verb_iri=statement["verb"]["id"],
                voids=statement["object"]["id"] if outcome == Outcome.VOIDING else None,
                outcome=outcome,
                detail=detail[:2_000],
            )
        )
    try:
        with transaction.atomic():
            XapiStatement.objects.bulk_create(records)
    except IntegrityError:
        raise StatementConflict(
            "Nothing was recorded: another request stored one of these statement ids at the "
            "same moment. Send the request again."
        ) from None
    inserted = imports.activity_rows_write(rows=rows, source=XAPI_SOURCE)
    removed = _void(xapi_key=xapi_key, target_ids=voiding) if voiding else 0
    if inserted or removed:
        # Not delay_on_commit: the rows are committed by then, so a broker outage must not
        # fail the request; the beat catch-up rolls up the queued buckets anyway.
        enqueue_after_commit(tasks.rollup_incremental)
    return StatementsResult(ids=ids, inserted=inserted, stored=len(records))


# --- Reading back -------------------------------------------------------------------------


def _authority(xapi_key: XapiKey) -> dict:
    return {
        "objectType": "Agent",
        "name": xapi_key.name,
        "account": {"homePage": settings.XAPI_AUTHORITY_HOMEPAGE, "name": xapi_key.prefix},
    }


def _timestamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def statement_get(*, xapi_key: XapiKey, statement_id: str, voided: bool) -> dict | None:
    """A statement this key sent, as an LRS returns it (with stored, authority, version
    and timestamp filled in): with voided, only if it is voided; else only if it is not."""
    try:
        wanted = uuid.UUID(statement_id)
    except (ValueError, AttributeError):
        return None
    row = XapiStatement.objects.filter(xapi_key=xapi_key, statement_id=wanted).first()
    if row is None or (row.outcome == Outcome.VOIDED) != voided:
        return None
    statement = {**row.received, "id": str(wanted)}
    statement["stored"] = _timestamp(row.stored_at)
    statement.setdefault("timestamp", statement["stored"])
    statement["authority"] = _authority(xapi_key)
    statement.setdefault("version", "1.0.0")
    return statement


def about() -> dict:
    """What GET /xapi/about answers."""
    return {"version": SUPPORTED_VERSIONS}
