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
SAMPLE_AGENT_BASE = 900_000  # a person without a helpdesk login gets agent id base + pk

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


def _current_logins(system: str) -> dict[int, str]:
    return dict(
        ToolLogin.objects.filter(system=system, valid_to__isnull=True).values_list(
            "person_id", "login"
        )
    )


def _weekdays(today: dt.date) -> list[dt.date]:
    last_sunday = today - dt.timedelta(days=today.weekday() + 1)
    days = [last_sunday - dt.timedelta(days=n) for n in range(SAMPLE_WEEKS * 7)]
    return sorted(day for day in days if day.weekday() < 5)


def copilot_sample_ndjson() -> str:
    """Copilot's per-user daily usage report (NDJSON, one record per user per day) for
    the people with a GitHub login in the identity map, on two to four working days a
    week each, some of them with no activity. Two queries."""
    logins = _current_logins(ToolLogin.System.GITHUB)
    rng = random.Random(20250317)
    lines = []
    days = _weekdays(timezone.localdate())
    for person_id, _name, _email in _people():
        login = logins.get(person_id)
        if login is None:
            continue
        for week in range(SAMPLE_WEEKS):
            for day in rng.sample(days[week * 5 : week * 5 + 5], rng.randrange(2, 5)):
                active = rng.random() < 0.8
                interactions = rng.randrange(1, 12) if active else 0
                generated = rng.randrange(0, 40) if active else 0
                accepted = rng.randrange(0, generated + 1)
                counts = {
                    "user_initiated_interaction_count": interactions,
                    "code_generation_activity_count": generated,
                    "code_acceptance_activity_count": accepted,
                }
                lines.append(json.dumps({
                    "day": day.isoformat(), "enterprise_id": "demo", "user_id": person_id,
                    "user_login": login, **counts,
                    "loc_suggested_to_add_sum": generated * 3, "loc_added_sum": accepted * 3,
                    "loc_suggested_to_delete_sum": 0, "loc_deleted_sum": 0,
                    "totals_by_ide": [{"ide": "vscode", **counts}],
                    "totals_by_feature": [{"feature": "code_completion", **counts}],
                }))  # fmt: skip
    return "".join(line + "\n" for line in lines)


def _agents(system: str) -> list[tuple[int, str]]:
    """(person id, agent id): the person's helpdesk login if the identity map has one,
    else SAMPLE_AGENT_BASE + their id (the sample identity map gives them that one)."""
    logins = _current_logins(system)
    return [(pk, logins.get(pk, str(SAMPLE_AGENT_BASE + pk))) for pk, _n, _e in _people()]


def _ratings(seed: int, agents: list[tuple[int, str]]):
    """(rating number, agent id, good or None for offered/neutral, moment)."""
    rng = random.Random(seed)
    today = timezone.localdate()
    number = 0
    for _person_id, agent in agents:
        for _ in range(rng.randrange(4, 12)):
            number += 1
            verdict = rng.choices([True, False, None], weights=[7, 2, 1])[0]
            yield number, agent, verdict, _moments(rng, today)


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def zendesk_sample_json() -> str:
    """Zendesk's GET /api/v2/satisfaction_ratings page. Two queries."""
    ratings = [
        {
            "url": f"https://demo.zendesk.com/api/v2/satisfaction_ratings/{n}.json", "id": n,
            "assignee_id": int(agent) if agent.isdigit() else agent, "group_id": 1,
            "requester_id": 100 + n, "ticket_id": 5000 + n,
            "score": {True: "good", False: "bad", None: "offered"}[good],
            "created_at": _stamp(moment), "updated_at": _stamp(moment),
            "comment": "Sample rating (demo data)",
        }
        for n, agent, good, moment in _ratings(20250324, _agents(ToolLogin.System.ZENDESK))
    ]  # fmt: skip
    page = {"satisfaction_ratings": ratings, "next_page": None, "previous_page": None,
            "count": len(ratings)}  # fmt: skip
    return json.dumps(page, indent=2)


def freshdesk_sample_json() -> str:
    """Freshdesk's GET /api/v2/surveys/satisfaction_ratings array. Two queries."""
    scores = {True: 103, False: -103, None: 100}
    ratings = [
        {
            "id": n, "survey_id": 1, "user_id": 100 + n,
            "agent_id": int(agent) if agent.isdigit() else agent, "group_id": 1,
            "ticket_id": 5000 + n, "feedback": "Sample rating (demo data)",
            "ratings": {"default_question": scores[good]},
            "created_at": _stamp(moment), "updated_at": _stamp(moment),
        }
        for n, agent, good, moment in _ratings(20250331, _agents(ToolLogin.System.FRESHDESK))
    ]  # fmt: skip
    return json.dumps(ratings, indent=2)


def identity_map_sample_csv() -> str:
    """Helpdesk agent ids for the people who have none, as the sample helpdesk files
    use them: load it on the identity-map page before importing those samples. Three
    queries."""
    zendesk = _current_logins(ToolLogin.System.ZENDESK)
    freshdesk = _current_logins(ToolLogin.System.FRESHDESK)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["employee_id", "system", "login", "valid_from"])
    for pk, employee_id in (
        Person.objects.filter(user__is_active=True)
        .exclude(employee_id="")
        .order_by("pk")
        .values_list("pk", "employee_id")[:SAMPLE_PEOPLE]
    ):
        for system, known in (("zendesk", zendesk), ("freshdesk", freshdesk)):
            if pk not in known:
                writer.writerow([employee_id, system, SAMPLE_AGENT_BASE + pk, ""])
    return buffer.getvalue()


CSV_TYPE, JSON_TYPE = "text/csv; charset=utf-8", "application/json"
SAMPLES = {
    "jira": (jira_sample_csv, "upskill-sample-jira.csv", CSV_TYPE),
    "github-prs": (github_sample_json, "upskill-sample-github-pulls.json", JSON_TYPE),
    "copilot": (copilot_sample_ndjson, "upskill-sample-copilot.ndjson", "application/x-ndjson"),
    "zendesk": (zendesk_sample_json, "upskill-sample-zendesk-ratings.json", JSON_TYPE),
    "freshdesk": (freshdesk_sample_json, "upskill-sample-freshdesk-ratings.json", JSON_TYPE),
    "identity-map": (identity_map_sample_csv, "upskill-sample-identity-map.csv", CSV_TYPE),
}
