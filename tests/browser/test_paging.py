"""Lists that grow with the organisation, in a real Chromium: an L&D admin finds a team
among more than fit a list and pages the fulfilment overview (the table alone swapped
by htmx, the search kept), pages the standoff table, and reads every page of a long HR
sync plan section; a manager pages their review queue. axe-core checks every page
state; no JavaScript errors on the way."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pathways.models import StepProgress
from pathways.services import learning as learning_services
from responsibilities import services as responsibility_services
from responsibilities.models import ResponsibilityArea
from tests.browser.axe import assert_no_serious_axe_violations
from tests.factories import PASSWORD, LDAdminFactory, PersonFactory, StepFactory, TeamFactory
from tests.pathways.factories import a_journey, submitted
from upskill.models import HrSyncRun

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so test rows must be committed; see
    # tests/browser/test_sign_in.py for why serialized_rollback.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_an_admin_finds_and_pages_teams_and_reads_a_long_sync_plan(
    live_server, page, console_errors
):
    base = live_server.url
    LDAdminFactory(username="lena")
    parent = TeamFactory(name="Operations")
    for n in range(60):
        TeamFactory(name=f"Squad {n:02d}", parent=parent)
    area = ResponsibilityArea.objects.get(key="learning-infrastructure")
    responsibility_services.commitment_create(
        area=area, party="ld", title="Coaching hours", target=2, unit="hours", period="week"
    )
    responsibility_services.survey_open(
        title="Who owns it?", closes_at=timezone.now() + dt.timedelta(days=7)
    )
    joiners = [
        {"id": f"E{n:03d}", "name": f"Joiner {n:03d}", "email": f"j{n}@example.com",
         "team": "Operations", "role": "Agent"}
        for n in range(120)
    ]  # fmt: skip
    run = HrSyncRun.objects.create(
        status=HrSyncRun.Status.PLANNED,
        teams_name="teams.csv",
        people_name="people.csv",
        plan={"joiners": joiners},
    )
    sign_in(page, base, "lena")

    # 61 teams: no list of them all, a search and a page of the overview.
    page.goto(f"{base}/responsibilities/fulfilment/")
    overview = page.locator("#fulfilment-table")
    expect(overview.get_by_text("Page 1 of 2")).to_be_visible()
    assert_no_serious_axe_violations(page, "fulfilment overview, page 1 of many teams")
    overview.get_by_role("link", name="Next page").click()
    expect(overview.get_by_text("Page 2 of 2")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_be_visible()  # only the table swapped
    assert_no_serious_axe_violations(page, "fulfilment overview, page 2 (htmx)")
    page.get_by_label("Find a team").fill("Squad 4")
    page.get_by_role("button", name="Find").click()
    expect(overview.get_by_text("10 teams whose name contains “Squad 4”")).to_be_visible()
    expect(overview.locator("th[scope=row] a")).to_have_count(10)
    assert_no_serious_axe_violations(page, "fulfilment overview, a search")
    overview.get_by_role("link", name="Squad 42").click()
    expect(page.get_by_role("heading", name="Squad 42")).to_be_visible()

    page.goto(f"{base}/responsibilities/standoff/")
    expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    page.get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.locator("table.standoff tbody th[scope=row]")).to_have_count(11)
    assert_no_serious_axe_violations(page, "standoff, page 2")

    # Every line of a plan section is reachable before confirming it.
    page.goto(f"{base}/organisation/syncs/{run.pk}/")
    section = page.locator("#plan-joiners")
    section.get_by_text("Joiners (120)").click()  # a long section starts folded
    expect(section.locator("li")).to_have_count(50)
    assert_no_serious_axe_violations(page, "HR sync plan, a long section")
    section.get_by_role("link", name="Next page").click()
    expect(page).to_have_url(re.compile(r"section=joiners&page=2#plan-joiners"))
    expect(page.locator("#plan-joiners").get_by_text("Page 2 of 3")).to_be_visible()
    expect(page.locator("#plan-joiners li").first).to_contain_text("Joiner 050")
    assert_no_serious_axe_violations(page, "HR sync plan, page 2 of a section")
    assert console_errors == []


def test_a_manager_pages_their_review_queue(live_server, page, console_errors):
    base = live_server.url
    journey = a_journey()
    submitted(journey)
    for _ in range(22):
        report = PersonFactory(
            team=journey.learner.team, manager=journey.manager, job_role=journey.learner.job_role
        )
        step = StepFactory(stage__pathway=journey.pathway, kind="practice")
        enrollment = learning_services.enrollment_self_enrol(person=report, pathway=journey.pathway)
        StepProgress.objects.create(
            enrollment=enrollment,
            step=step,
            status="submitted",
            evidence="Did it.",
            submitted_at=timezone.now(),
        )
    journey.manager.user.set_password(PASSWORD)
    journey.manager.user.save()
    sign_in(page, base, journey.manager.user.username)

    page.goto(f"{base}/learning/reviews/")
    expect(page.locator("article.review-item")).to_have_count(20)
    expect(page.get_by_text("23 waiting, 20 a page.")).to_be_visible()
    page.get_by_role("navigation", name="Pages of evidence to review").get_by_role(
        "link", name="Next page"
    ).click()
    expect(page.locator("article.review-item")).to_have_count(3)
    assert_no_serious_axe_violations(page, "review queue, page 2")
    assert console_errors == []
