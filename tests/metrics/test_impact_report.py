"""`python manage.py impact_report`: the estimates, in words or as JSON of one shape."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from metrics import services
from tests.factories import PathwayFactory
from tests.metrics.impact_panels import panel_write, planted_panel

pytestmark = pytest.mark.django_db

FIRST_WEEK = dt.date(2025, 1, 6)


def _report(*args) -> str:
    out = StringIO()
    call_command("impact_report", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def pathway():
    pathway = PathwayFactory(slug="ai-basics")
    panel_write(
        planted_panel(teams=24, effect=-0.6, seed=21), first_week=FIRST_WEEK, pathway=pathway
    )
    services.rollup_rebuild()
    return pathway


def test_json_has_exactly_the_documented_shape(pathway):
    report = json.loads(_report("--measure", "cycle_time_days", "--pathway", "ai-basics", "--json"))

    assert set(report) == {"measure", "status", "estimate", "event_study", "mde", "reason"}
    assert report["measure"] == "cycle_time_days"
    assert report["status"] == "ok"
    assert set(report["estimate"]) == {
        "effect",
        "ci95",
        "relative",
        "p_value",
        "method",
        "treated_teams",
        "comparison_teams",
        "pre_trend_p",
    }
    low, high = report["estimate"]["ci95"]
    assert low <= -0.6 <= high < 0  # negative = lower, in the measure's own unit (days)
    assert report["estimate"]["relative"] < 0
    assert "Callaway-Sant'Anna" in report["estimate"]["method"]
    assert all(set(row) == {"week", "effect", "ci95"} for row in report["event_study"])
    assert report["mde"] > 0


def test_words_say_what_fell_by_how_much_and_against_whom(pathway):
    text = _report("--measure", "cycle_time_days", "--team", "impact-team-0")

    # One team alone is not enough: what is missing is said.
    assert "not enough data yet" in text
    assert "needs" in text

    text = _report("--measure", "cycle_time_days")
    assert text.startswith("Cycle time fell by 0.")
    assert "(95% CI 0." in text
    assert "compared with teams that had not started yet" in text


def test_measures_without_data_are_insufficient_and_listed_in_an_array(pathway):
    reports = json.loads(_report("--json"))

    assert {r["measure"] for r in reports} >= {"cycle_time_days", "quality_score"}
    quality = next(r for r in reports if r["measure"] == "quality_score")
    assert quality["status"] == "insufficient_data"
    assert quality["estimate"] is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--measure", "nope"], "There is no measure 'nope'"),
        (["--pathway", "nope"], "There is no pathway 'nope'"),
        (["--team", "nope"], "There is no team 'nope'"),
    ],
)
def test_unknown_names_are_refused_with_a_message(db, args, message):
    with pytest.raises(CommandError, match=message):
        _report(*args)
