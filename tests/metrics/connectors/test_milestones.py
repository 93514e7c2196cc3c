"""Second files that sharpen a connector's figures: Jira's data-pipeline issue history
(cycle time from the first move to an In Progress-category status, else from created)
and GitHub's pull-request reviews (time to first review); either file may come first,
and the expected figures are computed here independently."""

import datetime as dt
import random
import statistics
from collections import defaultdict

import pytest

from metrics import services
from metrics.models import OutcomeMeasure, OutcomeObservation, ToolMilestone, ToolRecord
from tests.metrics.connectors import samples
from tests.metrics.connectors.conftest import at, monday, run_import
from tests.metrics.connectors.test_jira import (
    assert_figures,
    expected_figures,
    realistic_issues,
    stored_figures,
)


def issue_id(number: int) -> str:
    return str(10000 + number)  # the id samples.jira_pipeline_csv writes for issue `number`


def history_for(issues: list[dict], seed: int = 11) -> tuple[list[tuple], dict[str, dt.datetime]]:
    """Status changes for most resolved issues (To Do → In Progress → In Review, some
    back to In Progress, some Blocked first; assignee changes between), and by hand the
    moment each issue's cycle time starts: its first move to In Progress or In Review."""
    rng = random.Random(seed)
    changes, starts = [], {}
    for number, issue in enumerate(issues, start=1):
        if issue["resolved"] is None or rng.random() < 0.25:
            continue  # no history in the file: its cycle time runs from created
        span = issue["resolved"] - issue["created"]
        ref = issue_id(number)
        first = issue["created"] + span * rng.uniform(0.1, 0.6)
        first = first.replace(second=0, microsecond=0)  # the file is to the minute
        if rng.random() < 0.3:
            blocked = issue["created"] + (first - issue["created"]) / 2
            changes.append((ref, blocked, "status", "To Do", "Blocked"))
            changes.append((ref, first, "status", "Blocked", "In Progress"))
        else:
            changes.append((ref, first, "status", "To Do", "In Progress"))
        changes.append((ref, first + (issue["resolved"] - first) / 3, "assignee", "A", "B"))
        review = first + (issue["resolved"] - first) / 2
        changes.append((ref, review, "status", "In Progress", "In Review"))
        if rng.random() < 0.4:
            changes.append((ref, review, "status", "In Review", "In Progress"))  # not first
        changes.append((ref, issue["resolved"], "status", "In Review", "Done"))
        starts[issue["key"]] = first
    rng.shuffle(changes)  # the file is in no particular order
    return changes, starts


def with_starts(issues: list[dict], starts: dict) -> list[dict]:
    """The issues as the expected-figures helper reads them: created → the start."""
    return [{**issue, "created": starts.get(issue["key"], issue["created"])} for issue in issues]


@pytest.mark.parametrize("history_first", [False, True])
def test_cycle_time_runs_from_the_first_move_to_in_progress_when_the_history_is_given(
    world, tmp_path, history_first
):
    issues = realistic_issues(seed=21, count=90)
    changes, starts = history_for(issues)
    issues_file = samples.jira_pipeline_csv(issues)
    history_file = samples.jira_history_csv(changes)
    order = [
        ("issue_history_job1_20250324.csv", history_file),
        ("issues_job1_20250324.csv", issues_file),
    ]
    if not history_first:
        order.reverse()
    runs = [run_import(tmp_path, "jira", content, name) for name, content in order]
    assert all(run.rows_invalid == 0 for run in runs)
    history_run = runs[0] if history_first else runs[1]
    assert history_run.rows_skipped["not a status change"] == sum(
        1 for c in changes if c[2] != "status"
    )
    assert ToolMilestone.objects.filter(source="jira").count() == len(starts)
    assert_figures(stored_figures(), expected_figures(world, with_starts(issues, starts)))
    # Re-importing the history changes nothing; the issues without history in the
    # file kept created → resolved (computed in with_starts above).
    again = run_import(tmp_path, "jira", history_file, "issue_history_job1_20250324.csv")
    assert again.rows_inserted == 0
    assert_figures(stored_figures(), expected_figures(world, with_starts(issues, starts)))


def test_an_earlier_move_to_in_progress_in_a_later_history_file_replaces_the_start(world, tmp_path):
    created, resolved = at(dt.date(2025, 3, 3), 9), at(dt.date(2025, 3, 7), 17)
    issues = [
        {
            "key": "PAY-1",
            "type": "Story",
            "created": created,
            "resolved": resolved,
            "assignee_id": "acc-ana",
        }
    ]
    run_import(tmp_path, "jira", samples.jira_pipeline_csv(issues), "issues.csv")
    late = at(dt.date(2025, 3, 6), 9)
    run_import(
        tmp_path,
        "jira",
        samples.jira_history_csv([("10001", late, "status", "To Do", "In Progress")]),
        "h1.csv",
    )
    assert ToolRecord.objects.get().hours == pytest.approx((resolved - late).total_seconds() / 3600)
    early = at(dt.date(2025, 3, 4), 9)
    run_import(
        tmp_path,
        "jira",
        samples.jira_history_csv(
            [
                ("10001", early, "status", "To Do", "In Progress"),
                ("10001", late, "status", "To Do", "In Progress"),
            ]
        ),
        "h2.csv",
    )
    observation = OutcomeObservation.objects.get(measure__key="cycle_time_days")
    assert observation.value == pytest.approx((resolved - early).total_seconds() / 86400)


def test_bad_history_rows_are_refused_with_their_line_and_nothing_changes(world, tmp_path):
    issues = realistic_issues(seed=4, count=10)
    run_import(tmp_path, "jira", samples.jira_pipeline_csv(issues), "issues.csv")
    before = stored_figures()
    good = samples.jira_history_csv(
        [("10001", at(dt.date(2025, 3, 3), 9), "status", "To Do", "In Progress")]
    ).decode()
    content = (
        good
        + ",20002,10100,JIRAUSER10100,2025-03-03T10:00:00Z,status,jira,10000,To Do,3,"
        + "In Progress\r\n"
        + "10002,20003,10100,JIRAUSER10100,last week,status,jira,10000,To Do,3,In Progress\r\n"
        + "10003,20004,10100\r\n"
    ).encode()
    with pytest.raises(services.InvalidRows) as refused:
        run_import(tmp_path, "jira", content, "issue_history.csv")
    errors = {e["line"]: e["reason"] for e in refused.value.report.errors}
    assert errors.keys() == {3, 4, 5}
    assert "issue_id is empty" in errors[3]
    assert "created_date 'last week' is not a date" in errors[4]
    assert "expected 11 columns" in errors[5]
    assert not ToolMilestone.objects.exists()
    assert stored_figures() == before


# --- GitHub reviews --------------------------------------------------------------------------


def test_time_to_first_review_is_the_weekly_median_per_authors_team(world, tmp_path):
    rng = random.Random(8)
    week = dt.date(2025, 3, 3)
    authors = ["ana", "ben", "cal", "dee", "eve", "fay", "gus", "mo"]
    pulls, reviews, expected_rows = [], [], defaultdict(list)
    for number in range(1, 41):
        name = rng.choice(authors)
        created = at(week, 9) + dt.timedelta(minutes=rng.randrange(0, 60 * 24 * 3))
        merged = created + dt.timedelta(minutes=rng.randrange(120, 60 * 24 * 2))
        pulls.append(samples.github_pull("acme/web", number, f"{name}-gh", created, merged))
        if rng.random() < 0.2:
            continue  # merged without a review: no time to first review
        submitted = [created + dt.timedelta(minutes=rng.randrange(5, 60 * 30)) for _ in range(3)]
        for n, moment in enumerate(submitted):
            reviews.append(
                samples.github_review(
                    "acme/web",
                    number,
                    number * 10 + n,
                    "hal-gh",
                    moment,
                    rng.choice(["APPROVED", "COMMENTED"]),
                )
            )
        reviews.append(samples.github_review("acme/web", number, number * 10 + 9, "ivy-gh", None))
        first = min(submitted)
        expected_rows[(world.team_of(name), monday(merged))].append(
            (
                name,
                (first.replace(microsecond=0) - created.replace(microsecond=0)).total_seconds()
                / 3600,
            )
        )
    rng.shuffle(reviews)
    reviews_file = samples.github_json([reviews[:50], reviews[50:]])
    # Reviews first, then the pull requests: either order gives the same figures.
    review_run = run_import(tmp_path, "github-prs", reviews_file, "reviews.json")
    assert review_run.rows_skipped == {
        "review not submitted": sum(r["state"] == "PENDING" for r in reviews)
    }
    run_import(tmp_path, "github-prs", samples.github_json([pulls]), "pulls.json")
    expected = {
        (team, wk, "pr_time_to_first_review_hours"): (
            statistics.median(h for _n, h in rows),
            len(rows),
            len({n for n, _h in rows}),
        )
        for (team, wk), rows in expected_rows.items()
    }
    stored = {
        (o.team_id, o.period_start, o.measure.key): (o.value, o.sample_size, o.people)
        for o in OutcomeObservation.objects.filter(
            measure__key="pr_time_to_first_review_hours"
        ).select_related("measure")
    }
    assert stored.keys() == expected.keys()
    for key, (value, n, people) in expected.items():
        assert stored[key][0] == pytest.approx(value, abs=1e-6), key
        assert stored[key][1:] == (n, people), key
    measure = OutcomeMeasure.objects.get(key="pr_time_to_first_review_hours")
    assert (measure.unit, measure.direction) == ("hours", "lower")
    # Re-importing the reviews after the pull requests changes nothing.
    again = run_import(tmp_path, "github-prs", reviews_file, "reviews.json")
    assert again.rows_inserted == 0


def test_reviews_after_the_pull_requests_update_their_weeks(world, tmp_path):
    created, merged = at(dt.date(2025, 3, 3), 9), at(dt.date(2025, 3, 4), 9)
    run_import(
        tmp_path,
        "github-prs",
        samples.github_json([[samples.github_pull("acme/api", 7, "ana-gh", created, merged)]]),
        "pulls.json",
    )
    assert not OutcomeObservation.objects.filter(
        measure__key="pr_time_to_first_review_hours"
    ).exists()
    review = samples.github_review("acme/api", 7, 1, "ben-gh", created + dt.timedelta(hours=3))
    run_import(tmp_path, "github-prs", samples.github_json([[review]]), "reviews.json")
    observation = OutcomeObservation.objects.get(measure__key="pr_time_to_first_review_hours")
    assert (observation.value, observation.sample_size, observation.people) == (3.0, 1, 1)


def test_bad_reviews_are_refused_by_the_line_they_start_on(world, tmp_path):
    good = samples.github_review("acme/web", 1, 1, "ana-gh", at(dt.date(2025, 3, 3)))
    items = [
        good,
        {**good, "pull_request_url": "https://example.com/nothing"},
        {**good, "submitted_at": "tomorrow"},
        {**good, "user": None},
    ]
    import json

    content = json.dumps(items, indent=2).encode()
    starts = [n for n, line in enumerate(content.decode().splitlines(), start=1) if line == "  {"]
    with pytest.raises(services.InvalidRows) as refused:
        run_import(tmp_path, "github-prs", content, "reviews.json")
    errors = {e["line"]: e["reason"] for e in refused.value.report.errors}
    assert list(errors) == starts[1:]
    reasons = list(errors.values())
    assert "pull_request_url is not" in reasons[0]
    assert "submitted_at 'tomorrow' is not a date" in reasons[1]
    assert "user.login is missing" in reasons[2]
    assert not ToolMilestone.objects.exists()
