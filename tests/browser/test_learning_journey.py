"""The learner's journey in a real Chromium, on the demo organisation: Sam (employee)
finishes a learn and a reflect step, rates their confidence, submits evidence of practice
on real work; Tom (their manager) approves it against the role rubric; Sam sees the
progress bar move and the next step unlock. No JavaScript errors on the way."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD, demo_organisation_seed
from pathways.models import ConfidenceRating, StepProgress
from tests.browser.axe import assert_no_serious_axe_violations

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so rows must be committed; see
    # tests/browser/test_sign_in.py for why serialized_rollback.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PATHWAY = "ai-assisted-customer-support"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "browser"


def sam_back_at_the_learn_step():
    """The demo's Sam has finished the foundation stage and is waiting for review; wind
    them back to before the second learn step so the journey covers every action."""
    demo_organisation_seed()
    progress = StepProgress.objects.filter(
        enrollment__person__user__username="employee", enrollment__pathway__slug=PATHWAY
    )
    progress.filter(
        step__key__in=["customer-data-rules", "map-your-queue", "draft-replies"]
    ).delete()
    ConfidenceRating.objects.filter(enrollment__person__user__username="employee").delete()
    assert progress.get().step.key == "how-assistants-draft"


def sign_in(page, base_url, username):
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_learner_practises_manager_approves_and_the_next_step_unlocks(
    live_server, browser, console_errors, page
):
    sam_back_at_the_learn_step()
    base = live_server.url

    # Sam continues the pathway from My learning, rating their starting confidence.
    sign_in(page, base, "employee")
    page.goto(f"{base}/learning/")
    card = page.locator(".pathway-card", has_text="AI-assisted customer support")
    expect(card).to_contain_text("1 of 8 steps done")
    assert_no_serious_axe_violations(page, "my learning")
    card.get_by_role("button", name="3 out of 5").click()
    expect(card).to_contain_text("your confidence rating is saved")
    assert_no_serious_axe_violations(page, "my learning, confidence saved")
    card.get_by_role("link", name=re.compile("Customer data, disclosure and tone")).click()

    # The learn step: start it, then mark it done, in place.
    panel = page.locator("#step-progress")
    page.get_by_role("button", name="Start this step").click()
    expect(panel.locator(".badge")).to_have_text("In progress")
    assert_no_serious_axe_violations(page, "learn step in progress")
    page.get_by_role("button", name="Mark as done").click()
    expect(panel).to_contain_text("2 of 8 steps done")
    panel.get_by_role("link", name=re.compile("Map your queue")).click()

    # The reflect step finishes the foundation stage: confidence is asked in place.
    page.get_by_role("button", name="Mark as done").click()
    expect(panel).to_contain_text("3 of 8 steps done")
    expect(panel).to_contain_text("You finished “Foundations")
    assert_no_serious_axe_violations(page, "reflect step done, stage finished")
    panel.get_by_role("button", name="4 out of 5").click()
    expect(panel).to_contain_text("your confidence rating is saved")
    panel.get_by_role("link", name=re.compile("Draft 20 real replies")).click()

    # Practice on real work: a bad link is refused, then the evidence goes for review.
    expect(page.get_by_role("heading", name="What good looks like")).to_be_visible()
    assert_no_serious_axe_violations(page, "practice step")
    page.get_by_label("What did you do on real work").fill(
        "Used the assistant's draft on 20 tickets; sent 14 after light edits."
    )
    page.get_by_label("Link to the work").fill("javascript:alert(1)")
    page.get_by_role("button", name="Submit for review").click()
    expect(panel.get_by_role("alert")).to_have_text(
        "Give a web link starting with http:// or https:// (or leave it empty)."
    )
    assert_no_serious_axe_violations(page, "practice step, evidence refused")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "learning-evidence-refused.png", full_page=True)
    page.get_by_label("Link to the work").fill("https://helpdesk.example.com/views/42")
    page.get_by_role("button", name="Submit for review").click()
    expect(panel).to_contain_text("Your evidence is waiting for review")
    progress_bar = panel.locator("progress")
    expect(progress_bar).to_have_attribute("value", "3")
    assert_no_serious_axe_violations(page, "practice step, evidence submitted")

    # Tom, Sam's manager, approves it against the customer support specialist rubric.
    manager = browser.new_context().new_page()
    manager.on("pageerror", lambda error: console_errors.append(str(error)))
    sign_in(manager, base, "manager")
    manager.goto(f"{base}/learning/")
    manager.get_by_role("navigation", name="Learning").get_by_role(
        "link", name="Evidence to review"
    ).click()
    review = manager.locator("article.review-item", has_text="Sam Rivera").filter(
        has_text="Draft 20 real replies"
    )
    expect(review).to_contain_text("sent 14 after light edits")
    expect(review).to_contain_text("What good looks like for a Customer support specialist")
    assert_no_serious_axe_violations(manager, "review queue")
    review.get_by_label("Level reached on the role rubric").select_option("3")
    review.get_by_label("Comment for the learner").fill("Good judgement on the edits.")
    review.get_by_role("button", name="Approve").click()
    expect(review).to_contain_text("Saved: approved")
    assert_no_serious_axe_violations(manager, "review queue, approved")
    review.screenshot(path=SCREENSHOTS / "learning-review-approved.png")
    manager.context.close()

    # Sam sees the outcome, the progress bar move and the next step unlocked.
    page.reload()
    expect(panel).to_contain_text("Approved at rubric level 3")
    expect(panel).to_contain_text("Good judgement on the edits.")
    expect(progress_bar).to_have_attribute("value", "4")
    assert_no_serious_axe_violations(page, "practice step, approved")
    page.screenshot(path=SCREENSHOTS / "learning-step-approved.png", full_page=True)
    page.goto(f"{base}/learning/")
    expect(card).to_contain_text("4 of 8 steps done")
    expect(card.locator(".next-step")).to_contain_text("Fact-check AI drafts")
    card.get_by_role("link", name=re.compile("Fact-check AI drafts")).click()
    expect(page.get_by_role("button", name="Submit for review")).to_be_visible()
    expect(page.locator(".locked-note")).to_have_count(0)
    assert console_errors == []
