"""Destructive one-click actions ask first, in a real Chromium: archiving a pathway or a
product, stopping an assignment rule, retiring a commitment and closing a pulse now.
With JavaScript a modal dialog asks: Cancel (or Escape) changes nothing and puts focus
back on the button; confirming does the action. Without JavaScript the server asks on
a page of its own, with the same Cancel and Confirm. axe-core checks the open dialog
and the server's page."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pathways.models import Pathway, PathwayAssignment, Product
from responsibilities.models import AlignmentSurvey, Commitment
from tests.browser.axe import assert_no_serious_axe_violations
from tests.factories import (
    PASSWORD,
    AlignmentSurveyFactory,
    CommitmentFactory,
    LDAdminFactory,
    PathwayFactory,
    ProductFactory,
    TeamFactory,
)

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so test rows must be committed; see
    # tests/browser/test_sign_in.py for why serialized_rollback.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def dialog(page):
    return page.get_by_role("dialog")


def cancel_then_confirm(page, button, question: str, confirm: str, state: str, still) -> None:
    """Press the button: the dialog asks; Cancel keeps things (focus back on the button),
    Escape too; pressing again and confirming does it."""
    button.click()
    expect(dialog(page)).to_be_visible()
    expect(dialog(page)).to_contain_text(question)
    expect(dialog(page).get_by_role("button", name="Cancel")).to_be_focused()
    assert_no_serious_axe_violations(page, f"confirm dialog: {state}")
    dialog(page).get_by_role("button", name="Cancel").click()
    expect(dialog(page)).to_have_count(0)
    expect(button).to_be_focused()
    assert still(), f"{state}: cancelled, yet changed"
    button.click()
    expect(dialog(page)).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog(page)).to_have_count(0)
    assert still(), f"{state}: escaped, yet changed"
    button.click()
    dialog(page).get_by_role("button", name=confirm).click()
    expect(dialog(page)).to_have_count(0)


def test_destructive_actions_ask_for_confirmation_first(live_server, page, console_errors):
    admin = LDAdminFactory(username="lena", first_name="Lena", last_name="Admin")
    pathway = PathwayFactory(title="Support replies with AI", status=Pathway.Status.PUBLISHED)
    team = TeamFactory(name="Help Centre Support")
    rule = PathwayAssignment.objects.create(pathway=pathway, team=team, created_by=admin)
    product = ProductFactory(name="Harbour Help Centre")
    commitment = CommitmentFactory(title="Protected learning time")
    survey = AlignmentSurveyFactory(
        title="Spring pulse", closes_at=timezone.now() + dt.timedelta(days=5)
    )
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(f"{base}/pathways/{pathway.pk}/assign/")
    cancel_then_confirm(
        page,
        page.get_by_role("button", name="Stop this rule"),
        "Stop this rule?",
        "Stop the rule",
        "stop a rule",
        lambda: PathwayAssignment.objects.filter(pk=rule.pk).exists(),
    )
    expect(page.get_by_role("button", name="Stop this rule")).to_have_count(0)
    assert not PathwayAssignment.objects.filter(pk=rule.pk).exists()

    page.goto(f"{base}/pathways/{pathway.pk}/")
    cancel_then_confirm(
        page,
        page.get_by_role("button", name="Archive", exact=True),
        "Archive “Support replies with AI”?",
        "Archive the pathway",
        "archive a pathway",
        lambda: Pathway.objects.get(pk=pathway.pk).status == Pathway.Status.PUBLISHED,
    )
    expect(page.locator(".messages")).to_be_visible()
    assert Pathway.objects.get(pk=pathway.pk).status == Pathway.Status.ARCHIVED

    # An htmx form: the dialog sits in front of htmx's request.
    page.goto(f"{base}/pathways/products/")
    page.wait_for_function("() => typeof htmx === 'object'")
    cancel_then_confirm(
        page,
        page.get_by_role("button", name="Archive Harbour Help Centre"),
        "Archive “Harbour Help Centre”?",
        "Archive the product",
        "archive a product",
        lambda: not Product.objects.get(pk=product.pk).is_archived,
    )
    expect(page.get_by_role("button", name="Restore Harbour Help Centre")).to_be_visible()
    assert Product.objects.get(pk=product.pk).is_archived

    page.goto(f"{base}/responsibilities/")
    cancel_then_confirm(
        page,
        page.get_by_role("button", name="Retire"),
        "Retire “Protected learning time”?",
        "Retire it",
        "retire a commitment",
        lambda: Commitment.objects.get(pk=commitment.pk).is_active,
    )
    expect(page.get_by_role("button", name="Restore")).to_be_visible()
    assert not Commitment.objects.get(pk=commitment.pk).is_active
    # Restoring is not destructive: no question asked.
    page.get_by_role("button", name="Restore").click()
    expect(page.get_by_role("button", name="Retire")).to_be_visible()
    assert Commitment.objects.get(pk=commitment.pk).is_active

    page.goto(f"{base}/responsibilities/pulse/")
    cancel_then_confirm(
        page,
        page.get_by_role("button", name="Close now"),
        "Close “Spring pulse” now?",
        "Close the pulse",
        "close a pulse now",
        lambda: AlignmentSurvey.objects.get(pk=survey.pk).status == "open",
    )
    expect(page.locator(".messages")).to_contain_text("Closed “Spring pulse”")
    assert AlignmentSurvey.objects.get(pk=survey.pk).status == "closed"
    assert console_errors == []


def ask_on_a_page_then_confirm(page, button, question: str, confirm: str, state: str, still):
    """Without JavaScript the button's form posts at once: the server answers with a page
    asking the question. Cancel goes back and changes nothing; Confirm does it."""
    button.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(question)
    assert still(), f"{state}: asked, yet changed"
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(question)
    assert still(), f"{state}: cancelled, yet changed"
    button.click()
    page.get_by_role("button", name=confirm).click()
    expect(page.get_by_role("heading", level=1)).not_to_have_text(question)


def test_without_javascript_destructive_actions_ask_on_a_page_first(live_server, browser):
    admin = LDAdminFactory(username="lena", first_name="Lena", last_name="Admin")
    pathway = PathwayFactory(title="Support replies with AI", status=Pathway.Status.PUBLISHED)
    rule = PathwayAssignment.objects.create(
        pathway=pathway, team=TeamFactory(name="Help Centre Support"), created_by=admin
    )
    product = ProductFactory(name="Harbour Help Centre")
    commitment = CommitmentFactory(title="Protected learning time")
    survey = AlignmentSurveyFactory(
        title="Spring pulse", closes_at=timezone.now() + dt.timedelta(days=5)
    )
    base = live_server.url
    page = browser.new_context(java_script_enabled=False).new_page()
    page.set_default_timeout(15_000)
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(f"{base}/pathways/{pathway.pk}/assign/")
    ask_on_a_page_then_confirm(
        page,
        page.get_by_role("button", name="Stop this rule"),
        "Stop this rule?",
        "Stop the rule",
        "stop a rule",
        lambda: PathwayAssignment.objects.filter(pk=rule.pk).exists(),
    )
    expect(page.locator(".messages")).to_contain_text("Stopped assigning to team")
    assert not PathwayAssignment.objects.filter(pk=rule.pk).exists()

    page.goto(f"{base}/pathways/{pathway.pk}/")
    ask_on_a_page_then_confirm(
        page,
        page.get_by_role("button", name="Archive", exact=True),
        "Archive “Support replies with AI”?",
        "Archive the pathway",
        "archive a pathway",
        lambda: Pathway.objects.get(pk=pathway.pk).status == Pathway.Status.PUBLISHED,
    )
    assert Pathway.objects.get(pk=pathway.pk).status == Pathway.Status.ARCHIVED

    # An htmx form posts as a plain form without JavaScript, and is asked the same.
    page.goto(f"{base}/pathways/products/")
    ask_on_a_page_then_confirm(
        page,
        page.get_by_role("button", name="Archive Harbour Help Centre"),
        "Archive “Harbour Help Centre”?",
        "Archive the product",
        "archive a product",
        lambda: not Product.objects.get(pk=product.pk).is_archived,
    )
    expect(page.get_by_role("button", name="Restore Harbour Help Centre")).to_be_visible()
    assert Product.objects.get(pk=product.pk).is_archived

    # The confirmation page posts the form's own fields again (here: active=0).
    page.goto(f"{base}/responsibilities/")
    ask_on_a_page_then_confirm(
        page,
        page.get_by_role("button", name="Retire"),
        "Retire “Protected learning time”?",
        "Retire it",
        "retire a commitment",
        lambda: Commitment.objects.get(pk=commitment.pk).is_active,
    )
    expect(page.get_by_role("button", name="Restore")).to_be_visible()
    assert not Commitment.objects.get(pk=commitment.pk).is_active

    page.goto(f"{base}/responsibilities/pulse/")
    ask_on_a_page_then_confirm(
        page,
        page.get_by_role("button", name="Close now"),
        "Close “Spring pulse” now?",
        "Close the pulse",
        "close a pulse now",
        lambda: AlignmentSurvey.objects.get(pk=survey.pk).status == "open",
    )
    expect(page.locator(".messages")).to_contain_text("Closed “Spring pulse”")
    assert AlignmentSurvey.objects.get(pk=survey.pk).status == "closed"


def test_the_servers_confirmation_page_passes_axe(live_server, page, console_errors):
    """axe-core needs JavaScript, so the page the server asks on is checked where the
    dialog was skipped (as a client without it would): the same page as without it."""
    admin = LDAdminFactory(username="lena")
    survey = AlignmentSurveyFactory(
        title="Spring pulse", closes_at=timezone.now() + dt.timedelta(days=5)
    )
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{base}/responsibilities/pulse/")
    form = page.locator(f"form[action='/responsibilities/pulse/{survey.pk}/close/']")
    form.evaluate("form => { form.dataset.confirmed = '1'; }")  # as if the dialog had run

    page.get_by_role("button", name="Close now").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Close “Spring pulse” now?")
    expect(page.locator("main")).to_contain_text(
        "Nobody can answer or change their answers after this."
    )
    assert_no_serious_axe_violations(page, "confirmation page (the server asks)")
    assert AlignmentSurvey.objects.get(pk=survey.pk).status == "open"
    page.get_by_role("button", name="Close the pulse").click()
    expect(page.locator(".messages")).to_contain_text("Closed “Spring pulse”")
    assert console_errors == []
