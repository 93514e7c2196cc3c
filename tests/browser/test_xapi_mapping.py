"""The xAPI mapping page in a real Chromium, with statements a learning platform really
sent to the endpoint: what was received and not counted, the verbs and activity ids
mapped, a refused and a saved mapping. axe-core finds no violation of any impact on it,
moderate and minor included."""

import json
import uuid

import pytest
from playwright.sync_api import expect

from metrics import services
from metrics.models import XapiActivityMapping, XapiVerbMapping
from tests.browser.axe import assert_no_axe_violations
from tests.factories import PASSWORD, LDAdminFactory, PersonFactory, StepFactory

pytestmark = [
    pytest.mark.browser,
    # The live server runs in another thread, so test rows must be committed; see
    # tests/browser/test_sign_in.py for why serialized_rollback.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def send_statement(page, base: str, key: str, verb: str, activity: str) -> None:
    body = {
        "id": str(uuid.uuid4()),
        "actor": {"objectType": "Agent", "mbox": "mailto:ana@example.com"},
        "verb": {"id": verb},
        "object": {"id": activity, "objectType": "Activity"},
        "timestamp": "2025-03-03T10:00:00Z",
    }
    response = page.request.post(
        f"{base}/xapi/statements",
        data=json.dumps(body),
        headers={
            "Authorization": f"Bearer {key}",
            "X-Experience-API-Version": "1.0.3",
            "Content-Type": "application/json",
        },
    )
    assert response.status == 200, response.text()


def test_the_xapi_mapping_page_has_no_axe_violations_of_any_impact(
    live_server, page, console_errors
):
    admin = LDAdminFactory(username="lena")
    step = StepFactory(key="prompting-101", stage__pathway__slug="ai-basics")
    PersonFactory(user__email="ana@example.com")
    XapiActivityMapping.objects.create(activity_iri="https://lms.example/course/1", step=step)
    key = services.xapi_key_create(name="Moodle", created_by=None).key
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(admin.username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    page.goto(f"{base}/imports/xapi-mapping/")
    expect(page.get_by_role("region", name="Statements received")).to_contain_text(
        "No statements yet."
    )
    assert_no_axe_violations(page, "xAPI mapping, no statements yet")

    for verb in ("completed", "experienced"):
        send_statement(
            page,
            base,
            key,
            f"http://adlnet.gov/expapi/verbs/{verb}",
            "https://lms.example/course/2",
        )
    page.reload()
    uncounted = page.get_by_role(
        "region", name="Most frequent verbs and activities Upskill does not count"
    )
    expect(uncounted).to_contain_text("https://lms.example/course/2")
    expect(page.get_by_role("region", name="Verbs that count")).to_be_visible()
    expect(page.get_by_role("region", name="Activity ids and the steps they are")).to_contain_text(
        "ai-basics/prompting-101"
    )
    assert_no_axe_violations(page, "xAPI mapping, statements received")

    verbs = page.get_by_role("region", name="Verbs that count")
    verbs.get_by_label("Verb IRI", exact=True).fill("")
    verbs.get_by_role("button", name="Save verb").click()
    expect(page.locator(".has-error")).to_have_count(1)
    assert_no_axe_violations(page, "xAPI mapping, a mapping refused")

    verbs = page.get_by_role("region", name="Verbs that count")
    verbs.get_by_label("Verb IRI", exact=True).fill("https://lms.example/verbs/practised")
    verbs.get_by_label("Counts as").select_option(label="Practiced")
    verbs.get_by_role("button", name="Save verb").click()
    expect(page.locator(".messages")).to_contain_text(
        "Statements with https://lms.example/verbs/practised now count."
    )
    assert_no_axe_violations(page, "xAPI mapping, a verb saved")
    assert XapiVerbMapping.objects.filter(verb_iri="https://lms.example/verbs/practised").exists()
    # The refused form is answered with its page and status 400, which Chromium logs.
    assert [e for e in console_errors if "status of 400 (Bad Request)" not in e] == []
