"""Each role signs in through the real form, lands on its own home page, finds its
links in the navigation and signs out again — in a real Chromium, with htmx loaded and
no JavaScript errors."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.axe import assert_no_serious_axe_violations
from tests.factories import PASSWORD, LDAdminFactory, PersonFactory, TeamFactory, UserFactory

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so test rows must be committed. The flush
    # afterwards empties every table; serialized_rollback restores the migrations' seed
    # rows (the "L&D admins" group among them) before each test.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "browser"


def make_user(role: str):
    team = TeamFactory(name="Support")
    if role == "ld_admin":
        return LDAdminFactory(username="lena", first_name="Lena", last_name="Admin")
    if role == "leader":
        leader = UserFactory(username="leo", first_name="Leo", last_name="Leader")
        team.leaders.add(leader)
        PersonFactory(team=team)  # someone whose evidence they review: the Reviews link
        return leader
    return PersonFactory(
        team=team, user__username="emma", user__first_name="Emma", user__last_name="Employee"
    ).user


@pytest.mark.parametrize(
    ("role", "home", "heading", "links"),
    [
        ("employee", "/learning/", "My learning", ["My learning", "Shared responsibility"]),
        (
            "leader",
            "/dashboard/",
            "Outcomes dashboard",
            ["Dashboard", "Reviews", "Shared responsibility"],
        ),
        (
            "ld_admin",
            "/pathways/",
            "Learning pathways",
            ["Dashboard", "Pathways", "Shared responsibility", "Organisation", "Audit trail"],
        ),
    ],
)
def test_user_signs_in_lands_on_their_home_and_signs_out(
    live_server, page, console_errors, role, home, heading, links
):
    user = make_user(role)

    page.goto(f"{live_server.url}/")
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    assert_no_serious_axe_violations(page, "sign-in form")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    expect(page).to_have_url(f"{live_server.url}{home}")
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    nav = page.get_by_role("navigation", name="Main")
    expect(nav.get_by_role("link")).to_have_text(links)
    expect(page.locator("header .who")).to_have_text(user.get_full_name())
    assert_no_serious_axe_violations(page, f"{role} home")
    # htmx is a deferred script: wait for it rather than racing the parser
    page.wait_for_function("() => typeof htmx === 'object'", timeout=5_000)
    if role == "employee":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "employee-home.png", full_page=True)

    page.get_by_role("button", name="Sign out").click()

    expect(page).to_have_url(f"{live_server.url}/login/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Upskill")
    page.goto(f"{live_server.url}{home}")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    assert console_errors == []


def test_wrong_password_shows_the_error_and_stays_on_the_form(live_server, page, console_errors):
    user = make_user("employee")

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in").click()

    expect(page.get_by_role("alert")).to_contain_text("correct username and password")
    assert_no_serious_axe_violations(page, "sign-in refused")
    expect(page.get_by_label("Username")).to_have_value(user.username)
    assert console_errors == []
