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
from metrics.services.imports.columns import SOURCE_ID_MAX, Column
from metrics.services.imports.formats import Progress

BUG_TYPES = frozenset({"bug", "incident"})

# Jira Cloud, Issues → Export → "Export Excel CSV (all fields)": one row per issue, a
# column per field named as on screen ("Issue key", "Issue Type", "Created",
# "Resolved", "Assignee Id" = the Atlassian account id), multi-value fields repeated.
# Jira Data Center's data pipeline issues file (issues_job<id>_<time>.csv):
# https://confluence.atlassian.com/adminjiraserver/data-pipeline-export-schema-1027142325.html
# "Issue id" / `id` is what the data pipeline's issue-history file refers to; a Cloud
# export cut down to fewer columns may leave it out (its issues then keep created →
# resolved).
#
# The columns, by our name for each, named as the Cloud export names them; the upload
# page shows them as the Jira column rules.
_JIRA_TIME = (
    "Jira's export date and time (05/Mar/25 2:14 PM) or ISO 8601; site time without an offset"
)
JIRA_COLUMNS = {
    "key": Column("Issue key", True, "the issue's key: the item's id here", "SUP-101"),
    "id": Column("Issue id", False, "Jira's numeric id, which the issue-history file names "
                 "(the column may be left out)", "10042"),
    "type": Column("Issue Type", False, "Bug or Incident counts towards the bug share",
                   "Bug"),
    "created": Column("Created", True, _JIRA_TIME, "03/Mar/25 9:12 AM"),
    "resolved": Column("Resolved", False, f"{_JIRA_TIME}; an issue not resolved yet is "
                       "left out (counted)", "05/Mar/25 2:14 PM"),
    "assignee": Column("Assignee Id", False, "the Atlassian account id, a login in the "
                       "identity map; an unassigned issue is left out (counted)",
                       "5b10ac8d82e05b22cc7d4ef5"),
}  # fmt: skip
_JIRA_CLOUD = {field: column.name for field, column in JIRA_COLUMNS.items()}
JIRA_LAYOUTS = (
    _JIRA_CLOUD,
    {"key": "key", "id": "id", "type": "issue_type", "created": "created_date",
     "resolved": "resolution_date", "assignee": "assignee_id"},
    {field: name for field, name in _JIRA_CLOUD.items() if field != "id"},
)  # fmt: skip

# Jira Data Center's data pipeline issue-history file (issue_history_job<id>_<time>.csv,
# Jira 8.18+; same page as above, "Issue history schema"): issue_id, changelog_id,
# author_id, author_key, created_date (UTC ISO, to the minute), field, field_type, from,
# from_string, to, to_string. A status change is a row with field "status"; to_string
# is the new status's name.
JIRA_HISTORY_COLUMNS = {
    "issue": Column("issue_id", True, "the issue's numeric id (Issue id in the issues file), "
                    "up to 40 characters", "10042"),
    "when": Column("created_date", True, "when the change was made: ISO 8601 (UTC)",
                   "2025-03-04T08:30:00Z"),
    "field": Column("field", False, "only rows whose field is status are read", "status"),
    "to": Column("to_string", False, "the new status; In Progress or In Review starts the "
                 "cycle time", "In Progress"),
}  # fmt: skip
JIRA_HISTORY_LAYOUTS = ({field: column.name for field, column in JIRA_HISTORY_COLUMNS.items()},)
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


_ISO_TIME = "ISO 8601 date and time"
GITHUB_PR_COLUMNS = {
    "number": Column("number", True, "the pull request's number", "42"),
    "repo": Column("base.repo.full_name", True, "owner/repository", "example/support-bot"),
    "login": Column("user.login", True, "the author's GitHub login, in the identity map",
                    "ana-example"),
    "created": Column("created_at", True, _ISO_TIME, "2025-03-03T09:00:00Z"),
    "merged": Column("merged_at", False, f"{_ISO_TIME}; a pull request not merged is left "
                     "out (counted)", "2025-03-04T15:30:00Z"),
}  # fmt: skip
_PR = {field: column.path for field, column in GITHUB_PR_COLUMNS.items()}


def github_prs_parse(source: IO[bytes], progress: Progress | None, site_tz: ZoneInfo) -> Parsed:
    """GET /repos/{owner}/{repo}/pulls?state=all (https://docs.github.com/en/rest/pulls/
    pulls#list-pull-requests): `number`, `user.login`, `created_at`, `merged_at`,
    `base.repo.full_name`. A merged PR's cycle time = created → merged; PRs closed
    unmerged or still open are left out."""
    for line, pull, problem in json_items(source, progress, tool="GitHub pull requests"):
        if pull is None:
            yield line, Refused(problem)
            continue
        repo = _text(pull, *_PR["repo"])
        number = _text(pull, *_PR["number"])
        reasons = []
        if not number:
            reasons.append("number is missing: is this the list-pull-requests JSON?")
        if not repo:
            reasons.append("base.repo.full_name is missing")
        login = _text(pull, *_PR["login"])
        if not login:
            reasons.append("user.login is missing")
        created = _moment(_text(pull, *_PR["created"]), "created_at", site_tz)
        merged_text = _text(pull, *_PR["merged"])
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


GITHUB_REVIEW_COLUMNS = {
    "pull": Column("pull_request_url", True, "the pull request's API address "
                   "(…/repos/owner/repository/pulls/number)",
                   "https://api.github.com/repos/example/support-bot/pulls/42"),
    "login": Column("user.login", True, "the reviewer's GitHub login", "ben-example"),
    "submitted": Column("submitted_at", False, f"{_ISO_TIME}; a pending review is left out "
                        "(counted)", "2025-03-03T11:00:00Z"),
}  # fmt: skip
_REVIEW = {field: column.path for field, column in GITHUB_REVIEW_COLUMNS.items()}


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
        match = _PULL_URL.search(_text(review, *_REVIEW["pull"]))
        if match is None:
            reasons.append("pull_request_url is not a GitHub pull request's API address")
        if not _text(review, *_REVIEW["login"]):
            reasons.append("user.login is missing")
        submitted = _text(review, *_REVIEW["submitted"])
        when = _moment(submitted, "submitted_at", site_tz) if submitted else None
        if isinstance(when, Refused):
            reasons.append(when.reason)
        if reasons:
            yield line, Refused("; ".join(reasons))
        elif when is None:
            yield line, Skipped("review not submitted")
        else:
            yield line, Reached(f"{match.group(1)}#{match.group(2)}", when)


COPILOT_COLUMNS = {
    "day": Column("day", True, "ISO 8601 date (YYYY-MM-DD)", "2025-03-03"),
    "login": Column("user_login", True, "the GitHub login, in the identity map",
                    "ana-example"),
    **{
        name: Column(name, False, "whole number, 0 or more (missing: 0); any above 0 makes "
                     "the person an active AI user that day", example)
        for name, example in (
            ("user_initiated_interaction_count", "12"),
            ("code_generation_activity_count", "30"),
            ("code_acceptance_activity_count", "9"),
        )
    },
}  # fmt: skip
COPILOT_COUNTS = tuple(COPILOT_COLUMNS)[2:]


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
        login = _text(record, COPILOT_COLUMNS["login"].name)
        if not login:
            reasons.append("user_login is missing")
        day_text = _text(record, COPILOT_COLUMNS["day"].name)
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
ZENDESK_COLUMNS = {
    "id": Column("id", True, "the rating's id", "35436"),
    "score": Column("score", True, "good and bad count; offered and unoffered (no rating "
                    "given) are left out (counted)", "good",
                    allowed=("good", "bad", "offered", "unoffered")),
    "agent": Column("assignee_id", False, "the agent's Zendesk user id, in the identity map; "
                    "no agent: left out (counted)", "361234567"),
    "when": Column("created_at", True, _ISO_TIME, "2025-03-03T10:15:00Z"),
}  # fmt: skip
ZENDESK_LAYOUTS = ({field: column.name for field, column in ZENDESK_COLUMNS.items()},)


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


_ZD = ZENDESK_LAYOUTS[0]


def _one_of(values: tuple[str, ...]) -> str:
    return ", ".join(values[:-1]) + f" or {values[-1]}"


def _zendesk_score(score: str) -> bool | None | Refused:
    score = score.strip().lower()
    if score == "good":
        return True
    if score == "bad":
        return False
    if score in ("offered", "unoffered"):
        return None
    return Refused(f"score {score[:40]!r} is not {_one_of(ZENDESK_COLUMNS['score'].allowed)}")


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
                line, _text(rating, _ZD["id"]), _text(rating, _ZD["agent"]),
                _text(rating, _ZD["when"]), _zendesk_score(_text(rating, _ZD["score"])), site_tz,
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


FRESHDESK_COLUMNS = {
    "id": Column("id", True, "the rating's id", "2100012345"),
    "agent": Column("agent_id", False, "the agent's Freshdesk id, in the identity map; no "
                    "agent: left out (counted)", "2043000111"),
    "score": Column("ratings.default_question", True, "Freshdesk's rating: 103, 102, 101 "
                    "count as good, -101, -102, -103 as bad, 100 (neutral) is left out "
                    "(counted)", "103", allowed=("103", "102", "101", "100", "-101", "-102",
                                                   "-103")),
    "when": Column("created_at", True, _ISO_TIME, "2025-03-03T10:15:00Z"),
}  # fmt: skip
_FD = {field: column.path for field, column in FRESHDESK_COLUMNS.items()}
_FRESHDESK_SCORES = {int(value): value for value in FRESHDESK_COLUMNS["score"].allowed}


def _freshdesk_score(value: object) -> bool | None | Refused:
    """Freshdesk's rating scale: 103, 102, 101 happy; 100 neutral; -101, -102, -103
    unhappy (3-point surveys use 103, 100, -103)."""
    if isinstance(value, bool) or not isinstance(value, int) or value not in _FRESHDESK_SCORES:
        return Refused(f"ratings.default_question {value!r} is not a Freshdesk rating")
    if value in (101, 102, 103):
        return True
    if value in (-101, -102, -103):
        return False
    return None  # 100: neutral


def freshdesk_parse(source: IO[bytes], progress: Progress | None, site_tz: ZoneInfo) -> Parsed:
    """Freshdesk GET /api/v2/surveys/satisfaction_ratings (https://developers.freshdesk.com/
    api/#satisfaction-ratings): `id`, `agent_id`, `ratings.default_question`,
    `created_at`. Neutral ratings (100) count as neither good nor bad."""
    for line, rating, problem in json_items(source, progress, tool="Freshdesk ratings"):
        if rating is None:
            yield line, Refused(problem)
            continue
        ratings = rating.get(_FD["score"][0])
        score = ratings.get(_FD["score"][1]) if isinstance(ratings, dict) else None
        good = _freshdesk_score(score)
        if good is None:
            yield line, Skipped("neutral rating")
            continue
        yield _rating(
            line, _text(rating, *_FD["id"]), _text(rating, *_FD["agent"]),
            _text(rating, *_FD["when"]), good, site_tz,
        )  # fmt: skip
