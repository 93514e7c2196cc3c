"""A leader of the demo organisation reads the outcomes dashboard in a real Chromium:
every chart is drawn by Chart.js, narrowing to one team updates the page in place (and
the URL, so the view can be shared), and the CSV download holds that team's rollups with
no cell a spreadsheet would evaluate. No console errors on the way, so no CSP violation
either: the policy forbids inline scripts and styles and Chromium reports each breach
as a console error.

After an htmx swap the charts are drawn again from the swapped-in json_script block
(htmx keeps non-JavaScript script elements; it once was configured to strip them all)."""

import csv
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD
from tests.browser.axe import assert_no_serious_axe_violations
from upskill.models import Team

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so rows must be committed; see
    # tests/browser/test_sign_in.py for why serialized_rollback.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

EXPORT_HEADER = ["team", "week_start", "pathway", "metric", "value", "people", "note"]
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


# How many canvases have a Chart.js chart attached, and how many are drawn with a size.
CHARTS_DRAWN = """() => {
  const canvases = [...document.querySelectorAll("canvas[data-chart]")];
  return {
    canvases: canvases.length,
    charts: canvases.filter((c) => Chart.getChart(c) !== undefined).length,
    sized: canvases.filter((c) => c.width > 0 && c.height > 0).length,
  };
}"""


def wait_for_every_chart(page, timeout: int = 10_000) -> dict:
    # Chart.js and dashboard.js are deferred scripts: wait for the drawing rather than
    # racing the parser (and, after an htmx swap, for the redraw on htmx:afterSettle).
    # Predicates are functions, never bare expressions: Playwright eval()s an expression
    # when it re-polls, which the CSP (no 'unsafe-eval') refuses.
    page.wait_for_function(
        """() => typeof Chart === "function" && [...document.querySelectorAll(
             "canvas[data-chart]")].every((c) => Chart.getChart(c) !== undefined)""",
        timeout=timeout,
    )
    return page.evaluate(CHARTS_DRAWN)


def drill_teams(page) -> list[str]:
    return page.locator("table.drill tbody th[scope=row]").all_inner_texts()


def sign_in_as_leader(page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("leader")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{base}/dashboard/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Outcomes dashboard")


def first_team_of_the_leader() -> tuple[Team, Team]:
    """The department the demo's leader leads, and its first working team."""
    department = Team.objects.get(leaders__username="leader")
    return department, department.children.order_by("name").first()


def learning_minutes_table(page):
    return page.locator("section.chart", has=page.locator('canvas[data-chart="learning_minutes"]'))


def test_leader_sees_charts_narrows_to_one_team_and_downloads_its_csv(
    live_server, page, console_errors
):
    call_command("seed_demo")  # the demo rolls up at the end of its seed
    department, team = first_team_of_the_leader()
    base = live_server.url
    sign_in_as_leader(page, base)

    # Every outcome measure and attendance input has its chart drawn, with a size.
    drawn = wait_for_every_chart(page)
    assert drawn["canvases"] >= 4
    assert drawn["charts"] == drawn["sized"] == drawn["canvases"]
    assert_no_serious_axe_violations(page, "dashboard")
    # Unfiltered, the drill-down shows the top team the leader sees: the department.
    assert drill_teams(page) == [department.name]
    department_minutes = learning_minutes_table(page).locator("tbody").inner_text()

    # Narrow to one team through the filter: htmx swaps the body and pushes the URL.
    page.wait_for_function("() => typeof htmx === 'object'", timeout=5_000)
    page.get_by_label("Team").select_option(label=team.name)
    expect(page).to_have_url(re.compile(rf"[?&]team={re.escape(team.slug)}(&|$)"))
    # A working team has no teams below it, and its figures are its own, not the
    # department's.
    expect(page.locator("table.drill tbody")).to_contain_text("No teams below this one.")
    expect(learning_minutes_table(page).locator("tbody")).not_to_have_text(department_minutes)
    expect(page.get_by_label("Team")).to_have_value(team.slug)

    assert_no_serious_axe_violations(
        page, "dashboard, one team"
    )  # The pushed URL is shareable: opened afresh it shows the same team, charts drawn.
    page.reload()
    expect(page.get_by_label("Team")).to_have_value(team.slug)
    reloaded = wait_for_every_chart(page)
    assert reloaded["charts"] == reloaded["sized"] == drawn["canvases"]

    # The CSV is the chosen team's rollups, with the dashboard's filters.
    link = page.get_by_role("link", name="Download CSV")
    assert parse_qs(urlparse(link.get_attribute("href")).query)["team"] == [team.slug]
    with page.expect_download() as download_info:
        link.click()
    download = download_info.value
    assert download.failure() is None
    with open(download.path(), encoding="utf-8", newline="") as exported:
        rows = list(csv.reader(exported))
    assert rows[0] == EXPORT_HEADER
    assert len(rows) > 1
    assert {row[0] for row in rows[1:]} == {team.slug}
    # Numbers (negative ones too) are numbers; any other cell that starts like a formula
    # must carry the leading ' that disarms it.
    unescaped = [
        cell
        for row in rows
        for cell in row
        if cell.startswith(FORMULA_STARTS) and not _is_number(cell)
    ]
    assert unescaped == []

    assert console_errors == []


def test_charts_are_redrawn_after_the_team_filter_changes(live_server, page, console_errors):
    call_command("seed_demo")
    _department, team = first_team_of_the_leader()
    sign_in_as_leader(page, live_server.url)
    canvases = wait_for_every_chart(page)["canvases"]

    page.wait_for_function("() => typeof htmx === 'object'", timeout=5_000)
    page.get_by_label("Team").select_option(label=team.name)
    expect(page.locator("table.drill tbody")).to_contain_text("No teams below this one.")

    assert wait_for_every_chart(page, timeout=3_000)["charts"] == canvases
    assert console_errors == []
