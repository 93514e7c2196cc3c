"""One parser per tool export: from the file as the tool writes it to items of work
(login, when, what), each with its line number, or the reason a row is refused or
left out. The field names are the tools' own, as their documentation shows them
(cited per parser; the test sample files cite the same pages)."""

from __future__ import annotations

import datetime as dt
import re
from typing import IO, NamedTuple
from zoneinfo import ZoneInfo

from metrics.services.connectors.identity import login_key
from metrics.services.connectors.reading import (
    Item,
    Parsed,
    Refused,
    Skipped,
    csv_rows,
    json_items,
    parse_timestamp,
)
from metrics.services.imports.formats import Progress

SOURCE_ID_MAX = 200
BUG_TYPES = frozenset({"bug", "incident"})

# Jira Cloud, Issues → Export → "Export Excel CSV (all fields)": one row per issue, a
# column per field named as on screen ("Issue key", "Issue Type", "Created",
# "Resolved", "Assignee Id" = the Atlassian account id), multi-value fields repeated.
# Jira Data Center's data pipeline issues file (issues_job<id>_<time>.csv):
# https://confluence.atlassian.com/adminjiraserver/data-pipeline-export-schema-1027142325.html
# "Issue id" / `id` is what the data pipeline's issue-history file refers to; a Cloud
# export cut down to fewer columns may leave it out (its issues then keep created →
# resolved).
JIRA_LAYOUTS = (
    {"key": "Issue key", "id": "Issue id", "type": "Issue Type", "created": "Created",
     "resolved": "Resolved", "assignee": "Assignee Id"},
    {"key": "key", "id": "id", "type": "issue_type", "created": "created_date",
     "resolved": "resolution_date", "assignee": "assignee_id"},
    {"key": "Issue key", "type": "Issue Type", "created": "Created", "resolved": "Resolved",
     "assignee": "Assignee Id"},
)  # fmt: skip

# Jira Data Center's data pipeline issue-history file (issue_history_job<id>_<time>.csv,
# Jira 8.18+; same page as above, "Issue history schema"): issue_id, changelog_id,
# author_id, author_key, created_date (UTC ISO, to the minute), field, field_type, from,
# from_string, to, to_string. A status change is a row with field "status"; to_string
# is the new status's name.
JIRA_HISTORY_LAYOUTS = (
    {"issue": "issue_id", "when": "created_date", "field": "field", "to": "to_string"},
)
# The file carries status names, not their categories: these are the statuses Jira's
# own workflows put in the In Progress category (the classic "jira" workflow's "In
# Progress"; the software templates' "In Progress" and "In Review"). README,
# "Connecting your tools", says how to add a custom one.
IN_PROGRESS_STATUSES = frozenset({"in progress", "in review"})


class Reached(NamedTuple):
    """An item reached a milestone (first In Progress, first review) at a moment."""

    ref: str
    reached_at: dt.datetime


def is_jira_history(source: IO[bytes]) -> bool:
    head = source.read(4096).lstrip(b"\xef\xbb\xbf").split(b"\n", 1)[0]
    source.seek(0)
    columns = {c.strip().strip('"') for c in head.decode("utf-8", "replace").split(",")}
    return {"issue_id", "field", "to_string", "created_date"} <= columns


def _moment(text: str, name: str, site_tz: ZoneInfo) -> dt.datetime | Refused:
    try:
        return parse_timestamp(text, site_tz)
    except (ValueError, OverflowError):
        return Refused(f"{name} {text[:40]!r} is not a date and time")


def _source_id(text: str) -> str | Refused:
    if not text:
        return Refused("the item has no id")
    if len(text) > SOURCE_ID_MAX:
        return Refused(f"the id is longer than {SOURCE_ID_MAX} characters")
    return text


def jira_parse(source: IO[bytes], progress: Progress | None, site_tz: ZoneInfo) -> Parsed:
    """A resolved issue: cycle time = created → resolved (neither file carries the
    status history, so "In Progress" cannot be seen), and whether it is a Bug or
    Incident. Unresolved or unassigned issues are left out, counted by reason."""
    for line, row, problem in csv_rows(source, progress, layouts=JIRA_LAYOUTS, tool="Jira"):
        if row is None:
            yield line, Refused(problem)
            continue
        key = _source_id(row["key"])
        created = _moment(row["created"], "Created", site_tz)
        resolved = _moment(row["resolved"], "Resolved", site_tz) if row["resolved"] else None
        refused = [r.reason for r in (key, created, resolved) if isinstance(r, Refused)]
        if not refused and resolved is not None and resolved < created:
            refused.append(f"Resolved {row['resolved']!r} is before Created {row['created']!r}")
        if refused:
            yield line, Refused("; ".join(refused))
        elif resolved is None:
            yield line, Skipped("issue not resolved yet")
        elif not row["assignee"]:
            yield line, Skipped("issue has no assignee")
        else:
            hours = (resolved - created).total_seconds() / 3600
            is_bug = row["type"].lower() in BUG_TYPES
            yield (
                line,
                Item(
                    login_key(row["assignee"]),
                    resolved,
                    hours,
                    is_bug,
                    None,
                    key,
                    row.get("id", ""),
                ),
            )


def jira_history_parse(source: IO[bytes], progress: Progress | None, site_tz: ZoneInfo):
    """(line, Reached | Refused | Skipped) per history row: a status change into an In
    Progress-category status is a candidate start of its issue's cycle time."""
    for line, row, problem in csv_rows(
        source, progress, layouts=JIRA_HISTORY_LAYOUTS, tool="Jira issue history"
    ):
        if row is None:
            yield line, Refused(problem)
            continue
        if row["field"].lower() != "status":
            yield line, Skipped("not a status change")
            continue
        reasons = []
        if not row["issue"]:
            reasons.append("issue_id is empty")
        elif len(row["issue"]) > 40:
            reasons.append("issue_id is longer than 40 characters")
        when = _moment(row["when"], "created_date", site_tz)
        if isinstance(when, Refused):
            reasons.append(when.reason)
        if reasons:
            yield line, Refused("; ".join(reasons))
        elif row["to"].lower() not in IN_PROGRESS_STATUSES:
            yield line, Skipped("status change not into In Progress")
        else:
            yield line, Reached(row["issue"], when)


def _text(item: dict, *path: str) -> str:
    value: object = item
    for name in path:
        value = value.get(name) if isinstance(value, dict) else None
    return "" if value is None else str(value).strip()


def github_prs_parse(source: IO[bytes], progress: Progress | None, site_tz: ZoneInfo) -> Parsed:
    """GET /repos/{owner}/{repo}/pulls?state=all (https://docs.github.com/en/rest/pulls/
    pulls#list-pull-requests): `number`, `user.login`, `created_at`, `merged_at`,
    `base.repo.full_name`. A merged PR's cycle time = created → merged; PRs closed
    unmerged or still open are left out."""
    for line, pull, problem in json_items(source, progress, tool="GitHub pull requests"):
        if pull is None:
            yield line, Refused(problem)
            continue
        repo = _text(pull, "base", "repo", "full_name")
        number = _text(pull, "number")
        reasons = []
        if not number:
            reasons.append("number is missing: is this the list-pull-requests JSON?")
        if not repo:
            reasons.append("base.repo.full_name is missing")
        login = _text(pull, "user", "login")
        if not login:
            reasons.append("user.login is missing")
        created = _moment(_text(pull, "created_at"), "created_at", site_tz)
        merged_text = _text(pull, "merged_at")
        merged = _moment(merged_text, "merged_at", site_tz) if merged_text else None
        source_id = _source_id(f"{repo}#{number}")
        reasons += [r.reason for r in (created, merged, source_id) if isinstance(r, Refused)]
        if not reasons and merged is not None and merged < created:
            reasons.append("merged_at is before created_at")
        if reasons:
            yield line, Refused("; ".join(reasons))
        elif merged is None:
            yield line, Skipped("pull request not merged")
        else:
            hours = (merged - created).total_seconds() / 3600
            yield line, Item(login_key(login), merged, hours, None, None, source_id)


_PULL_URL = re.compile(r"/repos/([^/]+/[^/]+)/pulls/(\d+)$")


def is_github_reviews(source: IO[bytes]) -> bool:
    head = source.read(65536)
    source.seek(0)
    return (
        b'"submitted_at"' in head and b'"pull_request_url"' in head and b'"merged_at"' not in head
    )


def github_reviews_parse(source: IO[bytes], progress: Progress | None, site_tz: ZoneInfo):
    """GET /repos/{owner}/{repo}/pulls/{pull_number}/reviews (https://docs.github.com/en/
    rest/pulls/reviews#list-reviews-for-a-pull-request): `user.login`, `state`,
    `submitted_at`, `pull_request_url`. A submitted review is a candidate first review
    of its pull request; a pending one (no submitted_at) is left out."""
    for line, review, problem in json_items(source, progress, tool="GitHub pull-request reviews"):
        if review is None:
            yield line, Refused(problem)
            continue
        reasons = []
        match = _PULL_URL.search(_text(review, "pull_request_url"))
        if match is None:
            reasons.append("pull_request_url is not a GitHub pull request's API address")
        if not _text(review, "user", "login"):
            reasons.append("user.login is missing")
        submitted = _text(review, "submitted_at")
        when = _moment(submitted, "submitted_at", site_tz) if submitted else None
        if isinstance(when, Refused):
            reasons.append(when.reason)
        if reasons:
            yield line, Refused("; ".join(reasons))
        elif when is None:
            yield line, Skipped("review not submitted")
        else:
            yield line, Reached(f"{match.group(1)}#{match.group(2)}", when)


COPILOT_COUNTS = (
    "user_initiated_interaction_count",
    "code_generation_activity_count",
    "code_acceptance_activity_count",
)


def copilot_parse(source: IO[bytes], progress: Progress | None, site_tz: ZoneInfo) -> Parsed:
    """The Copilot usage metrics per-user daily report, NDJSON, one record per user per
    day (https://docs.github.com/en/copilot/reference/copilot-usage-metrics/
    example-schema): `day`, `user_login`, `user_initiated_interaction_count`,
    `code_generation_activity_count`, `code_acceptance_activity_count`. Active that day
    = any of the three counts above zero."""
    for line, record, problem in json_items(source, progress, tool="Copilot usage metrics"):
        if record is None:
            yield line, Refused(problem)
            continue
        reasons = []
        login = _text(record, "user_login")
        if not login:
            reasons.append("user_login is missing")
        day_text = _text(record, "day")
        try:
            day = dt.date.fromisoformat(day_text)
        except ValueError:
            reasons.append(f"day {day_text[:40]!r} is not an ISO 8601 date")
            day = None
        counts = []
        for name in COPILOT_COUNTS:
            value = record.get(name, 0)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                reasons.append(f"{name} {value!r} is not a whole number >= 0")
            else:
                counts.append(value)
        if reasons:
            yield line, Refused("; ".join(reasons))
            continue
        occurred = dt.datetime(day.year, day.month, day.day, tzinfo=site_tz)
        yield line, Item(
            login_key(login), occurred, None, sum(counts) > 0, counts[2],
            f"{day.isoformat()}:{login_key(login)}"[:SOURCE_ID_MAX],
        )  # fmt: skip


# Zendesk (legacy CSAT) GET /api/v2/satisfaction_ratings
# (https://developer.zendesk.com/api-reference/ticketing/ticket-management/
# satisfaction_ratings/): `id`, `score` (offered, unoffered, good, bad), `assignee_id`,
# `created_at`; the API pages wrap them in {"satisfaction_ratings": [...]}. The same
# fields as CSV columns (a report or script writing the API's fields) are read too.
ZENDESK_LAYOUTS = ({"id": "id", "score": "score", "agent": "assignee_id", "when": "created_at"},)


def _rating(line: int, rating_id: str, agent: str, when: str, good: bool | None | Refused,
            site_tz: ZoneInfo):  # fmt: skip
    reasons = []
    source_id = _source_id(rating_id)
    moment = _moment(when, "created_at", site_tz)
    reasons = [r.reason for r in (source_id, moment, good) if isinstance(r, Refused)]
    if reasons:
        return line, Refused("; ".join(reasons))
    if good is None:
        return line, Skipped("rating offered but not given")
    if not agent:
        return line, Skipped("rating has no agent")
    return line, Item(login_key(agent), moment, None, good, None, source_id)


def _zendesk_score(score: str) -> bool | None | Refused:
    score = score.strip().lower()
    if score == "good":
        return True
    if score == "bad":
        return False
    if score in ("offered", "unoffered"):
        return None
    return Refused(f"score {score[:40]!r} is not good, bad, offered or unoffered")


def zendesk_parse(source: IO[bytes], progress: Progress | None, site_tz: ZoneInfo) -> Parsed:
    head = source.read(64).lstrip(b"\xef\xbb\xbf \t\r\n")
    source.seek(0)
    if head[:1] in (b"[", b"{"):
        for line, rating, problem in json_items(
            source, progress, wrapper="satisfaction_ratings", tool="Zendesk satisfaction ratings"
        ):
            if rating is None:
                yield line, Refused(problem)
                continue
            yield _rating(
                line, _text(rating, "id"), _text(rating, "assignee_id"),
                _text(rating, "created_at"), _zendesk_score(_text(rating, "score")), site_tz,
            )  # fmt: skip
        return
    for line, row, problem in csv_rows(
        source, progress, layouts=ZENDESK_LAYOUTS, tool="Zendesk satisfaction ratings"
    ):
        if row is None:
            yield line, Refused(problem)
            continue
        yield _rating(
            line, row["id"], row["agent"], row["when"], _zendesk_score(row["score"]), site_tz
        )


def _freshdesk_score(value: object) -> bool | None | Refused:
    """Freshdesk's rating scale: 103, 102, 101 happy; 100 neutral; -101, -102, -103
    unhappy (3-point surveys use 103, 100, -103)."""
    if isinstance(value, bool) or not isinstance(value, int):
        return Refused(f"ratings.default_question {value!r} is not a Freshdesk rating")
    if value in (101, 102, 103):
        return True
    if value in (-101, -102, -103):
        return False
    if value == 100:
        return None
    return Refused(f"ratings.default_question {value} is not a Freshdesk rating")


def freshdesk_parse(source: IO[bytes], progress: Progress | None, site_tz: ZoneInfo) -> Parsed:
    """Freshdesk GET /api/v2/surveys/satisfaction_ratings (https://developers.freshdesk.com/
    api/#satisfaction-ratings): `id`, `agent_id`, `ratings.default_question`,
    `created_at`. Neutral ratings (100) count as neither good nor bad."""
    for line, rating, problem in json_items(source, progress, tool="Freshdesk ratings"):
        if rating is None:
            yield line, Refused(problem)
            continue
        ratings = rating.get("ratings")
        score = ratings.get("default_question") if isinstance(ratings, dict) else None
        good = _freshdesk_score(score)
        if good is None:
            yield line, Skipped("neutral rating")
            continue
        yield _rating(
            line, _text(rating, "id"), _text(rating, "agent_id"), _text(rating, "created_at"),
            good, site_tz,
        )  # fmt: skip
