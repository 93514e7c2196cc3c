"""Sample exports, shaped as each tool's documentation shows them.

- Jira Cloud "Export Excel CSV (all fields)": one row per issue, columns named as on
  screen, multi-value fields (Labels, Sprint) repeated, dates in the exporting user's
  "dd/MMM/yy h:mm a" format, "Assignee Id" = the Atlassian account id. Atlassian:
  "Export your issues" (https://support.atlassian.com/jira-software-cloud/docs/
  export-an-issue/) and the CSV-all-fields view
  `sr/jira.issueviews:searchrequest-csv-all-fields` (atlassian-python-api#602).
- Jira Data Center data pipeline issues file, issues_job<id>_<time>.csv: id, key,
  issue_type, assignee_id, status, status_category, resolution, created_date,
  resolution_date (UTC ISO strings), RFC 4180 with CRLF. Atlassian: "Data pipeline
  export schema" (https://confluence.atlassian.com/adminjiraserver/
  data-pipeline-export-schema-1027142325.html).
- GitHub REST "List pull requests" (GET /repos/{owner}/{repo}/pulls?state=all,
  https://docs.github.com/en/rest/pulls/pulls#list-pull-requests): an array of objects
  with number, state, user.login, created_at, merged_at, closed_at, base.repo.full_name;
  `gh api --paginate` writes one array per page, back to back.
- GitHub Copilot usage metrics, user-level report, NDJSON one record per user per day
  (https://docs.github.com/en/copilot/reference/copilot-usage-metrics/example-schema):
  day, enterprise_id, user_login, user_initiated_interaction_count,
  code_generation_activity_count, code_acceptance_activity_count, loc_* sums,
  totals_by_ide / totals_by_feature.
- Zendesk legacy CSAT, GET /api/v2/satisfaction_ratings (https://developer.zendesk.com/
  api-reference/ticketing/ticket-management/satisfaction_ratings/): {"satisfaction_ratings":
  [{id, url, assignee_id, group_id, requester_id, ticket_id, score, created_at,
  updated_at, comment}], "next_page", "previous_page", "count"}.
- Freshdesk GET /api/v2/surveys/satisfaction_ratings (https://developers.freshdesk.com/
  api/#satisfaction-ratings): [{id, survey_id, user_id, agent_id, feedback, group_id,
  ticket_id, created_at, updated_at, ratings: {default_question: 103..-103}}].
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

JIRA_CLOUD_HEADER = [
    "Summary",
    "Issue key",
    "Issue id",
    "Issue Type",
    "Status",
    "Project key",
    "Project name",
    "Priority",
    "Resolution",
    "Assignee",
    "Assignee Id",
    "Reporter",
    "Reporter Id",
    "Created",
    "Updated",
    "Resolved",
    "Labels",
    "Labels",
    "Sprint",
    "Status Category",
    "Status Category Changed",
]

JIRA_PIPELINE_HEADER = [
    "id",
    "instance_url",
    "url",
    "key",
    "project_key",
    "project_name",
    "project_type",
    "project_category",
    "issue_type",
    "summary",
    "description",
    "creator_id",
    "reporter_id",
    "assignee_id",
    "status",
    "status_category",
    "priority_sequence",
    "priority_name",
    "resolution",
    "watcher_count",
    "vote_count",
    "created_date",
    "resolution_date",
    "updated_date",
    "due_date",
]


def jira_date(moment: dt.datetime | None) -> str:
    """Jira's default CSV date format, "05/Mar/25 2:14 PM" (site time)."""
    if moment is None:
        return ""
    hour = moment.hour % 12 or 12
    half = "AM" if moment.hour < 12 else "PM"
    return f"{moment:%d/%b/%y} {hour}:{moment:%M} {half}"


def jira_cloud_csv(issues: list[dict]) -> bytes:
    """issues: key, type, created, resolved (or None), assignee_id (or "")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(JIRA_CLOUD_HEADER)
    for number, issue in enumerate(issues, start=1):
        resolved = issue.get("resolved")
        writer.writerow(
            [
                issue.get("summary", f"Make checkout faster, part {number}"),
                issue["key"],
                str(10000 + number),
                issue["type"],
                "Done" if resolved else "In Progress",
                "PAY",
                "Payments",
                "Medium",
                "Done" if resolved else "",
                issue.get("assignee_name", "A. Person"),
                issue["assignee_id"],
                "Rita Reporter",
                "557058:rita",
                jira_date(issue["created"]),
                jira_date(resolved or issue["created"]),
                jira_date(resolved),
                "ai-pilot",
                "checkout",
                "PAY Sprint 12",
                "Done" if resolved else "In Progress",
                jira_date(resolved or issue["created"]),
            ]
        )
    return buffer.getvalue().encode()


def jira_pipeline_csv(issues: list[dict]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(JIRA_PIPELINE_HEADER)
    for number, issue in enumerate(issues, start=1):
        resolved = issue.get("resolved")
        iso = lambda m: m.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if m else ""  # noqa: E731
        writer.writerow(
            [
                10000 + number,
                "https://jira.example.com",
                f"https://jira.example.com/browse/{issue['key']}",
                issue["key"],
                "PAY",
                "Payments",
                "Software",
                "",
                issue["type"],
                "A summary",
                "",
                "10100",
                "10100",
                issue["assignee_id"],
                "Done" if resolved else "Open",
                "Done" if resolved else "To Do",
                "3",
                "Medium",
                "Fixed" if resolved else "",
                "1",
                "0",
                iso(issue["created"]),
                iso(resolved),
                iso(resolved or issue["created"]),
                "",
            ]
        )
    return buffer.getvalue().encode()


def _iso(moment: dt.datetime | None) -> str | None:
    return None if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def github_pull(
    repo: str,
    number: int,
    login: str,
    created: dt.datetime,
    merged: dt.datetime | None,
    state: str | None = None,
) -> dict:
    owner = repo.split("/")[0]
    return {
        "url": f"https://api.github.com/repos/{repo}/pulls/{number}",
        "id": 1_000_000 + number,
        "node_id": f"PR_kwDO{number:06d}",
        "html_url": f"https://github.com/{repo}/pull/{number}",
        "number": number,
        "state": state or ("closed" if merged else "open"),
        "locked": False,
        "title": f"Speed up checkout ({number})",
        "user": {
            "login": login,
            "id": abs(hash(login)) % 10**7,
            "type": "User",
            "site_admin": False,
        },
        "body": "Uses the new prompt library.",
        "labels": [],
        "created_at": _iso(created),
        "updated_at": _iso(merged or created),
        "closed_at": _iso(merged),
        "merged_at": _iso(merged),
        "merge_commit_sha": "e5bd3914e2e596debea16f433f57875b5b90bcd6" if merged else None,
        "draft": False,
        "head": {
            "label": f"{owner}:feature-{number}",
            "ref": f"feature-{number}",
            "sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
        },
        "base": {
            "label": f"{owner}:main",
            "ref": "main",
            "sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e",
            "repo": {"id": 1296269, "name": repo.split("/")[1], "full_name": repo, "private": True},
        },
        "author_association": "MEMBER",
    }


def github_json(pages: list[list[dict]]) -> bytes:
    """One array per page, back to back, pretty-printed as the API and `gh api
    --paginate` write them."""
    return "".join(json.dumps(page, indent=2) for page in pages).encode()


def copilot_record(
    day: dt.date, login: str, interactions: int, generations: int, acceptances: int
) -> dict:
    return {
        "code_acceptance_activity_count": acceptances,
        "code_generation_activity_count": generations,
        "day": day.isoformat(),
        "enterprise_id": "1",
        "loc_added_sum": acceptances * 4,
        "loc_deleted_sum": 0,
        "loc_suggested_to_add_sum": generations * 5,
        "loc_suggested_to_delete_sum": 0,
        "totals_by_feature": [
            {
                "code_acceptance_activity_count": acceptances,
                "code_generation_activity_count": generations,
                "feature": "code_completion",
                "loc_added_sum": acceptances * 4,
                "loc_deleted_sum": 0,
                "loc_suggested_to_add_sum": generations * 5,
                "loc_suggested_to_delete_sum": 0,
                "user_initiated_interaction_count": interactions,
            }
        ],
        "totals_by_ide": [
            {
                "ide": "vscode",
                "code_acceptance_activity_count": acceptances,
                "code_generation_activity_count": generations,
                "user_initiated_interaction_count": interactions,
            }
        ],
        "user_id": abs(hash(login)) % 10**7,
        "user_initiated_interaction_count": interactions,
        "user_login": login,
    }


def ndjson(records: list[dict]) -> bytes:
    return "".join(json.dumps(record) + "\n" for record in records).encode()


def zendesk_rating(
    rating_id: int, assignee_id: int | None, score: str, created: dt.datetime
) -> dict:
    return {
        "url": f"https://example.zendesk.com/api/v2/satisfaction_ratings/{rating_id}.json",
        "id": rating_id,
        "assignee_id": assignee_id,
        "group_id": 44,
        "requester_id": 7881,
        "ticket_id": 200 + rating_id,
        "score": score,
        "created_at": _iso(created),
        "updated_at": _iso(created),
        "comment": "Thanks!" if score == "good" else "",
    }


def zendesk_json(ratings: list[dict]) -> bytes:
    page = {
        "satisfaction_ratings": ratings,
        "next_page": None,
        "previous_page": None,
        "count": len(ratings),
    }
    return json.dumps(page, indent=2).encode()


def freshdesk_rating(
    rating_id: int, agent_id: int | None, score: int, created: dt.datetime
) -> dict:
    return {
        "id": rating_id,
        "survey_id": 1,
        "user_id": 9001,
        "agent_id": agent_id,
        "feedback": "",
        "group_id": 3,
        "ticket_id": 300 + rating_id,
        "created_at": _iso(created),
        "updated_at": _iso(created),
        "ratings": {"default_question": score},
    }


# Jira Data Center data pipeline issue-history file, issue_history_job<id>_<time>.csv
# (Jira 8.18+): "Data pipeline export schema", Issue history schema
# (https://confluence.atlassian.com/adminjiraserver/data-pipeline-export-schema-1027142325.html):
# issue_id (the issues file's id), changelog_id, author_id, author_key, created_date (UTC
# ISO, truncated to the minute), field, field_type (jira or custom), from, from_string,
# to, to_string; RFC 4180 with CRLF, as every data pipeline file.
JIRA_HISTORY_HEADER = [
    "issue_id",
    "changelog_id",
    "author_id",
    "author_key",
    "created_date",
    "field",
    "field_type",
    "from",
    "from_string",
    "to",
    "to_string",
]
JIRA_STATUS_IDS = {"To Do": "10000", "In Progress": "3", "In Review": "10101",
                   "Blocked": "10102", "Done": "10001"}  # fmt: skip


def jira_history_csv(changes: list[tuple]) -> bytes:
    """changes: (issue id, when, field, from, to) — for "status" the status names."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(JIRA_HISTORY_HEADER)
    for number, (issue_id, when, field, before, after) in enumerate(changes, start=1):
        status = field == "status"
        writer.writerow(
            [
                issue_id,
                str(20000 + number),
                "10100",
                "JIRAUSER10100",
                when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:00Z"),
                field,
                "jira",
                JIRA_STATUS_IDS.get(before, "") if status else "JIRAUSER10001",
                before,
                JIRA_STATUS_IDS.get(after, "") if status else "JIRAUSER10002",
                after,
            ]
        )
    return buffer.getvalue().encode()


def github_review(
    repo: str,
    number: int,
    review_id: int,
    login: str,
    submitted: dt.datetime | None,
    state: str = "APPROVED",
) -> dict:
    """GitHub REST "List reviews for a pull request" (GET /repos/{owner}/{repo}/pulls/
    {pull_number}/reviews, https://docs.github.com/en/rest/pulls/reviews#list-reviews-for-
    a-pull-request): id, node_id, user, body, state, html_url, pull_request_url, _links,
    submitted_at (absent while PENDING), commit_id, author_association."""
    review = {
        "id": review_id,
        "node_id": f"PRR_kwDO{review_id:06d}",
        "user": {"login": login, "id": 1, "type": "User", "site_admin": False},
        "body": "Looks good.",
        "state": "PENDING" if submitted is None else state,
        "html_url": f"https://github.com/{repo}/pull/{number}#pullrequestreview-{review_id}",
        "pull_request_url": f"https://api.github.com/repos/{repo}/pulls/{number}",
        "_links": {
            "html": {
                "href": f"https://github.com/{repo}/pull/{number}#pullrequestreview-{review_id}"
            },
            "pull_request": {"href": f"https://api.github.com/repos/{repo}/pulls/{number}"},
        },
        "commit_id": "ecdd80bb57125d7ba9641ffaa4d7d2c19d3f3091",
        "author_association": "COLLABORATOR",
    }
    if submitted is not None:
        review["submitted_at"] = _iso(submitted)
    return review
