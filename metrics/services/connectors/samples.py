"""Sample exports made from the current organisation's people, so a new user can try a
connector end to end: download, upload, see the figures. Each is shaped like the real
export (see sources.py for the documentation it follows) and covers the last
SAMPLE_WEEKS complete weeks. They are samples, and the upload page says so."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import random

from django.utils import timezone

from metrics.models import ToolLogin
from upskill.models import Person

SAMPLE_WEEKS = 8
SAMPLE_PEOPLE = 400  # at most: a sample, not a load test
SAMPLE_KINDS = ("jira", "github-prs")

JIRA_SAMPLE_HEADER = [
    "Summary",
    "Issue key",
    "Issue id",
    "Issue Type",
    "Status",
    "Project key",
    "Priority",
    "Resolution",
    "Assignee",
    "Assignee Id",
    "Created",
    "Updated",
    "Resolved",
    "Labels",
    "Labels",
]


def _jira_date(moment: dt.datetime) -> str:
    local = timezone.localtime(moment)
    return (
        f"{local:%d/%b/%y} {local.hour % 12 or 12}:{local:%M} {'AM' if local.hour < 12 else 'PM'}"
    )


def _people() -> list[tuple[int, str, str]]:
    """(person id, name, email) of active people: one query."""
    return [
        (pk, f"{first} {last}".strip() or email, email)
        for pk, first, last, email in Person.objects.filter(user__is_active=True)
        .order_by("pk")
        .values_list("pk", "user__first_name", "user__last_name", "user__email")[:SAMPLE_PEOPLE]
    ]


def _moments(rng: random.Random, today: dt.date) -> dt.datetime:
    """A moment in working hours in one of the last SAMPLE_WEEKS complete weeks."""
    last_sunday = today - dt.timedelta(days=today.weekday() + 1)
    day = last_sunday - dt.timedelta(days=rng.randrange(SAMPLE_WEEKS * 7))
    return dt.datetime(
        day.year, day.month, day.day, rng.randrange(8, 18), rng.randrange(60),
        tzinfo=timezone.get_current_timezone(),
    )  # fmt: skip


def jira_sample_csv() -> str:
    """Jira's CSV (all fields) shape, Assignee Id = the person's Jira login if the
    identity map has one, else their email (matched by email). Two queries."""
    logins = dict(
        ToolLogin.objects.filter(system=ToolLogin.System.JIRA, valid_to__isnull=True).values_list(
            "person_id", "login"
        )
    )
    rng = random.Random(20250303)
    today = timezone.localdate()
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(JIRA_SAMPLE_HEADER)
    number = 0
    for person_id, name, email in _people():
        for _ in range(rng.randrange(3, 7)):
            number += 1
            resolved = _moments(rng, today)
            created = resolved - dt.timedelta(minutes=rng.randrange(240, 60 * 24 * 15))
            kind = rng.choice(["Story", "Story", "Task", "Bug"])
            writer.writerow(
                [
                    f"Sample issue {number} (demo data)",
                    f"DEMO-{number}",
                    10000 + number,
                    kind,
                    "Done",
                    "DEMO",
                    "Medium",
                    "Done",
                    name,
                    logins.get(person_id, email),
                    _jira_date(created),
                    _jira_date(resolved),
                    _jira_date(resolved),
                    "upskill-sample",
                    "",
                ]
            )
    return buffer.getvalue()


def github_sample_json() -> str:
    """GitHub's list-pull-requests JSON shape, authored by the people who have a GitHub
    login in the identity map (nobody else can be recognised in a GitHub file). Two
    queries."""
    logins = dict(
        ToolLogin.objects.filter(system=ToolLogin.System.GITHUB, valid_to__isnull=True).values_list(
            "person_id", "login"
        )
    )
    rng = random.Random(20250310)
    today = timezone.localdate()
    pulls = []
    number = 0
    for person_id, _name, _email in _people():
        login = logins.get(person_id)
        if login is None:
            continue
        for _ in range(rng.randrange(3, 7)):
            number += 1
            merged = _moments(rng, today)
            created = merged - dt.timedelta(minutes=rng.randrange(30, 60 * 24 * 4))
            stamp = lambda m: m.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
            pulls.append(
                {
                    "url": f"https://api.github.com/repos/demo/upskill-sample/pulls/{number}",
                    "html_url": f"https://github.com/demo/upskill-sample/pull/{number}",
                    "number": number,
                    "state": "closed",
                    "title": f"Sample pull request {number} (demo data)",
                    "user": {"login": login, "type": "User"},
                    "created_at": stamp(created),
                    "updated_at": stamp(merged),
                    "closed_at": stamp(merged),
                    "merged_at": stamp(merged),
                    "draft": False,
                    "base": {
                        "ref": "main",
                        "repo": {"name": "upskill-sample", "full_name": "demo/upskill-sample"},
                    },
                }
            )
    return json.dumps(pulls, indent=2)


SAMPLES = {
    "jira": (jira_sample_csv, "upskill-sample-jira.csv", "text/csv; charset=utf-8"),
    "github-prs": (github_sample_json, "upskill-sample-github-pulls.json", "application/json"),
}
