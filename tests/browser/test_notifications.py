"""The bell in a real Chromium: it shows the unread count, the list opens from it, and
marking one read (htmx) updates both the list and the bell."""

import datetime as dt

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from responsibilities.services import survey_open
from tests.factories import PASSWORD, PersonFactory, TeamFactory
from tests.pathways.factories import a_journey, submitted
from upskill import notifications

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("eager_celery"),
]


def sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_the_bell_shows_the_count_opens_the_list_and_mark_read_updates_it(
    live_server, page, console_errors
):
    person = PersonFactory(team=TeamFactory(name="Support"), user__username="emma")
    notifications.notifications_create(
        drafts=[
            notifications.NotificationDraft(
                recipient_id=person.user_id,
                kind="due_soon",
                key=f"due_soon:{n}",
                subject=subject,
                url="/learning/",
            )
            for n, subject in enumerate(["“Writing with AI” is due on 9 March", "A pulse is open"])
        ]
    )
    sign_in(page, live_server, "emma")

    bell = page.locator("#notification-bell")
    expect(bell).to_have_text("Notifications 2 unread")
    bell.click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.locator("li.notification.unread")).to_have_count(2)
    page.get_by_role("button", name="Mark “A pulse is open” read").click()

    expect(page.locator("li.notification.unread")).to_have_count(1)
    expect(page.locator("#notification-bell")).to_have_text("Notifications 1 unread")
    expect(page.locator(".unread-count")).to_have_text("1 unread")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#notification-bell")).to_have_text("Notifications")
    assert console_errors == []


def test_a_reviewers_two_counts_arrive_in_one_request_and_the_bell_still_updates(
    live_server, page, console_errors
):
    """A manager's top bar shows the evidence waiting and the unread count after one
    request (the review count's answer brings the bell, hx-swap-oob); the bell it brought
    still reloads itself when notifications are marked read."""
    journey = a_journey()
    submitted(journey)  # notifies the manager: evidence waiting for review
    manager = journey.manager.user
    manager.username = "tom"
    manager.save()
    asked = []
    page.on(
        "request",
        lambda request: (
            asked.append(request.url.removeprefix(live_server.url))
            if "/count/" in request.url or "/bell/" in request.url
            else None
        ),
    )
    sign_in(page, live_server, "tom")

    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")
    expect(page.locator("#review-count")).to_have_text("1 waiting")
    expect(page.locator("#notification-bell")).to_have_text("Notifications 1 unread")
    assert asked == ["/learning/reviews/count/?bell=1"]  # one request for both counts

    page.locator("#notification-bell").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Notifications")
    expect(page.locator("#notification-bell")).to_have_text("Notifications 1 unread")
    assert asked == ["/learning/reviews/count/?bell=1"] * 2

    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator("#notification-bell")).to_have_text("Notifications")
    assert asked[-1] == "/notifications/bell/"
    assert console_errors == []


def test_my_learning_loads_its_panel_the_pulse_nudge_and_the_bell_in_one_request(
    live_server, page, console_errors
):
    """An employee's My learning makes one request after it loads: the commitments panel,
    which brings the open pulse's invitation and the bell (hx-swap-oob)."""
    person = PersonFactory(team=TeamFactory(name="Support"), user__username="emma")
    survey = survey_open(title="Autumn pulse", closes_at=timezone.now() + dt.timedelta(days=7))
    notifications.notifications_create(
        drafts=[
            notifications.NotificationDraft(
                recipient_id=person.user_id,
                kind="due_soon",
                key="due_soon:1",
                subject="A pulse is open",
                url="/learning/",
            )
        ]
    )
    asked = []
    page.on(
        "request",
        lambda request: (
            asked.append(request.url.removeprefix(live_server.url))
            if request.resource_type in ("xhr", "fetch")
            else None
        ),
    )
    sign_in(page, live_server, "emma")

    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")
    expect(page.get_by_role("heading", name=survey.title)).to_be_visible()
    # the pulse's own "a pulse is open" and the one above
    expect(page.locator("#notification-bell")).to_have_text("Notifications 2 unread")
    expect(page.locator(".commitments-panel #fulfilment-table")).to_be_attached()
    assert asked == [f"/responsibilities/fulfilment/?team={person.team.slug}&nudge=1&bell=1"]
    assert console_errors == []
