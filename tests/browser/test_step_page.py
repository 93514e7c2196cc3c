"""The step page in a real Chromium: each action refreshes the "Steps in this pathway"
list beside it (no reload), moves focus to the next action and announces what
happened; evidence is submitted, edited and withdrawn in place; and the per-pathway
"stages unlock in order" option goes from the builder's Details to the preview and the
learner's plan. axe-core checks every state."""

import pytest
from playwright.sync_api import expect

from pathways.models import StepProgress
from tests.browser.axe import assert_no_serious_axe_violations
from tests.factories import PASSWORD, LDAdminFactory
from tests.pathways.factories import a_journey, finish_foundation

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so test rows must be committed; see
    # tests/browser/test_sign_in.py for why serialized_rollback.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def sign_in(page, base: str, user) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(user.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def step_list_item(page, title: str):
    return page.locator("#step-list li", has_text=title)


def test_step_actions_refresh_the_step_list_and_move_focus_to_the_next_action(
    live_server, page, console_errors
):
    journey = a_journey()
    base = live_server.url
    sign_in(page, base, journey.learner.user)
    page.goto(f"{base}/learning/{journey.pathway.slug}/steps/{journey.learn.key}/")
    page.wait_for_function("() => typeof htmx === 'object'")
    expect(step_list_item(page, "Reflect")).to_contain_text("Locked")
    assert_no_serious_axe_violations(page, "step page, not started")

    page.get_by_role("button", name="Start this step").click()
    expect(page.get_by_role("button", name="Mark as done")).to_be_focused()
    expect(step_list_item(page, "Learn the basics")).to_contain_text("In progress")
    expect(page.locator("#announcer")).to_contain_text("Status: In progress, 0 of 4 steps done")
    assert_no_serious_axe_violations(page, "step page, started")

    page.keyboard.press("Enter")  # Mark as done, from the keyboard where focus landed
    expect(step_list_item(page, "Learn the basics")).to_contain_text("Done")
    expect(step_list_item(page, "Reflect")).to_contain_text("Not started")
    expect(step_list_item(page, "Reflect")).not_to_contain_text("Locked")
    next_up = page.locator("#step-progress").get_by_role("link", name="Reflect")
    expect(next_up).to_be_focused()
    expect(page.locator("#announcer")).to_contain_text("Status: Done, 1 of 4 steps done")
    assert_no_serious_axe_violations(page, "step page, done")

    page.keyboard.press("Enter")  # follows "Next up"
    expect(page.get_by_role("heading", level=1)).to_have_text("Reflect")
    assert console_errors == []


def test_stages_unlock_in_order_from_the_builder_to_the_learner(
    live_server, browser, console_errors
):
    journey = a_journey(stages_in_order=False)
    admin = LDAdminFactory(username="lena")
    base = live_server.url

    learner = browser.new_context().new_page()
    learner.on("pageerror", lambda error: console_errors.append(str(error)))
    sign_in(learner, base, journey.learner.user)
    practise_url = f"{base}/learning/{journey.pathway.slug}/steps/{journey.practise.key}/"
    learner.goto(practise_url)
    expect(learner.get_by_role("button", name="Submit for review")).to_be_visible()

    page = browser.new_context().new_page()
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    sign_in(page, base, admin)
    page.goto(f"{base}/pathways/{journey.pathway.pk}/preview/")
    expect(page.locator(".stage-order")).to_contain_text("Stages are open at once")
    page.get_by_role("link", name="Details").click()
    option = page.get_by_label("Stages unlock in order")
    expect(option).not_to_be_checked()
    assert_no_serious_axe_violations(page, "pathway details form")
    option.check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".stage-order")).to_contain_text("Stages unlock in order")
    page.get_by_role("link", name="Preview as a learner").click()
    expect(page.locator(".stage-order")).to_contain_text("Stages unlock in order")
    practise_outline = page.locator(".outline-step").filter(
        has=page.get_by_text("Draft five real replies", exact=True)
    )
    expect(practise_outline.locator(".lock-state")).to_have_text("Locked")
    expect(practise_outline).to_contain_text("Unlocks after the stage “Foundations”.")
    assert_no_serious_axe_violations(page, "preview, stages in order")

    # The learner's practice step now waits for the whole foundation stage.
    learner.goto(practise_url)
    expect(learner.locator(".locked-note")).to_contain_text("Learn the basics")
    expect(learner.locator(".locked-note")).to_contain_text("Reflect")
    expect(learner.get_by_role("button", name="Submit for review")).to_have_count(0)
    expect(learner.locator("#step-list")).to_contain_text("Stages unlock in order")
    assert_no_serious_axe_violations(learner, "step page, locked by stage order")
    assert console_errors == []


def test_evidence_is_submitted_edited_and_withdrawn_in_place(live_server, browser, console_errors):
    journey = a_journey()
    finish_foundation(journey)
    base = live_server.url
    page = browser.new_context().new_page()
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    sign_in(page, base, journey.learner.user)
    page.goto(f"{base}/learning/{journey.pathway.slug}/steps/{journey.practise.key}/")
    page.wait_for_function("() => typeof htmx === 'object'")
    panel = page.locator("#step-progress")

    panel.get_by_label("What did you do on real work").fill("Drafted 12 replies; kept 9.")
    panel.get_by_role("button", name="Submit for review").click()
    waiting = panel.get_by_text("Your evidence is waiting for review")
    expect(waiting).to_be_focused()
    expect(step_list_item(page, "Draft five real replies")).to_contain_text("Submitted for review")
    assert_no_serious_axe_violations(page, "step page, evidence waiting for review")

    # Edit: the disclosure opens the form with what was sent; a bad link is refused
    # under its field, which takes the focus, and the text typed is kept.
    panel.get_by_text("Edit your evidence", exact=True).first.click()
    evidence = panel.get_by_label("What did you do on real work")
    expect(evidence).to_have_value("Drafted 12 replies; kept 9.")
    assert_no_serious_axe_violations(page, "step page, editing evidence")
    evidence.fill("Drafted 14 replies; kept 11 after checking each.")
    panel.get_by_label("Link to the work").fill("not a link")
    panel.get_by_role("button", name="Save changes").click()
    link = panel.get_by_label("Link to the work")
    expect(link).to_be_focused()
    expect(panel).to_contain_text("Give a web link starting with http:// or https://")
    expect(evidence).to_have_value("Drafted 14 replies; kept 11 after checking each.")
    assert_no_serious_axe_violations(page, "step page, edit refused")
    link.fill("https://example.com/tickets/14")
    panel.get_by_role("button", name="Save changes").click()
    saved = panel.locator(".action-done")
    expect(saved).to_have_text("Your changes are saved; your evidence is still waiting for review.")
    expect(saved).to_be_focused()
    expect(page.locator("#announcer")).to_contain_text("Your changes are saved")
    expect(panel.locator(".your-evidence")).to_contain_text("Drafted 14 replies; kept 11")
    expect(panel.locator(".your-evidence")).to_contain_text("(edited ")
    assert_no_serious_axe_violations(page, "step page, evidence edited")
    progress = StepProgress.objects.get(enrollment=journey.enrollment, step=journey.practise)
    assert (progress.status, progress.evidence_url) == (
        "submitted",
        "https://example.com/tickets/14",
    )

    # Withdraw: out of review, back to a draft to submit again.
    panel.get_by_role("button", name="Withdraw from review").click()
    withdrawn = panel.locator(".action-done")
    expect(withdrawn).to_contain_text("You withdrew your evidence")
    expect(withdrawn).to_be_focused()
    expect(page.locator("#announcer")).to_contain_text("no longer waiting for review")
    expect(panel.get_by_role("button", name="Withdraw from review")).to_have_count(0)
    expect(panel.get_by_label("What did you do on real work")).to_have_value(
        "Drafted 14 replies; kept 11 after checking each."
    )
    expect(step_list_item(page, "Draft five real replies")).to_contain_text("In progress")
    assert_no_serious_axe_violations(page, "step page, evidence withdrawn")
    assert StepProgress.objects.get(pk=progress.pk).status == "in_progress"
    assert console_errors == []
