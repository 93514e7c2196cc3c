"""Sign-in rules without a browser: matching an identity to a provisioned person, the
password switch, the session bounds and the sign-in page's choices. (The browser tests
in tests/browser/test_single_sign_on.py go through a real provider.)"""

import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import PASSWORD, PersonFactory, UserFactory
from tests.upskill.oidc_peer import CLIENT_ID, CLIENT_SECRET, closed_port
from upskill.access import LD_ADMINS_GROUP
from upskill.middleware import SESSION_STARTED_KEY
from upskill.models import IdentityLink, SignInEvent
from upskill.oidc import SignInRefused
from upskill.services import identity_sign_in

pytestmark = pytest.mark.django_db
ISSUER = "https://idp.example"


@pytest.fixture
def by_email(settings):
    settings.OIDC_MATCH_CLAIM = "email"
    settings.OIDC_MATCH_FIELD = "email"


def test_first_sign_in_links_the_subject_and_later_ones_match_on_it(by_email):
    person = PersonFactory(user__email="Emma@Example.com")

    first = identity_sign_in(issuer=ISSUER, claims={"sub": "s1", "email": "emma@example.com"})
    # The email changed at the IdP: the stored subject still finds the same person.
    again = identity_sign_in(issuer=ISSUER, claims={"sub": "s1", "email": "new@example.com"})

    assert first == again == person.user
    assert IdentityLink.objects.get().subject == "s1"
    assert SignInEvent.objects.filter(kind=SignInEvent.Kind.LINKED).count() == 1


def test_unknown_person_is_refused_and_nothing_is_created(by_email):
    users = get_user_model().objects.count()

    with pytest.raises(SignInRefused, match="provisioned"):
        identity_sign_in(issuer=ISSUER, claims={"sub": "s9", "email": "who@example.com"})

    assert get_user_model().objects.count() == users
    assert not IdentityLink.objects.exists()


def test_unknown_person_gets_an_account_only_with_create_unknown(by_email, settings):
    settings.OIDC_CREATE_UNKNOWN = True

    user = identity_sign_in(
        issuer=ISSUER, claims={"sub": "s9", "email": "who@example.com", "given_name": "Wu"}
    )

    assert (user.email, user.first_name, user.has_usable_password()) == (
        "who@example.com",
        "Wu",
        False,
    )


def test_leaver_is_refused_and_not_linked(by_email):
    PersonFactory(user__email="gone@example.com", user__is_active=False)

    with pytest.raises(SignInRefused, match="left or been deactivated"):
        identity_sign_in(issuer=ISSUER, claims={"sub": "s2", "email": "gone@example.com"})
    assert not IdentityLink.objects.exists()


def test_a_linked_person_who_leaves_is_refused(by_email):
    person = PersonFactory(user__email="emma@example.com")
    identity_sign_in(issuer=ISSUER, claims={"sub": "s1", "email": "emma@example.com"})
    get_user_model().objects.filter(pk=person.user_id).update(is_active=False)

    with pytest.raises(SignInRefused, match="left"):
        identity_sign_in(issuer=ISSUER, claims={"sub": "s1"})


def test_an_unverified_email_or_a_missing_claim_is_refused(by_email):
    PersonFactory(user__email="emma@example.com")

    with pytest.raises(SignInRefused, match="not verified"):
        identity_sign_in(
            issuer=ISSUER,
            claims={"sub": "s1", "email": "emma@example.com", "email_verified": False},
        )
    with pytest.raises(SignInRefused, match="no email claim"):
        identity_sign_in(issuer=ISSUER, claims={"sub": "s1"})


def test_email_fallback_when_the_match_claim_is_missing(settings):
    settings.OIDC_MATCH_CLAIM = "employee_id"
    settings.OIDC_MATCH_FIELD = "username"  # stands in for person__employee_id here
    settings.OIDC_MATCH_EMAIL_FALLBACK = True
    person = PersonFactory(user__email="emma@example.com")

    user = identity_sign_in(issuer=ISSUER, claims={"sub": "s1", "email": "emma@example.com"})

    assert user == person.user


def test_a_person_already_linked_to_another_subject_is_refused(by_email):
    PersonFactory(user__email="emma@example.com")
    identity_sign_in(issuer=ISSUER, claims={"sub": "s1", "email": "emma@example.com"})

    with pytest.raises(SignInRefused, match="already linked"):
        identity_sign_in(issuer=ISSUER, claims={"sub": "s2", "email": "emma@example.com"})


def test_admin_group_claim_grants_and_removes_the_ld_admin_role(by_email, settings):
    settings.OIDC_ADMIN_GROUPS = ["upskill-admins"]
    person = PersonFactory(user__email="emma@example.com")
    claims = {"sub": "s1", "email": "emma@example.com"}
    ld_admins = Group.objects.get(name=LD_ADMINS_GROUP)

    identity_sign_in(issuer=ISSUER, claims={**claims, "groups": ["Upskill-Admins"]})
    assert ld_admins in person.user.groups.all()
    identity_sign_in(issuer=ISSUER, claims=claims)  # no group claim: unchanged
    assert ld_admins in person.user.groups.all()
    identity_sign_in(issuer=ISSUER, claims={**claims, "groups": ["staff"]})
    assert ld_admins not in person.user.groups.all()


def test_password_login_off_admits_only_the_break_glass_superuser(client, settings):
    settings.PASSWORD_LOGIN = False
    employee = UserFactory()
    superuser = UserFactory(is_superuser=True, is_staff=True)

    refused = client.post(reverse("login"), {"username": employee.username, "password": PASSWORD})
    assert refused.status_code == 200
    assert "Password sign-in is switched off" in refused.content.decode()
    admitted = client.post(reverse("login"), {"username": superuser.username, "password": PASSWORD})
    assert admitted.status_code == 302
    # The admin's own login form obeys the same switch.
    client.logout()
    staff = UserFactory(is_staff=True)
    client.post("/admin/login/", {"username": staff.username, "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_sign_in_page_offers_sso_only_when_peer(client, settings):
    page = client.get(reverse("login")).content.decode()
    assert "Sign in with" not in page
    assert 'name="password"' in page

    settings.OIDC_ISSUER = ISSUER
    settings.OIDC_BUTTON_LABEL = "Okta"
    page = client.get(reverse("login") + "?next=/learning/").content.decode()
    assert "Sign in with Okta" in page
    assert reverse("oidc_sign_in") + "?next=/learning/" in page


def test_deactivated_person_loses_their_session_on_the_next_request(client):
    person = PersonFactory()
    client.force_login(person.user)
    assert client.get(reverse("pathways:my_learning")).status_code == 200

    get_user_model().objects.filter(pk=person.user_id).update(is_active=False)
    response = client.get(reverse("pathways:my_learning"))

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    assert SignInEvent.objects.get(kind=SignInEvent.Kind.SESSION_ENDED).user == person.user


def test_a_session_ends_at_session_max_age_however_active(client, settings):
    person = PersonFactory()
    client.force_login(person.user)
    session = client.session
    session[SESSION_STARTED_KEY] = int(time.time()) - settings.SESSION_MAX_AGE - 1
    session.save()

    response = client.get(reverse("pathways:my_learning"))

    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_MAX_AGE


def test_sign_in_start_redirects_with_pkce_state_and_nonce(client, peer):
    response = client.get(reverse("oidc_sign_in"))

    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(f"{peer.issuer}/auth?")
    for parameter in ("code_challenge=", "code_challenge_method=S256", "state=", "nonce="):
        assert parameter in location
    assert CLIENT_SECRET not in location


def test_provider_down_gives_a_clear_page_not_a_500(client, settings):
    settings.OIDC_ISSUER = f"http://127.0.0.1:{closed_port()}"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID

    response = client.get(reverse("oidc_sign_in"))

    assert response.status_code == 503
    assert "Single sign-on is unavailable" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    ["", "?code=abc&state=never-issued", "?error=access_denied&state=x", "?state=x"],
)
def test_a_callback_without_a_sign_in_in_progress_is_a_refusal_page(client, peer, query):
    response = client.get(reverse("oidc_callback") + query)

    assert response.status_code == 403
    assert "You could not be signed in" in response.content.decode()
    assert "_auth_user_id" not in client.session
