"""A leader of the demo organisation checks the dashboard's story in a real Chromium:
a team's learning minutes are the same in the department's drill-down, on the team's
own dashboard (its weekly chart table added up) and in the CSV download; and a chart
with no figure says why in place instead of showing an empty frame."""

import csv
import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_dashboard import first_team_of_the_leader, sign_in_as_leader

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _whole(text: str) -> int:
    return 0 if text.strip() == "—" else int(text.strip())


def test_drill_down_own_dashboard_and_csv_tell_the_same_story(live_server, page, console_errors):
    call_command("seed_demo")
    department, team = first_team_of_the_leader()
    base = live_server.url
    sign_in_as_leader(page, base)
    # Twelve whole weeks up to last Sunday: Monday to Sunday, so not snapped.
    today = timezone.localdate()
    sunday = today - dt.timedelta(days=today.weekday() + 1)
    monday = sunday - dt.timedelta(days=12 * 7 - 1)
    week_range = f"start={monday}&end={sunday}"

    page.goto(f"{base}/dashboard/?team={department.slug}&{week_range}")
    headers = page.locator("table.drill thead th").all_inner_texts()
    column = headers.index("Learning minutes")
    row = page.locator("table.drill tbody tr", has=page.get_by_role("link", name=team.name))
    drill_minutes = _whole(row.locator("th, td").nth(column).inner_text())
    expect(page.locator(".suppression-note")).to_contain_text("excluding groups under 5 people")
    expect(page.locator(".snapped-note")).to_have_count(0)

    page.goto(f"{base}/dashboard/?team={team.slug}&{week_range}")
    chart = page.locator("section.chart", has=page.locator("#chart-learning_minutes-title"))
    weekly = [_whole(t) for t in chart.locator("tbody td").all_inner_texts()]

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download CSV").click()
    with open(download_info.value.path(), encoding="utf-8", newline="") as exported:
        rows = list(csv.DictReader(exported))
    exported_minutes = sum(float(r["value"]) for r in rows if r["metric"] == "learning_minutes")

    assert drill_minutes > 0
    assert drill_minutes == sum(weekly) == exported_minutes
    assert all(int(r["people"]) >= 5 for r in rows)  # hidden cells are not in the file

    # A range not on week boundaries is snapped, and the page says so.
    wednesday = monday + dt.timedelta(days=2)
    page.goto(f"{base}/dashboard/?team={team.slug}&start={wednesday}&end={sunday}")
    expect(page.locator(".snapped-note")).to_contain_text(
        f"Showing whole weeks, {monday.day} {monday:%b %Y}"
    )

    # One team and one pathway: whatever has no published week says why in place.
    page.goto(f"{base}/dashboard/?team={team.slug}&{week_range}")
    pathways = page.locator("select[name=pathway] option").all_inner_texts()[1:]
    reasons = []
    for title in pathways:
        page.locator("select[name=pathway]").select_option(label=title)
        page.wait_for_load_state("networkidle")
        reasons += page.locator("section.chart .hidden-reason").all_inner_texts()
        if reasons:
            break
    assert reasons, "no pathway of this team has a hidden chart to check"
    assert all(r.startswith("No figures: fewer than 5 people") for r in reasons)
    assert console_errors == []
