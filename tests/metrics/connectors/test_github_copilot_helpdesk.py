"""GitHub pull requests, Copilot usage and Zendesk/Freshdesk satisfaction: each export
to its weekly figures per team, computed here independently; movers, unmatched logins,
re-imports and bad rows (by line) for each."""

import datetime as dt
import json
import random
import statistics
from collections import defaultdict

import pytest

from metrics import services
from metrics.models import OutcomeMeasure, OutcomeObservation, ToolRecord
from tests.metrics.connectors import samples
from tests.metrics.connectors.conftest import agent_id, at, monday, run_import

WEEKS = [dt.date(2025, 3, 3), dt.date(2025, 3, 10)]
AUTHORS = ["ana", "ben", "cal", "dee", "eve", "fay", "gus", "hal", "ivy", "jon", "mo", "kim"]


def figures(source: str) -> dict:
    return {
        (o.team_id, o.period_start, o.measure.key): (o.value, o.sample_size, o.people)
        for o in OutcomeObservation.objects.filter(source=source).select_related("measure")
    }


def assert_figures(actual: dict, expected: dict) -> None:
    assert actual.keys() == expected.keys()
    for key, (value, n, people) in expected.items():
        assert actual[key][0] == pytest.approx(value, abs=1e-9), key
        assert actual[key][1:] == (n, people), key


# --- GitHub pull requests ------------------------------------------------------------------


def pulls(seed: int, count: int, repo: str) -> list[dict]:
    rng = random.Random(seed)
    result = []
    for number in range(1, count + 1):
        merged = at(rng.choice(WEEKS) + dt.timedelta(days=rng.randrange(7)), rng.randrange(8, 19))
        created = merged - dt.timedelta(seconds=rng.randrange(600, 86400 * 6))
        login = rng.choice(AUTHORS + ["outsider"]) + ("-gh" if True else "")
        login = login.upper() if rng.random() < 0.5 else login  # GitHub logins ignore case
        result.append(
            samples.github_pull(
                repo, number, login, created, merged if rng.random() > 0.15 else None
            )
        )
    return result


def expected_prs(world, items: list[dict]) -> dict:
    groups = defaultdict(list)
    for pull in items:
        name = pull["user"]["login"].lower().removesuffix("-gh")
        if pull["merged_at"] is None or name not in world.people:
            continue
        created = dt.datetime.fromisoformat(pull["created_at"])
        merged = dt.datetime.fromisoformat(pull["merged_at"])
        groups[(world.team_of(name), monday(merged))].append(
            (name, (merged - created).total_seconds() / 3600)
        )
    return {
        (team, week, "pr_cycle_time_hours"): (
            statistics.median(h for _n, h in rows),
            len(rows),
            len({n for n, _h in rows}),
        )
        for (team, week), rows in groups.items()
    }


def test_pull_requests_of_two_repositories_give_weekly_median_per_authors_team(world, tmp_path):
    web, api = pulls(1, 60, "acme/web"), pulls(2, 50, "acme/api")
    content = samples.github_json([web[:30], web[30:]]) + b"\n" + samples.github_json([api])
    run = run_import(tmp_path, "github-prs", content, "pulls.json")
    assert run.rows_invalid == 0
    assert_figures(figures("github"), expected_prs(world, web + api))
    assert run.unmatched_logins.keys() == {"outsider-gh"}
    assert run.rows_skipped == {
        "pull request not merged": sum(1 for p in web + api if p["merged_at"] is None)
    }
    assert OutcomeMeasure.objects.get(key="pr_cycle_time_hours").direction == "lower"
    # mo moved to checkout: every PR of theirs counts there.
    mo = [
        key
        for key in figures("github")
        if ToolRecord.objects.filter(source="github", person=world.people["mo"]).exists()
    ]
    assert mo
    assert world.people["mo"].team_id == world.teams["checkout"].pk
    again = run_import(tmp_path, "github-prs", content, "pulls.json")
    assert again.rows_inserted == 0
    assert again.rows_duplicate == run.rows_valid


def test_bad_pull_requests_are_refused_by_the_line_they_start_on(world, tmp_path):
    good = samples.github_pull("acme/web", 1, "ana-gh", at(WEEKS[0]), at(WEEKS[0], 16))
    no_login = {
        **samples.github_pull("acme/web", 2, "ana-gh", at(WEEKS[0]), at(WEEKS[0], 16)),
        "user": None,
    }
    bad_date = {
        **samples.github_pull("acme/web", 3, "ana-gh", at(WEEKS[0]), at(WEEKS[0], 16)),
        "merged_at": "soon",
    }
    backwards = samples.github_pull("acme/web", 4, "ana-gh", at(WEEKS[0], 16), at(WEEKS[0], 9))
    no_number = {k: v for k, v in good.items() if k != "number"}
    items = [good, no_login, bad_date, backwards, no_number, 42]
    content = json.dumps(items, indent=2).encode()
    starts = [
        n
        for n, line in enumerate(content.decode().splitlines(), start=1)
        if line in ("  {", "  42")
    ]
    with pytest.raises(services.InvalidRows) as refused:
        run_import(tmp_path, "github-prs", content, "pulls.json")
    errors = {e["line"]: e["reason"] for e in refused.value.report.errors}
    assert list(errors) == starts[1:]
    reasons = list(errors.values())
    assert "user.login is missing" in reasons[0]
    assert "merged_at 'soon' is not a date" in reasons[1]
    assert "merged_at is before created_at" in reasons[2]
    assert "number is missing" in reasons[3]
    assert "expected a JSON object" in reasons[4]
    assert not ToolRecord.objects.exists()
    with pytest.raises(services.FileRejected, match="Line 4: not valid JSON"):
        run_import(tmp_path, "github-prs", b'[\n  {"number": 1},\n  {"number": \n', "broken.json")


# --- Copilot ---------------------------------------------------------------------------------


def test_copilot_daily_report_gives_active_share_and_acceptances_per_active_user(world, tmp_path):
    rng = random.Random(5)
    records = []
    for week in WEEKS:
        for name in AUTHORS + ["stranger"]:
            for offset in rng.sample(range(5), rng.randrange(0, 4)):
                records.append(
                    samples.copilot_record(
                        week + dt.timedelta(days=offset),
                        f"{name}-gh",
                        rng.randrange(0, 6),
                        rng.randrange(0, 20),
                        rng.randrange(0, 12),
                    )
                )
    run = run_import(tmp_path, "copilot", samples.ndjson(records), "copilot.ndjson")
    assert run.rows_invalid == 0
    assert set(run.unmatched_logins) == {"stranger-gh"}
    seats = defaultdict(set)  # everyone but sam/tia has a GitHub login
    for name, person in world.people.items():
        if name not in ("sam", "tia"):
            seats[person.team_id].add(name)
    active = defaultdict(set)
    accepted = defaultdict(int)
    for record in records:
        name = record["user_login"].removesuffix("-gh")
        if name not in world.people:
            continue
        counts = (
            record["user_initiated_interaction_count"],
            record["code_generation_activity_count"],
            record["code_acceptance_activity_count"],
        )
        key = (world.team_of(name), monday(at(dt.date.fromisoformat(record["day"]))))
        active.setdefault(key, set())
        if sum(counts) > 0:
            active[key].add(name)
            accepted[key] += counts[2]
    expected = {}
    for (team, week), users in active.items():
        expected[(team, week, "ai_active_share")] = (
            len(users) / len(seats[team]),
            len(seats[team]),
            len(seats[team]),
        )
        if users:
            expected[(team, week, "ai_acceptances_per_user")] = (
                accepted[(team, week)] / len(users),
                len(users),
                len(users),
            )
    assert_figures(figures("copilot"), expected)
    bad = (
        samples.ndjson(records[:2])
        + b'{"day": "2025-13-01", "user_login": "ana-gh"}\n{"day": \n'
        + json.dumps({**records[0], "code_acceptance_activity_count": -1}).encode()
        + b"\n"
    )
    with pytest.raises(services.InvalidRows) as refused:
        run_import(tmp_path, "copilot", bad, "bad.ndjson")
    errors = {e["line"]: e["reason"] for e in refused.value.report.errors}
    assert "day '2025-13-01' is not an ISO 8601 date" in errors[3]
    assert "not valid JSON" in errors[4]
    assert "code_acceptance_activity_count -1" in errors[5]


# --- Zendesk and Freshdesk -------------------------------------------------------------------


def test_zendesk_and_freshdesk_ratings_give_weekly_csat_share_with_sample_size(world, tmp_path):
    rng = random.Random(9)
    agents = ["ana", "ben", "cal", "dee", "eve", "fay", "gus", "mo"]
    zendesk = [
        samples.zendesk_rating(
            n,
            agent_id(rng.choice(agents)),
            rng.choice(["good", "good", "bad", "offered"]),
            at(rng.choice(WEEKS) + dt.timedelta(days=rng.randrange(7))),
        )
        for n in range(1, 80)
    ] + [samples.zendesk_rating(500, 123456, "good", at(WEEKS[0]))]
    fresh = [
        samples.freshdesk_rating(
            n,
            agent_id(rng.choice(agents)) + 1000,
            rng.choice([103, 102, 101, 100, -101, -103]),
            at(rng.choice(WEEKS) + dt.timedelta(days=rng.randrange(7))),
        )
        for n in range(1, 60)
    ]
    zd = run_import(tmp_path, "zendesk", samples.zendesk_json(zendesk), "ratings.json")
    fd = run_import(tmp_path, "freshdesk", json.dumps(fresh, indent=2).encode(), "fd.json")
    assert zd.unmatched_logins == {"123456": 1}
    assert zd.rows_skipped == {
        "rating offered but not given": sum(r["score"] == "offered" for r in zendesk)
    }
    assert fd.rows_skipped == {
        "neutral rating": sum(r["ratings"]["default_question"] == 100 for r in fresh)
    }
    by_id = {agent_id(name): name for name in agents}

    def expected(rows, agent, good):
        groups = defaultdict(list)
        for rating in rows:
            verdict = good(rating)
            name = by_id.get(rating[agent] if agent == "assignee_id" else rating[agent] - 1000)
            if verdict is None or name is None:
                continue
            when = dt.datetime.fromisoformat(rating["created_at"])
            groups[(world.team_of(name), monday(when))].append((name, verdict))
        return {
            (team, week, "csat_share"): (
                sum(v for _n, v in r) / len(r),
                len(r),
                len({n for n, _v in r}),
            )
            for (team, week), r in groups.items()
        }

    assert_figures(
        figures("zendesk"),
        expected(zendesk, "assignee_id", lambda r: {"good": True, "bad": False}.get(r["score"])),
    )

    def fd_score(r):
        return (
            None
            if r["ratings"]["default_question"] == 100
            else r["ratings"]["default_question"] > 100
        )  # noqa: E731

    assert_figures(figures("freshdesk"), expected(fresh, "agent_id", fd_score))
    assert OutcomeMeasure.objects.get(key="csat_share").direction == "higher"
    # The same ratings as CSV columns; re-importing them adds nothing.
    csv_text = "id,score,assignee_id,created_at\n" + "".join(
        f"{r['id']},{r['score']},{r['assignee_id']},{r['created_at']}\n" for r in zendesk
    )
    again = run_import(tmp_path, "zendesk", csv_text.encode(), "ratings.csv")
    assert again.rows_inserted == 0
    assert again.rows_duplicate == zd.rows_valid
    bad = (
        "id,score,assignee_id,created_at\n1,great,9000,2025-03-03T10:00:00Z\n"
        "2,good,9000,never\n,bad,9000,2025-03-03T10:00:00Z\n"
    )
    with pytest.raises(services.InvalidRows) as refused:
        run_import(tmp_path, "zendesk", bad.encode(), "bad.csv")
    errors = {e["line"]: e["reason"] for e in refused.value.report.errors}
    assert "score 'great'" in errors[2]
    assert "created_at 'never'" in errors[3]
    assert "no id" in errors[4]
    with pytest.raises(services.InvalidRows) as refused:
        run_import(
            tmp_path,
            "freshdesk",
            json.dumps([{**fresh[0], "ratings": {"default_question": 7}}]).encode(),
            "bad.json",
        )
    assert refused.value.report.errors[0]["line"] == 1


def test_copilot_reimport_and_overlapping_report_count_each_user_day_once(world, tmp_path):
    first = [
        samples.copilot_record(WEEKS[0] + dt.timedelta(days=d), f"{name}-gh", 2, 5, 3)
        for d in range(3)
        for name in ("ana", "ben", "fay")
    ]
    later = first[3:] + [samples.copilot_record(WEEKS[0] + dt.timedelta(days=4), "ana-gh", 1, 4, 2)]
    run = run_import(tmp_path, "copilot", samples.ndjson(first), "one.ndjson")
    before = figures("copilot")
    again = run_import(tmp_path, "copilot", samples.ndjson(first), "one.ndjson")
    assert again.rows_inserted == 0
    assert again.rows_duplicate == run.rows_valid == 9
    assert figures("copilot") == before
    overlap = run_import(tmp_path, "copilot", samples.ndjson(later), "two.ndjson")
    assert (overlap.rows_inserted, overlap.rows_duplicate) == (1, 6)
    payments = world.teams["payments"].pk
    # ana and ben active in payments' week: 3 + 3 + 2 accepted... per active user.
    value, n, _people = figures("copilot")[(payments, WEEKS[0], "ai_acceptances_per_user")]
    assert (value, n) == ((3 * 3 + 3 * 3 + 2) / 2, 2)


def test_freshdesk_mover_unmatched_agents_and_reimport(world, tmp_path):
    when = at(WEEKS[0] + dt.timedelta(days=1))
    ratings = [
        samples.freshdesk_rating(1, agent_id("mo") + 1000, 103, when),  # mo, now in checkout
        samples.freshdesk_rating(2, agent_id("mo") + 1000, -101, when),
        samples.freshdesk_rating(3, agent_id("fay") + 1000, 102, when),
        samples.freshdesk_rating(4, 777, 103, when),  # nobody's agent id
        samples.freshdesk_rating(5, 777, -103, when),
        samples.freshdesk_rating(6, 778, 101, when),
        samples.freshdesk_rating(7, agent_id("ana") + 1000, 103, when),  # payments
    ]
    content = json.dumps(ratings, indent=2).encode()
    run = run_import(tmp_path, "freshdesk", content, "fd.json")
    assert run.unmatched_logins == {"777": 2, "778": 1}
    assert not ToolRecord.objects.filter(source_id__in=["4", "5", "6"]).exists()
    checkout, payments = world.teams["checkout"].pk, world.teams["payments"].pk
    stored = figures("freshdesk")
    # mo's ratings count for checkout, their current team, beside fay's: 2 good of 3.
    assert stored[(checkout, WEEKS[0], "csat_share")] == (pytest.approx(2 / 3), 3, 2)
    assert stored[(payments, WEEKS[0], "csat_share")] == (1.0, 1, 1)
    again = run_import(tmp_path, "freshdesk", content, "fd.json")
    assert again.rows_inserted == 0
    assert again.rows_duplicate == run.rows_valid == 4
    assert figures("freshdesk") == stored
