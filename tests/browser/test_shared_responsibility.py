"""The shared responsibility model in a real Chromium: an L&D admin moves an area's A to
another party, adds a commitment for a team and records its check-in; the team's leader
sees the fulfilment; an employee answers the alignment pulse and sees their group's
results once enough people have answered (MIN_GROUP_SIZE). axe-core checks every page
state; no JavaScript errors on the way."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from playwright.sync_api import expect

from responsibilities import services
from responsibilities.models import (
    AlignmentSurvey,
    Commitment,
    CommitmentCheckIn,
    RaciAssignment,
    ResponsibilityArea,
)
from tests.browser.axe import assert_no_serious_axe_violations
from tests.factories import PASSWORD, LDAdminFactory, PersonFactory, TeamFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so test rows must be committed; see
    # tests/browser/test_sign_in.py for why serialized_rollback.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AREA = "Learning infrastructure"


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def new_page(browser, console_errors):
    page = browser.new_context().new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    page.on("console", lambda m: m.type == "error" and console_errors.append(m.text))
    return page


def test_admin_moves_an_a_commits_and_checks_in_leader_sees_it_employee_answers_the_pulse(
    live_server, browser, console_errors
):
    base = live_server.url
    admin = LDAdminFactory(username="lena", first_name="Lena", last_name="Admin")
    team = TeamFactory(name="Help Centre Support")
    leader = UserFactory(username="leo", first_name="Leo", last_name="Leader")
    team.leaders.add(leader)
    employee = PersonFactory(
        team=team, user__username="emma", user__first_name="Emma", user__last_name="Employee"
    )
    colleagues = [PersonFactory(team=team) for _ in range(settings.MIN_GROUP_SIZE - 1)]
    area = ResponsibilityArea.objects.get(name=AREA)
    assert RaciAssignment.objects.get(area=area, letter="A").party == "leadership"

    # The admin moves the A from Leadership to L&D in the matrix row, in place.
    page = new_page(browser, console_errors)
    sign_in(page, base, admin.username)
    page.goto(f"{base}/responsibilities/")
    assert_no_serious_axe_violations(page, "matrix (admin)")
    row = page.locator(f"#area-{area.pk}")
    page.wait_for_function("() => typeof htmx === 'object'")
    row.get_by_role("link", name=f"Edit {AREA}").click()
    expect(row.get_by_label("Leadership")).to_be_visible()
    assert_no_serious_axe_violations(page, "matrix, RACI row editing")
    # Two A's are refused with a message, and nothing changes.
    row.get_by_label("L&D").select_option("A")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_role("alert")).to_contain_text("Exactly one party must be Accountable (A)")
    row.get_by_label("Leadership").select_option("R")
    row.get_by_role("button", name="Save").click()
    expect(row.get_by_role("link", name=f"Edit {AREA}")).to_be_visible()
    expect(row.locator("td.raci-A")).to_have_count(1)
    letters = dict(RaciAssignment.objects.filter(area=area).values_list("party", "letter"))
    assert letters == {"leadership": "R", "ld": "A", "manager": "R", "employee": "I"}

    # A commitment for the team under that area.
    page.locator("tbody.area", has=row).get_by_role("link", name="+ Add a commitment").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a commitment")
    assert_no_serious_axe_violations(page, "commitment form")
    page.get_by_label("Party").select_option(label="Manager")
    page.get_by_label("Title").fill("Protected learning time")
    page.get_by_label("Target").fill("4")
    page.get_by_label("Unit").fill("hours per person")
    page.get_by_label("Period").select_option("week")
    page.get_by_label("Teams").select_option(label=team.name)
    page.get_by_role("button", name="Add commitment").click()
    expect(page.locator(".messages")).to_contain_text("Protected learning time")
    commitment = Commitment.objects.get(title="Protected learning time")
    assert list(commitment.teams.all()) == [team]

    # Its check-in for this week, from the team's fulfilment; back to the same team.
    page.goto(f"{base}/responsibilities/fulfilment/?team={team.slug}")
    assert_no_serious_axe_violations(page, "fulfilment, one team (admin)")
    page.get_by_role("link", name=f"Record Protected learning time for {team.name}").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Record what was delivered")
    assert_no_serious_axe_violations(page, "check-in form")
    page.get_by_label("Delivered (hours per person)").fill("4")
    page.get_by_role("button", name="Record").click()
    expect(page).to_have_url(re.compile(rf"/responsibilities/fulfilment/\?team={team.slug}#"))
    expect(page.get_by_role("heading", level=2, name=team.name)).to_be_visible()
    assert CommitmentCheckIn.objects.get(commitment=commitment, team=team).value == Decimal(4)

    # The admin opens the pulse.
    page.goto(f"{base}/responsibilities/pulse/")
    assert_no_serious_axe_violations(page, "pulse list (admin)")
    page.get_by_label("Title").fill("Who owns AI upskilling? Spring pulse")
    page.get_by_label("Closes at").fill("2099-06-30T17:00")
    page.get_by_role("button", name="Open pulse").click()
    expect(page.locator(".messages")).to_contain_text("The pulse is open")
    page.context.close()

    # The team's leader sees the commitment met for this week.
    page = new_page(browser, console_errors)
    sign_in(page, base, leader.username)
    page.goto(f"{base}/responsibilities/fulfilment/")
    fulfilment_row = page.locator(f"#c{commitment.pk}-t{team.pk}")
    expect(fulfilment_row).to_contain_text("Protected learning time")
    expect(fulfilment_row.locator(".light.met")).to_have_text("100%")
    assert_no_serious_axe_violations(page, "fulfilment (leader)")
    page.context.close()

    # Four colleagues have answered; Emma's answer makes the employees' group big enough.
    survey = AlignmentSurvey.objects.get(status=AlignmentSurvey.Status.OPEN)
    area_ids = list(ResponsibilityArea.objects.values_list("pk", flat=True))
    for colleague in colleagues:
        services.pulse_answer(
            survey=survey, person=colleague, answers=dict.fromkeys(area_ids, ("shared", 4))
        )
    page = new_page(browser, console_errors)
    sign_in(page, base, employee.user.username)
    page.goto(f"{base}/responsibilities/pulse/{survey.pk}/results/")
    employees_row = page.locator("section.pulse-area", has_text=AREA).locator(
        "tr", has_text="Employees"
    )
    expect(employees_row).to_contain_text(
        f"Fewer than {settings.MIN_GROUP_SIZE} answered — not shown."
    )
    assert_no_serious_axe_violations(page, "pulse results, too few answers")

    page.goto(f"{base}/responsibilities/pulse/")
    page.get_by_role("link", name="Answer the pulse (2 minutes)").click()
    assert_no_serious_axe_violations(page, "pulse answer form")
    # Sending it half-answered is refused and keeps what was chosen.
    first = page.get_by_role("group", name="Strategic direction")
    first.get_by_label("Employer").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("alert")).to_contain_text("Please answer every area")
    expect(
        page.get_by_role("group", name="Strategic direction").get_by_label("Employer")
    ).to_be_checked()
    assert_no_serious_axe_violations(page, "pulse answer form, refused")
    for fieldset in page.locator("fieldset").all():
        fieldset.get_by_label("Shared").check()
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator(".messages")).to_contain_text("your answers are in")

    page.goto(f"{base}/responsibilities/pulse/{survey.pk}/results/")
    expect(employees_row).to_contain_text(f"({settings.MIN_GROUP_SIZE})")
    expect(employees_row).to_contain_text("100%")
    expect(employees_row).not_to_contain_text("not shown")
    assert_no_serious_axe_violations(page, "pulse results, enough answers")
    page.context.close()
    assert console_errors == []
