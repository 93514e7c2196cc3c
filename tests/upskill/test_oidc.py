"""The ID token check (signature, issuer, audience, expiry, nonce) with keys generated
here, and discovery and key-set caching against a loopback metadata peer: key rotation
refetches once, a provider that is down is an error Upskill shows, never a 500."""

import time

import pytest

from tests.upskill.oidc_peer import CLIENT_ID, CLIENT_SECRET, closed_port, rsa_key
from upskill import oidc


def test_a_well_formed_id_token_gives_its_claims(peer):
    claims = oidc.id_token_verify(peer.id_token(email="emma@example.com"), nonce="the-nonce")

    assert claims["sub"] == "subject-1"
    assert claims["email"] == "emma@example.com"


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        ({"aud": "another-client"}, "another client"),
        ({"nonce": "a-replayed-nonce"}, "nonce"),
        ({"nonce": None}, "nonce"),
        ({"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}, "expired"),
        ({"iss": "https://evil.example"}, "another issuer"),
        ({"aud": [CLIENT_ID, "another-client"], "azp": "another-client"}, "another client"),
        ({"exp": None}, "invalid"),
        ({"sub": None}, "invalid"),
    ],
    ids=[
        "wrong-audience",
        "wrong-nonce",
        "no-nonce",
        "expired",
        "wrong-issuer",
        "other-authorised-party",
        "no-expiry",
        "no-subject",
    ],
)
def test_a_tampered_id_token_is_refused(peer, tamper, reason):
    with pytest.raises(oidc.TokenRefused, match=reason):
        oidc.id_token_verify(peer.id_token(**tamper), nonce="the-nonce")


def test_an_id_token_signed_with_another_key_under_the_providers_kid_is_refused(peer):
    forged = peer.id_token(kid="k1", signing_key=rsa_key())

    with pytest.raises(oidc.TokenRefused, match="signature"):
        oidc.id_token_verify(forged, nonce="the-nonce")


def test_an_id_token_whose_payload_was_edited_is_refused(peer):
    header, payload, signature = peer.id_token().split(".")
    other_header, other_payload, _ = peer.id_token(sub="someone-else").split(".")

    with pytest.raises(oidc.TokenRefused, match="signature"):
        oidc.id_token_verify(f"{header}.{other_payload}.{signature}", nonce="the-nonce")


def test_an_unsigned_or_symmetric_token_is_refused(peer):
    import jwt

    unsigned = jwt.encode({"iss": peer.issuer, "sub": "x"}, None, algorithm="none")
    symmetric = jwt.encode(
        {"iss": peer.issuer, "aud": CLIENT_ID, "sub": "x", "nonce": "the-nonce"},
        CLIENT_SECRET,
        algorithm="HS256",
    )

    for token in (unsigned, symmetric):
        with pytest.raises(oidc.TokenRefused, match="signed with"):
            oidc.id_token_verify(token, nonce="the-nonce")


def test_discovery_and_keys_are_fetched_once_then_cached(peer):
    for _ in range(3):
        oidc.id_token_verify(peer.id_token(), nonce="the-nonce")

    assert (peer.discovery_fetches, peer.jwks_fetches) == (1, 1)


def test_a_rotated_key_is_fetched_when_a_token_names_it(peer):
    oidc.id_token_verify(peer.id_token(kid="k1"), nonce="the-nonce")
    peer.add_key("k2")  # the provider rotates: a new key, published

    claims = oidc.id_token_verify(peer.id_token(kid="k2"), nonce="the-nonce")

    assert claims["sub"] == "subject-1"
    assert peer.jwks_fetches == 2


def test_a_key_the_provider_never_published_is_refused_after_one_refetch(peer):
    oidc.id_token_verify(peer.id_token(kid="k1"), nonce="the-nonce")
    peer.add_key("rogue", publish=False)

    with pytest.raises(oidc.TokenRefused, match="does not publish"):
        oidc.id_token_verify(peer.id_token(kid="rogue"), nonce="the-nonce")
    assert peer.jwks_fetches == 2


def test_a_provider_that_is_down_is_unavailable_not_a_crash(settings):
    settings.OIDC_ISSUER = f"http://127.0.0.1:{closed_port()}"

    with pytest.raises(oidc.ProviderUnavailable, match="did not answer"):
        oidc.provider_metadata()


def test_a_discovery_document_of_another_issuer_is_refused(peer, settings):
    settings.OIDC_ISSUER = peer.issuer.replace("127.0.0.1", "localhost")

    with pytest.raises(oidc.ProviderUnavailable, match="another issuer"):
        oidc.provider_metadata()
