"""Tried as a new user would: an L&D admin exports the demo's HR files, changes a few
rows (a joiner, a mover into a new team who also gets a new GitHub login, a leaver),
uploads them on the Organisation page in a real Chromium, reads the plan, confirms — and
sees the change on the pages: the joiner is a colleague to recognise, the new team can
be assigned a pathway, the mover's new login is in the identity map from today, and the
leaver can no longer sign in. Screenshots at desktop width and at 390 px; axe-core on
every state."""

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from demo.hr_export import hr_files_export
from demo.seed import DEMO_PASSWORD, demo_organisation_seed
from metrics.models import ToolLogin
from pathways.models import Pathway
from tests.browser.axe import assert_no_serious_axe_violations
from upskill.models import Person, Team

pytestmark = [
    pytest.mark.browser,
    pytest.mark.usefixtures("eager_celery"),
    # The live server runs in another thread, so rows must be committed; see
    # tests/browser/test_sign_in.py for why serialized_rollback.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "browser"


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def edited_files(directory: Path) -> tuple[Path, Path, dict]:
    """The exported files with a joiner, a mover into a new team (with a new GitHub
    login) and a leaver."""
    teams_path, people_path = hr_files_export(directory=directory)
    employee = Person.objects.select_related("team", "job_role").get(user__username="employee")
    manager = Person.objects.get(user__username="manager")
    root = Team.objects.get(parent__isnull=True)
    # Two ordinary members of another team, who manage nobody.
    others = list(
        Person.objects.exclude(team=employee.team)
        .filter(reports__isnull=True, team__children__isnull=True, team__parent__isnull=False)
        .exclude(user__username__in=["employee", "manager", "leader"])
        .select_related("user", "team")
        .order_by("employee_id")[:2]
    )
    mover, leaver = others
    with teams_path.open("a", encoding="utf-8", newline="") as out:
        csv.writer(out).writerow(["T-ai-guild", "AI Guild", root.external_id, ""])
    rows = list(csv.reader(io.StringIO(people_path.read_text(encoding="utf-8"))))
    github = rows[0].index("github_login")
    for row in rows:
        if row[0] == mover.employee_id:
            row[4], row[6] = "T-ai-guild", ""
            row[github] = "ai-guild-mover"
        if row[0] == leaver.employee_id:
            row[7] = "leaver"
    rows.append(
        [
            "E90001",
            "nia.joiner@kestrel.example",
            "Nia",
            "Joiner",
            employee.team.external_id,
            employee.job_role.name,
            manager.employee_id,
            "active",
            "nia-gh",
        ]
    )
    with people_path.open("w", encoding="utf-8", newline="") as out:
        csv.writer(out).writerows(rows)
    return teams_path, people_path, {"mover": mover, "leaver": leaver, "employee": employee}


def test_admin_syncs_edited_demo_files_and_sees_the_change(live_server, page, tmp_path):
    demo_organisation_seed()
    teams_path, people_path, who = edited_files(tmp_path / "hr")
    mover, leaver = who["mover"], who["leaver"]
    base = live_server.url
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    sign_in(page, base, "admin")
    page.get_by_role("navigation").get_by_role("link", name="Organisation").first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisation")
    expect(page.locator(".import-formats")).to_contain_text("github_login")
    assert_no_serious_axe_violations(page, "organisation, upload")
    page.get_by_label("Teams file").set_input_files(teams_path)
    page.get_by_label("People file").set_input_files(people_path)
    page.get_by_role("button", name="Upload and plan").click()

    # The job plans the files; the page polls until the plan is there.
    status = page.locator("#hr-sync-run-status")
    expect(status.locator(".badge")).to_have_text("Planned — waiting for confirmation")
    expect(status).to_contain_text("New teams: 1")
    expect(status).to_contain_text("AI Guild (T-ai-guild)")
    expect(status).to_contain_text("Nia Joiner (E90001), nia.joiner@kestrel.example: joins")
    expect(status).to_contain_text(f"({mover.employee_id}): {mover.team.name} → AI Guild")
    expect(status).to_contain_text(f"({leaver.employee_id}), of {leaver.team.name}")
    expect(status).to_contain_text("dashboards count a person's history for their current team")
    # The login changes, by name, dated by the sync.
    old_login = f"{mover.user.username}-gh".lower()
    expect(status).to_contain_text("Tool login changes: 2")
    expect(status).to_contain_text(
        f"({mover.employee_id}): GitHub login {old_login} → ai-guild-mover from "
    )
    expect(status).to_contain_text("Nia Joiner (E90001): GitHub login nia-gh from the start")
    assert Person.objects.filter(employee_id="E90001").count() == 0
    assert not ToolLogin.objects.filter(login="ai-guild-mover").exists()
    assert_no_serious_axe_violations(page, "organisation, sync planned")
    page.screenshot(path=SCREENSHOTS / "organisation-plan.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_role("button", name="Apply this plan")).to_be_visible()
    assert_no_serious_axe_violations(page, "organisation, sync planned, 390 px")
    page.screenshot(path=SCREENSHOTS / "organisation-plan-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})

    page.get_by_role("button", name="Apply this plan").click()
    expect(status.locator(".badge")).to_have_text("Applied")
    expect(status).to_contain_text("What changed")
    assert_no_serious_axe_violations(page, "organisation, sync applied")
    page.screenshot(path=SCREENSHOTS / "organisation-applied.png", full_page=True)
    today = timezone.localdate()
    assert set(
        ToolLogin.objects.filter(person=mover, system="github").values_list(
            "login", "valid_from", "valid_to"
        )
    ) == {
        (
            old_login,
            ToolLogin.objects.get(login=old_login).valid_from,
            today - dt.timedelta(days=1),
        ),
        ("ai-guild-mover", today, None),
    }

    # The new team is offered when assigning a pathway; the sync is in the recent list.
    page.goto(f"{base}/organisation/")
    expect(page.locator("table.hr-sync-runs")).to_contain_text("Applied")
    assert_no_serious_axe_violations(page, "organisation, recent syncs")
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SCREENSHOTS / "organisation-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    pathway = Pathway.objects.filter(status="published").first()
    page.goto(f"{base}{reverse('pathways:assign', args=[pathway.pk])}")
    expect(
        page.get_by_label("Team", exact=True).locator("option", has_text="AI Guild")
    ).to_have_count(1)
    page.get_by_role("button", name="Sign out").click()

    # The joiner is a colleague the employee can recognise.
    sign_in(page, base, "employee")
    page.goto(f"{base}/learning/recognition/")
    expect(page.get_by_label("Colleague").locator("option", has_text="Nia Joiner")).to_have_count(1)
    page.get_by_role("button", name="Sign out").click()

    # The leaver cannot sign in any more.
    sign_in(page, base, leaver.user.username)
    expect(page).to_have_url(f"{base}/login/")
    expect(page.locator("form")).to_contain_text("correct username and password")
