"""Login throttling: repeated wrong passwords lock that username out from that address."""

import pytest

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _sign_in(client, username, password):
    return client.post("/login/", {"username": username, "password": password})


def test_five_wrong_passwords_lock_the_account_out_even_for_the_right_one(client, settings):
    settings.AXES_FAILURE_LIMIT = 5
    user = UserFactory(username="target")
    for _ in range(4):
        response = _sign_in(client, "target", "wrong")
        assert response.status_code == 200
        assert "Please enter a correct username and password" in response.text
    response = _sign_in(client, "target", "wrong")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.text

    response = _sign_in(client, user.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_successful_sign_in_resets_the_count(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(username="forgetful")
    for _ in range(2):
        _sign_in(client, "forgetful", "wrong")
    assert _sign_in(client, "forgetful", PASSWORD).status_code == 302
    client.post("/logout/")
    for _ in range(2):
        assert _sign_in(client, "forgetful", "wrong").status_code == 200


def test_another_username_is_not_locked_by_someone_elses_failures(client, settings):
    settings.AXES_FAILURE_LIMIT = 2
    UserFactory(username="victim")
    UserFactory(username="bystander")
    for _ in range(2):
        _sign_in(client, "victim", "wrong")
    assert _sign_in(client, "bystander", PASSWORD).status_code == 302
