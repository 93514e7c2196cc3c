"""The Jira connector: a Cloud CSV export (and the Data Center data-pipeline issues
file) to each team's weekly cycle time (median and 85th percentile, in days) and bug
share, with the expected figures computed here independently of the connector."""

import csv
import datetime as dt
import io
import random
import statistics
from collections import defaultdict

import pytest
from django.core.management import CommandError, call_command

from metrics import services
from metrics.models import OutcomeMeasure, OutcomeObservation, ToolRecord, WeeklyRollup
from tests.metrics.connectors import samples
from tests.metrics.connectors.conftest import HANDOVER, at, monday, run_import

WEEKS = [dt.date(2025, 3, 3), dt.date(2025, 3, 10), dt.date(2025, 3, 17)]
ASSIGNEES = [
    "ana",
    "ben",
    "cal",
    "dee",
    "eve",
    "fay",
    "gus",
    "hal",
    "ivy",
    "jon",
    "mo",
    "kim",
    "lou",
]


def realistic_issues(seed: int = 7, count: int = 120, prefix: str = "PAY") -> list[dict]:
    rng = random.Random(seed)
    issues = []
    for number in range(1, count + 1):
        who = rng.choice(ASSIGNEES + ["shared"])
        resolved = at(
            rng.choice(WEEKS) + dt.timedelta(days=rng.randrange(7)),
            rng.randrange(8, 19),
            rng.randrange(60),
        )
        # Jira's CSV dates are to the minute.
        created = resolved - dt.timedelta(minutes=rng.randrange(120, 60 * 24 * 20))
        issues.append(
            {
                "key": f"{prefix}-{number}",
                "type": rng.choice(["Story", "Task", "Bug", "Incident", "Story"]),
                "created": created,
                "resolved": resolved if rng.random() > 0.1 else None,
                "assignee_id": f"acc-{who}",
            }
        )
    return issues


def expected_figures(world, issues: list[dict]) -> dict:
    """{(team, week, measure): (value, n, people)} by hand: login -> person by the
    identity map's periods, the person's current team, the week of resolution."""
    groups = defaultdict(list)
    for issue in issues:
        if issue["resolved"] is None or not issue["assignee_id"]:
            continue
        login = issue["assignee_id"]
        if login == "acc-shared":
            name = "sam" if issue["resolved"].date() < HANDOVER else "tia"
        elif login.removeprefix("acc-") in world.people:
            name = login.removeprefix("acc-")
        else:
            continue
        days = (issue["resolved"] - issue["created"]).total_seconds() / 86400
        groups[(world.team_of(name), monday(issue["resolved"]))].append(
            (name, days, issue["type"] in ("Bug", "Incident"))
        )
    expected = {}
    for (team, week), rows in groups.items():
        days = [d for _n, d, _b in rows]
        people = len({n for n, _d, _b in rows})
        p85 = (
            days[0] if len(days) == 1 else statistics.quantiles(days, n=20, method="inclusive")[16]
        )
        expected[(team, week, "cycle_time_days")] = (statistics.median(days), len(rows), people)
        expected[(team, week, "cycle_time_p85_days")] = (p85, len(rows), people)
        expected[(team, week, "bug_share")] = (
            sum(b for *_x, b in rows) / len(rows),
            len(rows),
            people,
        )
    return expected


def stored_figures() -> dict:
    return {
        (o.team_id, o.period_start, o.measure.key): (o.value, o.sample_size, o.people)
        for o in OutcomeObservation.objects.filter(source="jira").select_related("measure")
    }


def assert_figures(actual: dict, expected: dict) -> None:
    assert actual.keys() == expected.keys()
    for key, (value, n, people) in expected.items():
        assert actual[key][0] == pytest.approx(value, abs=1e-6), key
        assert actual[key][1:] == (n, people), key


def test_cloud_export_gives_each_team_weekly_cycle_time_p85_and_bug_share(world, tmp_path):
    issues = realistic_issues()
    run = run_import(tmp_path, "jira", samples.jira_cloud_csv(issues), "jira.csv")
    assert run.status == "done"
    assert run.rows_invalid == 0
    assert_figures(stored_figures(), expected_figures(world, issues))
    # New measures exist with their unit and direction (lower is better for cycle time).
    p85 = OutcomeMeasure.objects.get(key="cycle_time_p85_days")
    assert (p85.unit, p85.direction) == ("days", "lower")
    assert OutcomeMeasure.objects.get(key="bug_share").direction == "lower"
    assert run.rows_skipped == {
        "issue not resolved yet": sum(1 for i in issues if i["resolved"] is None)
    }


def test_mover_counts_for_current_team_and_handed_over_login_for_each_holder(world, tmp_path):
    before, after = at(HANDOVER - dt.timedelta(days=2)), at(HANDOVER + dt.timedelta(days=1))
    issues = [
        {
            "key": "PAY-1",
            "type": "Story",
            "created": before - dt.timedelta(days=1),
            "resolved": before,
            "assignee_id": "acc-shared",
        },
        {
            "key": "PAY-2",
            "type": "Bug",
            "created": after - dt.timedelta(days=3),
            "resolved": after,
            "assignee_id": "acc-shared",
        },
        {
            "key": "PAY-3",
            "type": "Task",
            "created": before - dt.timedelta(days=2),
            "resolved": before,
            "assignee_id": "acc-mo",
        },
    ]
    run_import(tmp_path, "jira", samples.jira_cloud_csv(issues), "jira.csv")
    records = dict(ToolRecord.objects.values_list("source_id", "person_id"))
    assert records == {
        "PAY-1": world.people["sam"].pk,
        "PAY-2": world.people["tia"].pk,
        "PAY-3": world.people["mo"].pk,
    }
    figures = stored_figures()
    checkout, payments = world.teams["checkout"].pk, world.teams["payments"].pk
    # mo's week-of-3-March issue counts for checkout (their current team), beside nobody
    # else's; sam's for payments; tia's (after the handover) for checkout.
    assert figures[(checkout, monday(before), "cycle_time_days")] == (2.0, 1, 1)
    assert figures[(payments, monday(before), "cycle_time_days")] == (1.0, 1, 1)
    assert figures[(checkout, monday(after), "bug_share")] == (1.0, 1, 1)


def test_unmatched_logins_are_listed_with_counts_and_not_counted(world, tmp_path):
    issues = realistic_issues(count=20)
    strangers = [
        {
            "key": f"PAY-{900 + n}",
            "type": "Story",
            "created": at(WEEKS[0]),
            "resolved": at(WEEKS[0], 15),
            "assignee_id": login,
        }
        for n, login in enumerate(["acc-nobody", "acc-nobody", "acc-contractor"])
    ]
    run = run_import(tmp_path, "jira", samples.jira_cloud_csv(issues + strangers), "jira.csv")
    assert run.unmatched_logins == {"acc-nobody": 2, "acc-contractor": 1}
    assert not ToolRecord.objects.filter(source_id__startswith="PAY-9").exists()
    assert_figures(stored_figures(), expected_figures(world, issues))


def test_reimport_and_overlapping_export_count_each_issue_once(world, tmp_path):
    first, second = realistic_issues(seed=1, count=80), realistic_issues(seed=1, count=120)
    run_import(tmp_path, "jira", samples.jira_cloud_csv(first), "one.csv")
    again = run_import(tmp_path, "jira", samples.jira_cloud_csv(first), "one.csv")
    assert again.rows_inserted == 0
    assert again.rows_duplicate == again.rows_valid > 0
    assert_figures(stored_figures(), expected_figures(world, first))
    # A later export overlapping the first (its first 80 issues again, 40 new).
    overlap = run_import(tmp_path, "jira", samples.jira_cloud_csv(second), "two.csv")
    assert overlap.rows_duplicate == again.rows_valid
    assert ToolRecord.objects.filter(source="jira").count() == overlap.rows_valid
    assert_figures(stored_figures(), expected_figures(world, second))


def test_data_pipeline_issues_file_gives_the_same_figures(world, tmp_path):
    issues = realistic_issues(seed=3, count=60)
    run = run_import(
        tmp_path, "jira", samples.jira_pipeline_csv(issues), "issues_job1_20250324.csv"
    )
    assert run.rows_invalid == 0
    assert_figures(stored_figures(), expected_figures(world, issues))


def test_every_bad_row_is_refused_with_its_line_and_nothing_is_imported(world, tmp_path):
    resolved = at(WEEKS[0], 15)
    good = (
        samples.jira_cloud_csv(
            [
                {
                    "key": "PAY-1",
                    "type": "Bug",
                    "created": at(WEEKS[0]),
                    "resolved": resolved,
                    "assignee_id": "acc-ana",
                }
            ]
        )
        .decode()
        .splitlines()
    )
    header, row = good[0], good[1]
    cells = next(csv.reader([row]))
    key_at, created_at, resolved_at = (
        samples.JIRA_CLOUD_HEADER.index(c) for c in ("Issue key", "Created", "Resolved")
    )

    def variant(**changes):
        copy = list(cells)
        for position, value in changes.items():
            copy[int(position[1:])] = value
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="").writerow(copy)
        return buffer.getvalue()

    lines = [
        header,
        row,  # line 2: fine
        ",".join(cells[2:7]),  # 3: too few columns
        variant(**{f"c{created_at}": "yesterday"}),  # 4: Created not a date
        variant(**{f"c{resolved_at}": "31/Foo/25 9:00 AM"}),  # 5: Resolved not a date
        variant(**{f"c{created_at}": "20/Mar/26 9:00 AM"}),  # 6: resolved before created
        variant(**{f"c{key_at}": ""}),  # 7: no issue key
        variant(**{f"c{key_at}": "K" * 201}),  # 8: id too long
        '"unclosed',  # 9: CSV that cannot be read (an unterminated quote at the end)
    ]
    content = (
        ("\n".join(lines[:-1]) + "\n").encode()
        + b"\xff\xfe broken,\n"
        + (lines[-1] + "\n").encode()
    )
    with pytest.raises(services.InvalidRows) as refused:
        run_import(tmp_path, "jira", content, "bad.csv")
    errors = {e["line"]: e["reason"] for e in refused.value.report.errors}
    assert "expected 21 columns" in errors[3]
    assert "Created 'yesterday' is not a date" in errors[4]
    assert "Resolved '31/Foo/25 9:00 AM' is not a date" in errors[5]
    assert "is before Created" in errors[6]
    assert "no id" in errors[7]
    assert "longer than 200" in errors[8]
    assert "not UTF-8" in errors[9]
    assert 10 in errors  # the unterminated quote
    assert 2 not in errors
    assert not ToolRecord.objects.exists()
    assert not OutcomeObservation.objects.exists()
    # With --import-valid the good row goes in and the bad ones are reported.
    run = run_import(tmp_path, "jira", content, "bad.csv", allow_invalid=True)
    assert run.rows_inserted == 1
    assert run.rows_invalid == 8


def test_a_file_without_jira_columns_is_rejected_whole(world, tmp_path):
    with pytest.raises(services.FileRejected, match="Issue key"):
        run_import(tmp_path, "jira", b"team,measure\npayments,1\n", "x.csv")


def test_team_week_from_fewer_than_min_group_size_people_is_stored_with_its_people(
    world, tmp_path, settings
):
    """Platform (two people) gets its figure stored with people=2; the rollup keeps that
    count, so the dashboard suppresses it like any other figure of fewer than five."""
    issues = [
        {
            "key": f"PLT-{n}",
            "type": "Task",
            "created": at(WEEKS[0]),
            "resolved": at(WEEKS[0], 12 + n),
            "assignee_id": f"acc-{name}",
        }
        for n, name in enumerate(["kim", "lou", "kim"])
    ]
    run_import(tmp_path, "jira", samples.jira_cloud_csv(issues), "jira.csv")
    platform = world.teams["platform"].pk
    observation = OutcomeObservation.objects.get(team_id=platform, measure__key="cycle_time_days")
    assert (observation.sample_size, observation.people) == (3, 2)
    services.rollup_rebuild()
    rollup = WeeklyRollup.objects.get(team_id=platform, metric="cycle_time_days")
    assert rollup.people == 2 < settings.MIN_GROUP_SIZE


def test_import_source_command_reports_unmatched_logins(world, tmp_path, capsys):
    path = tmp_path / "jira.csv"
    path.write_bytes(
        samples.jira_cloud_csv(
            [
                {
                    "key": "PAY-1",
                    "type": "Bug",
                    "created": at(WEEKS[0]),
                    "resolved": at(WEEKS[0], 16),
                    "assignee_id": "acc-ana",
                },
                {
                    "key": "PAY-2",
                    "type": "Bug",
                    "created": at(WEEKS[0]),
                    "resolved": at(WEEKS[0], 16),
                    "assignee_id": "acc-zed",
                },
            ]
        )
    )
    call_command("import_source", "jira", str(path))
    out, err = capsys.readouterr()
    assert "2 rows, 1 new" in out
    assert "acc-zed: 1 rows" in err
    with pytest.raises(CommandError):
        call_command("import_source", "jira", str(tmp_path / "missing.csv"))
