"""The assignment page in a real Chromium: choosing "Assign to" shows only that
option's field; people are found with the search picker (two people with the same
name told apart by team and role), a choice survives the next search, and the chosen
people are enrolled. axe-core checks each state."""

import pytest
from playwright.sync_api import expect

from pathways.models import Enrollment
from tests.browser.axe import assert_no_serious_axe_violations
from tests.factories import (
    PASSWORD,
    JobRoleFactory,
    LDAdminFactory,
    PersonFactory,
    TeamFactory,
)
from tests.pathways.factories import publishable_pathway

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so test rows must be committed; see
    # tests/browser/test_sign_in.py for why serialized_rollback.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_admin_finds_people_with_the_picker_and_assigns_them(live_server, page, console_errors):
    admin = LDAdminFactory(username="lena")
    pathway = publishable_pathway(status="published")
    support_alex = PersonFactory(
        user__first_name="Alex",
        user__last_name="Kim",
        team=TeamFactory(name="Support"),
        job_role=JobRoleFactory(name="Agent"),
    )
    PersonFactory(
        user__first_name="Alex",
        user__last_name="Kim",
        team=TeamFactory(name="Billing"),
        job_role=JobRoleFactory(name="Analyst"),
    )
    priya = PersonFactory(user__first_name="Priya", user__last_name="Shah")
    for _ in range(30):
        PersonFactory()

    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    page.goto(f"{base}/pathways/{pathway.pk}/assign/")
    page.wait_for_function("() => typeof htmx === 'object'")

    # Only the chosen option's field is shown.
    team_field = page.get_by_label("Team", exact=True)
    role_field = page.get_by_label("Job role", exact=True)
    search = page.get_by_label("Find people")
    expect(team_field).to_be_visible()
    expect(role_field).to_be_hidden()
    expect(search).to_be_hidden()
    assert_no_serious_axe_violations(page, "assign form, a team")
    page.get_by_label("A job role").check()
    expect(role_field).to_be_visible()
    expect(team_field).to_be_hidden()
    page.get_by_label("Chosen people").check()
    expect(search).to_be_visible()
    expect(team_field).to_be_hidden()
    expect(role_field).to_be_hidden()

    # Two Alex Kims, told apart by team and role.
    search.fill("alex kim")
    results = page.locator("#people-results")
    expect(results).to_contain_text("2 matches.")
    expect(results).to_contain_text("Support · Agent")
    expect(results).to_contain_text("Billing · Analyst")
    assert_no_serious_axe_violations(page, "assign form, people matches")
    results.locator("li", has_text="Support · Agent").get_by_role("checkbox").check()
    chosen = page.locator("#people-chosen")
    expect(chosen).to_contain_text("Alex Kim")
    expect(chosen).to_contain_text("Support · Agent")

    # The choice survives another search.
    search.fill("priya")
    expect(results).to_contain_text("1 match.")
    results.get_by_role("checkbox").check()
    expect(chosen.locator("li")).to_have_count(2)
    assert_no_serious_axe_violations(page, "assign form, two people chosen")

    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".messages")).to_contain_text("Enrolled 2 new people.")
    enrolled = set(Enrollment.objects.filter(pathway=pathway).values_list("person_id", flat=True))
    assert enrolled == {support_alex.pk, priya.pk}
    assert console_errors == []
