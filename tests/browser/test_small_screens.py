"""Each role's main pages at a phone's width (390 × 844) in a real Chromium, on the demo
organisation: no page scrolls sideways, "Sign out" can be reached (through the menu
button the top bar collapses into), and axe-core finds no serious or critical violation.
A screenshot of each page goes to test-results/browser/small-<role>-<page>.png."""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD, demo_organisation_seed
from pathways.models import Pathway
from responsibilities.models import AlignmentSurvey
from tests.browser.axe import assert_no_serious_axe_violations

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so rows must be committed; see
    # tests/browser/test_sign_in.py for why serialized_rollback.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PHONE = {"width": 390, "height": 844}
# pytest-playwright empties test-results/ at the start of every run; set SCREENSHOTS_DIR
# to keep the phone-sized screenshots somewhere else for looking at them.
SCREENSHOTS = Path(
    os.environ.get(
        "SCREENSHOTS_DIR", Path(__file__).resolve().parents[2] / "test-results" / "browser"
    )
)

SCROLLS_SIDEWAYS = """() => ({
  scrollWidth: document.documentElement.scrollWidth,
  clientWidth: document.documentElement.clientWidth,
  widest: [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1
      && !(e.parentElement.closest(".table-scroll, .scroll-x")))
    .slice(0, 8).map((e) => e.tagName + "." + e.className + "#" + e.id),
})"""


def main_pages(role: str) -> list[tuple[str, str]]:
    pathway = Pathway.objects.get(slug="ai-assisted-customer-support")
    survey = AlignmentSurvey.objects.order_by("-pk").first()
    shared = [
        ("matrix", "/responsibilities/"),
        ("fulfilment", "/responsibilities/fulfilment/"),
        ("pulse-list", "/responsibilities/pulse/"),
    ]
    if role == "employee":
        return [
            ("my-learning", "/learning/"),
            ("step", f"/learning/{pathway.slug}/steps/draft-replies/"),
            ("recognition", "/learning/recognition/"),
            ("notifications", "/notifications/"),
            *shared,
        ]
    if role == "leader":
        return [
            ("dashboard", "/dashboard/"),
            ("reviews", "/learning/reviews/"),
            *shared,
            ("standoff", "/responsibilities/standoff/"),
            ("pulse-results", f"/responsibilities/pulse/{survey.pk}/results/"),
        ]
    return [
        ("pathways", "/pathways/"),
        ("editor", f"/pathways/{pathway.pk}/"),
        ("preview", f"/pathways/{pathway.pk}/preview/"),
        ("assign", f"/pathways/{pathway.pk}/assign/"),
        ("products", "/pathways/products/"),
        ("rubrics", "/pathways/rubrics/"),
        ("dashboard", "/dashboard/"),
        ("imports", "/imports/"),
        ("xapi-keys", "/imports/api-keys/"),
        ("xapi-mapping", "/imports/xapi-mapping/"),
        ("badges", "/pathways/badges/"),
        ("audit", "/audit/"),
        *shared,
        ("standoff", "/responsibilities/standoff/"),
        ("print", "/responsibilities/print/"),
    ]


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def assert_sign_out_reachable(page, screenshot: Path) -> None:
    """Sign out is on screen, or one press of the menu button away."""
    sign_out = page.get_by_role("button", name="Sign out")
    menu = page.get_by_role("button", name="Menu")
    if not sign_out.is_visible():
        expect(menu).to_have_attribute("aria-expanded", "false")
        menu.click()
        expect(menu).to_have_attribute("aria-expanded", "true")
        if "my-learning" in screenshot.name or "pathways-menu" in screenshot.name:
            page.screenshot(path=screenshot)
    expect(sign_out).to_be_in_viewport()
    if menu.is_visible() and menu.get_attribute("aria-expanded") == "true":
        menu.click()
        expect(sign_out).to_be_hidden()


@pytest.mark.parametrize("role", ["employee", "leader", "admin"])
def test_main_pages_fit_a_phone_and_sign_out_is_reachable(
    live_server, browser, console_errors, role
):
    demo_organisation_seed()
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.on("pageerror", lambda error: console_errors.append(str(error)))
    page.on(
        "console",
        lambda m: m.type == "error" and console_errors.append(f"{m.text} ({page.url})"),
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    sign_in(page, live_server.url, role)

    for name, path in main_pages(role):
        page.goto(f"{live_server.url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=SCREENSHOTS / f"small-{role}-{name}.png", full_page=True)
        widths = page.evaluate(SCROLLS_SIDEWAYS)
        assert widths["scrollWidth"] <= widths["clientWidth"], (name, widths)
        if name != "print":
            assert_sign_out_reachable(page, SCREENSHOTS / f"small-{role}-{name}-menu.png")
        assert_no_serious_axe_violations(page, f"390px {role} {name}")

    context.close()
    assert console_errors == []
