"""A leader reads the impact estimate on the outcomes dashboard in a real Chromium: the
estimate in words with its interval, the event-study chart drawn by Chart.js with its
interval band, and the accessible table beside it. No console errors, so no CSP breach
(the chart's data arrives through json_script, never an inline script)."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from metrics import services
from tests.factories import PASSWORD, PathwayFactory, TeamFactory, UserFactory
from tests.metrics.impact_panels import panel_write, planted_panel
from upskill.models import Team

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

IMPACT_CHART = """() => {
  const canvas = document.querySelector('canvas[data-impact-chart="cycle_time_days"]');
  const chart = canvas && typeof Chart === "function" ? Chart.getChart(canvas) : undefined;
  return chart ? {
    datasets: chart.data.datasets.length,
    points: chart.data.labels.length,
    width: canvas.width,
    height: canvas.height,
  } : null;
}"""


def test_leader_sees_the_estimate_its_interval_and_the_event_study_chart(
    live_server, page, console_errors
):
    pathway = PathwayFactory()
    leader = UserFactory(username="impact-leader")
    department = TeamFactory(name="Department", slug="department", leaders=[leader])
    teams = panel_write(
        planted_panel(teams=24, effect=-0.6, seed=51),
        first_week=dt.date(2025, 1, 6),
        pathway=pathway,
    )
    Team.objects.filter(pk__in=[t.pk for t in teams]).update(parent=department)
    services.rollup_rebuild()
    services.impact_estimates_compute(
        team_ids=[department.pk, *(t.pk for t in teams)], pathway_id=None
    )

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("impact-leader")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{live_server.url}/dashboard/?start=2025-06-02&end=2025-12-29")

    card = page.locator("section.card", has=page.get_by_role("heading", name="Cycle time"))
    expect(card.locator(".impact-sentence")).to_contain_text("Cycle time fell by 0.")
    expect(card.locator(".impact-sentence")).to_contain_text("(95% CI 0.")
    expect(card.locator(".impact-sentence")).to_contain_text(
        "compared with teams that had not started yet"
    )
    expect(card.get_by_text("95% interval", exact=True)).to_be_visible()
    page.wait_for_function(
        """() => typeof Chart === "function" && Chart.getChart(
             document.querySelector('canvas[data-impact-chart="cycle_time_days"]')) !== undefined"""
    )
    drawn = page.evaluate(IMPACT_CHART)
    assert drawn["datasets"] == 3  # the interval's two edges (a filled band) and the effect
    assert drawn["points"] >= 10
    assert drawn["width"] > 0
    assert drawn["height"] > 0
    table = card.locator("table.impact-table")
    expect(table.locator("caption")).to_contain_text("effect by week from adoption")
    expect(table.locator("tbody tr")).to_have_count(drawn["points"])
    assert console_errors == []
