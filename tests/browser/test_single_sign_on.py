"""Single sign-on end to end: a real Chromium signs in through a real OpenID provider's
login and consent pages (panva's oidc-provider, started on a free loopback port), with
Upskill's code exchange, ID token check and matching in between. Nothing is mocked.

axe-core checks every state of Upskill's own pages on the way (the sign-in page with
its single sign-on button, where each sign-in lands, the refusals, the sign-in page
after signing out or being signed out); the provider's login, consent and sign-out
pages are the provider's, not Upskill's, and are not checked."""

import logging
import re
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from playwright.sync_api import expect

from tests.browser.axe import assert_no_serious_axe_violations
from tests.factories import PersonFactory, TeamFactory
from tests.oidc.provider import running_provider
from upskill.backends import OidcBackend
from upskill.models import IdentityLink, SignInEvent

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

CLIENT_ID = "upskill-browser"
CLIENT_SECRET = "browser-client-secret-that-must-never-be-logged"
ACCOUNTS = {
    "emma": {
        "sub": "idp-emma",
        "email": "emma@example.com",
        "email_verified": True,
        "given_name": "Emma",
        "family_name": "Employee",
        "employee_id": "E1001",
    },
    "lewis": {"sub": "idp-lewis", "email": "lewis@example.com", "employee_id": "E1002"},
    # Known to the provider, never provisioned in Upskill.
    "stranger": {"sub": "idp-stranger", "email": "stranger@example.com", "employee_id": "E9999"},
}


@pytest.fixture(scope="module")
def provider(live_server):
    client = {
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uris": [f"{live_server.url}/login/sso/callback/"],
        "post_logout_redirect_uris": [f"{live_server.url}/login/"],
    }
    with running_provider(client=client, accounts=ACCOUNTS) as issuer:
        yield issuer


@pytest.fixture
def sso(settings, provider):
    settings.OIDC_ISSUER = provider
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_BUTTON_LABEL = "Test IdP"
    # The defaults: the employee_id claim against Person.employee_id (HR's immutable key).
    settings.OIDC_MATCH_CLAIM = "employee_id"
    settings.OIDC_MATCH_FIELD = "person__employee_id"
    # The discovery cache starts empty: every test has a cache of its own (tests/conftest.py).
    return provider


def employee(username="emma", email="emma@example.com", employee_id="E1001", **user):
    team = TeamFactory(name="Support")
    return PersonFactory(
        team=team,
        employee_id=employee_id,
        user__username=username,
        user__email=email,
        user__first_name="Emma",
        user__last_name="Employee",
        **{f"user__{name}": value for name, value in user.items()},
    ).user


def sign_in_at_provider(page, live_server, login: str, start: str = "/learning/"):
    page.goto(f"{live_server.url}{start}")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    assert_no_serious_axe_violations(page, "sign-in page with single sign-on")
    page.get_by_role("link", name="Sign in with Test IdP").click()
    # The provider's own login page, then its consent page.
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("any password the dev login accepts")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()


def test_provisioned_employee_signs_in_with_sso_and_lands_on_my_learning(live_server, page, sso):
    user = employee()

    sign_in_at_provider(page, live_server, "emma")

    expect(page).to_have_url(f"{live_server.url}/learning/")
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")
    expect(page.locator("header .who")).to_have_text("Emma Employee")
    assert_no_serious_axe_violations(page, "my learning after single sign-on")
    link = IdentityLink.objects.get()
    assert (link.user, link.issuer, link.subject) == (user, sso, "idp-emma")
    kinds = set(SignInEvent.objects.filter(user=user).values_list("kind", flat=True))
    assert kinds == {SignInEvent.Kind.LINKED, SignInEvent.Kind.SIGNED_IN}


def test_unknown_person_is_refused_with_a_clear_page_and_nothing_is_created(live_server, page, sso):
    employee()
    users_before = get_user_model().objects.count()

    sign_in_at_provider(page, live_server, "stranger")

    expect(page.get_by_role("heading", level=1)).to_have_text("You could not be signed in")
    expect(page.get_by_role("alert")).to_contain_text(
        "nobody with this identity has been provisioned"
    )
    assert_no_serious_axe_violations(page, "single sign-on refused: not provisioned")
    assert get_user_model().objects.count() == users_before
    assert not IdentityLink.objects.exists()
    page.goto(f"{live_server.url}/learning/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    refusal = SignInEvent.objects.get(kind=SignInEvent.Kind.REFUSED)
    assert "provisioned" in refusal.reason


def test_leaver_is_refused(live_server, page, sso):
    employee(username="lewis", email="lewis@example.com", employee_id="E1002", is_active=False)

    sign_in_at_provider(page, live_server, "lewis")

    expect(page.get_by_role("alert")).to_contain_text("has left or been deactivated")
    assert_no_serious_axe_violations(page, "single sign-on refused: a leaver")
    assert not IdentityLink.objects.exists()
    page.goto(f"{live_server.url}/learning/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))


def test_logout_ends_the_upskill_and_the_provider_session(live_server, page, sso):
    employee()
    sign_in_at_provider(page, live_server, "emma")
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")

    page.get_by_role("button", name="Sign out").click()
    # The provider's end-session page (RP-initiated logout), then back to Upskill.
    page.get_by_role("button", name="Yes, sign me out").click()

    expect(page).to_have_url(f"{live_server.url}/login/")
    assert_no_serious_axe_violations(page, "sign-in page after single sign-out")
    assert not Session.objects.exists() or all(
        "_auth_user_id" not in session.get_decoded() for session in Session.objects.all()
    )
    page.goto(f"{live_server.url}/learning/")
    expect(page).to_have_url(re.compile(r"/login/\?next="))
    page.get_by_role("link", name="Sign in with Test IdP").click()
    # The provider asks who you are again: its session ended too.
    expect(page.locator("input[name=login]")).to_be_visible()
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.SIGNED_OUT).count() == 1


def test_person_deactivated_while_signed_in_gets_the_sign_in_page_next(live_server, page, sso):
    user = employee()
    sign_in_at_provider(page, live_server, "emma")
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")

    # HR sync or SCIM marks them a leaver.
    get_user_model().objects.filter(pk=user.pk).update(is_active=False)
    page.reload()

    expect(page).to_have_url(re.compile(r"/login/\?next=/learning/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to Upskill")
    assert_no_serious_axe_violations(page, "sign-in page after being signed out (a leaver)")
    ended = SignInEvent.objects.get(kind=SignInEvent.Kind.SESSION_ENDED)
    assert (ended.user, ended.reason) == (user, "the account was deactivated")
    assert all("_auth_user_id" not in s.get_decoded() for s in Session.objects.all())


def test_no_code_token_or_secret_is_logged_during_a_full_sign_in(
    live_server, page, sso, caplog, monkeypatch
):
    """Capture every log record (DEBUG and up, every logger, both threads) through a
    whole sign-in and sign-out, and look for the code, the verifier, the tokens and the
    client secret in it."""
    employee()
    secrets_seen: list[str] = [CLIENT_SECRET]
    original_get_token = OidcBackend.get_token

    def get_token_and_remember(self, payload):
        # A spy: the real exchange happens; we only note what must never be logged.
        secrets_seen.extend([payload["code"], payload["code_verifier"]])
        tokens = original_get_token(self, payload)
        secrets_seen.extend(str(tokens[name]) for name in ("id_token", "access_token"))
        return tokens

    monkeypatch.setattr(OidcBackend, "get_token", get_token_and_remember)
    callback_urls: list[str] = []
    page.on(
        "request",
        lambda request: (
            callback_urls.append(request.url) if "/sso/callback/" in request.url else None
        ),
    )
    caplog.set_level(logging.DEBUG)

    sign_in_at_provider(page, live_server, "emma")
    expect(page.get_by_role("heading", level=1)).to_have_text("My learning")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(f"{live_server.url}/login/")

    code = parse_qs(urlparse(callback_urls[0]).query)["code"][0]
    assert code in secrets_seen
    assert len(secrets_seen) == 5
    assert all(len(secret) >= 20 for secret in secrets_seen)
    logged = caplog.text + "\n".join(
        str(record.args) + record.getMessage() for record in caplog.records
    )
    assert caplog.records, "nothing was captured: the test would prove nothing"
    for secret in secrets_seen:
        assert secret not in logged
