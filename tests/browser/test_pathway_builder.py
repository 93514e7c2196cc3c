"""An L&D admin builds a pathway in a real Chromium: stages and steps through htmx (a
practice step refused without its product, at adding and at editing), a reorder with
the keyboard and with a drag, a refused publish, the fix, publishing and assigning it to
a team — with no JavaScript errors on the way."""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from pathways.models import Enrollment, Pathway, Product
from tests.browser.axe import assert_no_serious_axe_violations
from tests.factories import PASSWORD, LDAdminFactory, PersonFactory, ProductFactory, TeamFactory

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so test rows must be committed; see
    # tests/browser/test_sign_in.py for why serialized_rollback.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-results" / "browser"


def notice(page):
    """The editor's own status line (the page's messages list is a status too)."""
    return page.locator("#pathway-structure [role=status]")


def stage_item(page, title: str):
    return page.locator("li.stage").filter(has=page.get_by_role("heading", name=title, exact=True))


def step_titles(stage):
    return stage.locator("li.step .step-title strong")


def htmx_ready(page):
    """Wait until htmx has processed the last swap (the editor script marks the stage list
    once it has attached Sortable to it, which happens on htmx's load event)."""
    expect(page.locator("ol.stages")).to_have_attribute("data-sortable-ready", "1")


def add_stage(page, title: str, kind: str):
    htmx_ready(page)
    form = page.locator("#add-stage")
    form.get_by_label("Title").fill(title)
    form.get_by_label("Kind").select_option(label=kind)
    form.get_by_role("button", name="Add stage").click()
    expect(notice(page)).to_contain_text(f"Added the stage “{title}”")


def add_step(page, stage_title: str, title: str):
    htmx_ready(page)
    stage = stage_item(page, stage_title)
    stage.get_by_role("link", name=f"+ Add a step to {stage_title}").click()
    stage.locator(".add-step").get_by_label("Title").fill(title)
    stage.get_by_role("button", name="Add step").click()
    expect(notice(page)).to_contain_text(f"Added the step “{title}”")


def test_admin_builds_publishes_and_assigns_a_pathway(live_server, page, console_errors):
    admin = LDAdminFactory(username="lena", first_name="Lena", last_name="Admin")
    ProductFactory(name="Harbour Help Centre")
    team = TeamFactory(name="Help Centre Support")
    PersonFactory(team=team)

    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Learning pathways")

    page.get_by_role("link", name="New pathway").click()
    page.get_by_label("Title").fill("Support replies with AI")
    page.get_by_role("button", name="Create pathway").click()
    expect(page.locator("h1")).to_contain_text("Support replies with AI")
    assert_no_serious_axe_violations(page, "editor, new pathway")

    add_stage(page, "Foundations", "Foundation")
    add_stage(page, "Practice on real tickets", "Hands-on practice")
    add_stage(page, "Coaching", "Coaching")
    add_step(page, "Foundations", "What assistants are good at")
    add_step(page, "Foundations", "Our rules for customer data")
    add_step(page, "Foundations", "Map your queue")

    # A practice step is refused at save without its product, the error under the
    # field (whose help says it is required); choosing one adds it.
    htmx_ready(page)
    practice = stage_item(page, "Practice on real tickets")
    practice.get_by_role("link", name="+ Add a step to Practice on real tickets").click()
    add_form = practice.locator(".add-step")
    expect(add_form.get_by_label("Kind")).to_have_value("practice")
    expect(add_form).to_contain_text("Required for a practice step")
    add_form.get_by_label("Title").fill("Draft 20 real replies")
    add_form.get_by_role("button", name="Add step").click()
    product_field = practice.locator(".add-step .field").filter(has=page.get_by_label("Product"))
    expect(product_field.locator(".error")).to_have_text(
        "A practice step must name the product, service or process it is practised on: "
        "choose one (or make it another kind of step)."
    )
    expect(practice.locator(".add-step").get_by_label("Title")).to_have_value(
        "Draft 20 real replies"
    )
    assert_no_serious_axe_violations(page, "editor, practice step refused without a product")
    practice.locator(".add-step").get_by_label("Product").select_option(label="Harbour Help Centre")
    practice.get_by_role("button", name="Add step").click()
    expect(notice(page)).to_contain_text("Added the step “Draft 20 real replies”")
    assert_no_serious_axe_violations(page, "editor, stages and steps added")

    # Keyboard: focus the up button of the second step and press Enter.
    foundations = stage_item(page, "Foundations")
    expect(step_titles(foundations)).to_have_text(
        ["What assistants are good at", "Our rules for customer data", "Map your queue"]
    )
    # (htmx has processed the swapped-in list once Sortable has been attached to it.)
    expect(foundations.locator("ol.steps")).to_have_attribute("data-sortable-ready", "1")
    foundations.get_by_role("button", name="Move Our rules for customer data up").focus()
    page.keyboard.press("Enter")
    expect(step_titles(foundations)).to_have_text(
        ["Our rules for customer data", "What assistants are good at", "Map your queue"]
    )
    # Focus stays with the moved step (now first, so on its down button).
    expect(
        foundations.get_by_role("button", name="Move Our rules for customer data down")
    ).to_be_focused()
    page.keyboard.press("Enter")
    expect(step_titles(foundations)).to_have_text(
        ["What assistants are good at", "Our rules for customer data", "Map your queue"]
    )

    # Drag: the last step's handle up over the middle one (once Sortable has picked up
    # the list htmx just swapped in).
    dragged = ["What assistants are good at", "Map your queue", "Our rules for customer data"]
    # A mouse gesture on a loaded 2-core machine can be too quick for Sortable to see;
    # the gesture is retried (at most three times), the outcome is still required.
    for attempt in range(3):
        expect(foundations.locator("ol.steps")).to_have_attribute("data-sortable-ready", "1")
        handle = foundations.locator("li.step").nth(2).locator(".step-handle")
        box = foundations.locator("li.step").nth(1).bounding_box()
        handle.hover()
        page.mouse.down()
        # Sortable's fallback drag checks where the pointer is every 50 ms, so let each
        # position be seen before moving on.
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, steps=10)
        page.wait_for_timeout(150 * (attempt + 1))
        page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 2, steps=5)
        page.wait_for_timeout(150 * (attempt + 1))
        page.mouse.up()
        try:
            expect(step_titles(foundations)).to_have_text(dragged, timeout=3_000)
            break
        except AssertionError:
            if attempt == 2:
                raise
    # The drop posts the new order (htmx marks the form while the request is out); only
    # reload once it is answered, or the reload can overtake the save.
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    page.reload()  # the order was saved on the server, not just moved on screen
    expect(step_titles(stage_item(page, "Foundations"))).to_have_text(dragged)

    # Publishing is refused: the coaching stage has no steps yet.
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("The stage “Coaching” has no steps yet.")
    assert_no_serious_axe_violations(page, "editor, publish refused")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "pathway-builder-refused.png", full_page=True)

    # Editing cannot take the product away either.
    practice = stage_item(page, "Practice on real tickets")
    practice.get_by_role("link", name="Edit Draft 20 real replies").click()
    expect(practice.get_by_label("Product")).to_have_value(
        str(Product.objects.get(name="Harbour Help Centre").pk)
    )
    practice.get_by_label("Product").select_option(label="---------")
    practice.get_by_role("button", name="Save step").click()
    expect(practice.locator(".step.editing .error")).to_contain_text(
        "A practice step must name the product"
    )
    assert_no_serious_axe_violations(page, "editor, step edit form refused")
    practice.get_by_label("Product").select_option(label="Harbour Help Centre")
    practice.get_by_role("button", name="Save step").click()
    expect(notice(page)).to_contain_text("Saved the step “Draft 20 real replies”")

    add_step(page, "Coaching", "Review replies with your lead")
    expect(page.locator(".readiness")).to_contain_text("Meets the publishing rules")

    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".messages")).to_contain_text("Published “Support replies with AI”")
    assert_no_serious_axe_violations(page, "editor, published")

    page.get_by_role("link", name="Assign & enrolments").click()
    page.get_by_label("Team", exact=True).select_option(label="Help Centre Support")
    page.get_by_role("button", name="Assign").click()
    expect(page.locator(".messages")).to_contain_text(
        "Enrolled 1 new person. People who join later are enrolled too."
    )
    expect(page.locator("#enrolments")).to_contain_text("Enrolled (1)")
    assert_no_serious_axe_violations(page, "assign page, assigned")
    page.screenshot(path=SCREENSHOTS / "pathway-builder-assigned.png", full_page=True)

    pathway = Pathway.objects.get(title="Support replies with AI")
    assert pathway.status == Pathway.Status.PUBLISHED
    assert Enrollment.objects.filter(pathway=pathway).count() == 1
    assert console_errors == [], "\n".join(console_errors)
