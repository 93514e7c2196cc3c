"""The OpenID Connect protocol around mozilla-django-oidc: the provider's discovery
document and signing keys (fetched when first needed, cached, refetched when a token is
signed with a key we have not seen: key rotation), and the ID token check the library
leaves partly to us (it verifies the signature and the nonce, not audience or issuer).

Nothing here logs a token, a code or a secret; errors carry only what the sign-in page
may show."""

from __future__ import annotations

import hmac
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse

DISCOVERY_PATH = "/.well-known/openid-configuration"
# Clocks of the provider and of Upskill may differ by this much (RFC 7519's "leeway").
CLOCK_SKEW_SECONDS = 60


class ProviderUnavailable(Exception):
    """The identity provider cannot be reached or answered nonsense: tell the person to
    try again later (the page says so), never a 500."""


class SignInRefused(Exception):
    """This sign-in is refused; the message says why, in words for the person and the
    audit trail. `identity` is who it was (the claim they were looked up by), if known."""

    def __init__(self, reason: str, *, identity: str = ""):
        super().__init__(reason)
        self.reason = reason
        self.identity = identity


class TokenRefused(SignInRefused):
    """An ID token failed a check; the message names which."""


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER)


def _cache_key(what: str) -> str:
    return f"upskill:oidc:{what}:{settings.OIDC_ISSUER}"


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise ProviderUnavailable(
            f"the identity provider did not answer ({type(exc).__name__})"
        ) from exc
    if not isinstance(document, dict):
        raise ProviderUnavailable("the identity provider sent something that is not JSON")
    return document


def provider_metadata() -> dict:
    """The provider's discovery document (OpenID Connect Discovery 1.0), cached for
    OIDC_DISCOVERY_CACHE_SECONDS. A failed fetch is not cached: the next request retries."""
    key = _cache_key("metadata")
    metadata = cache.get(key)
    if metadata is None:
        metadata = _get_json(settings.OIDC_ISSUER + DISCOVERY_PATH)
        # The document must be the issuer's own (Discovery §4.3), with what the
        # authorisation code flow needs.
        if metadata.get("issuer", "").rstrip("/") != settings.OIDC_ISSUER:
            raise ProviderUnavailable("the discovery document names another issuer")
        needed = ("authorization_endpoint", "token_endpoint", "jwks_uri")
        if not all(isinstance(metadata.get(name), str) for name in needed):
            raise ProviderUnavailable("the discovery document lacks the code-flow endpoints")
        cache.set(key, metadata, settings.OIDC_DISCOVERY_CACHE_SECONDS)
    return metadata


def _signing_keys(*, refresh: bool = False) -> dict:
    key = _cache_key("jwks")
    jwks = None if refresh else cache.get(key)
    if jwks is None:
        jwks = _get_json(provider_metadata()["jwks_uri"])
        if not isinstance(jwks.get("keys"), list):
            raise ProviderUnavailable("the provider's key set has no keys")
        cache.set(key, jwks, settings.OIDC_DISCOVERY_CACHE_SECONDS)
    return jwks


def _matching_key(keys: dict, kid: str | None, alg: str) -> jwt.PyJWK | None:
    for candidate in keys["keys"]:
        if not isinstance(candidate, dict) or candidate.get("use", "sig") != "sig":
            continue
        if kid is not None and candidate.get("kid") != kid:
            continue
        if candidate.get("alg", alg) != alg:
            continue
        try:
            return jwt.PyJWK(candidate, algorithm=alg)
        except jwt.PyJWTError:
            continue
    return None


def signing_key(token: str) -> jwt.PyJWK:
    """The provider's key that signed `token`. A key id we have not cached means the
    provider rotated its keys: fetch the key set once more before refusing."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as exc:
        raise TokenRefused("the ID token is not a JWT") from exc
    alg = header.get("alg")
    if alg != settings.OIDC_RP_SIGN_ALGO:
        raise TokenRefused(f"the ID token is signed with {alg!r}, not {settings.OIDC_RP_SIGN_ALGO}")
    kid = header.get("kid")
    key = _matching_key(_signing_keys(), kid, alg)
    if key is None:
        key = _matching_key(_signing_keys(refresh=True), kid, alg)
    if key is None:
        raise TokenRefused("the ID token is signed with a key the provider does not publish")
    return key


def id_token_verify(token: str, *, nonce: str | None) -> dict:
    """The ID token's claims, once its signature, issuer, audience, expiry, issue time
    and nonce are checked (OpenID Connect Core §3.1.3.7)."""
    key = signing_key(token)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[settings.OIDC_RP_SIGN_ALGO],
            audience=settings.OIDC_RP_CLIENT_ID,
            issuer=settings.OIDC_ISSUER,
            leeway=CLOCK_SKEW_SECONDS,
            options={"require": ["iss", "aud", "exp", "iat", "sub"]},
        )
    except jwt.InvalidSignatureError as exc:
        raise TokenRefused("the ID token's signature is wrong") from exc
    except jwt.InvalidAudienceError as exc:
        raise TokenRefused("the ID token is meant for another client (audience)") from exc
    except jwt.InvalidIssuerError as exc:
        raise TokenRefused("the ID token comes from another issuer") from exc
    except jwt.ExpiredSignatureError as exc:
        raise TokenRefused("the ID token has expired") from exc
    except jwt.PyJWTError as exc:
        raise TokenRefused(f"the ID token is invalid ({type(exc).__name__})") from exc
    # Several audiences: the authorised party must be us (Core §3.1.3.7 rule 5).
    several = isinstance(claims["aud"], list) and len(claims["aud"]) > 1
    if several and claims.get("azp") != settings.OIDC_RP_CLIENT_ID:
        raise TokenRefused("the ID token is meant for another client (azp)")
    token_nonce = claims.get("nonce")
    if not nonce or not isinstance(token_nonce, str) or not hmac.compare_digest(token_nonce, nonce):
        raise TokenRefused("the ID token's nonce does not match this sign-in")
    return claims


def provider_logout_url(request: HttpRequest) -> str:
    """Where logout sends the browser: the provider's end_session_endpoint (RP-initiated
    logout) when it has one and this session came from it, else our sign-in page.
    Called by mozilla-django-oidc's logout view (OIDC_OP_LOGOUT_URL_METHOD)."""
    login_url = reverse(settings.LOGOUT_REDIRECT_URL)
    id_token = request.session.get("oidc_id_token")
    if not (enabled() and id_token):
        return login_url
    try:
        end_session = provider_metadata().get("end_session_endpoint")
    except ProviderUnavailable:
        return login_url
    if not isinstance(end_session, str):
        return login_url
    query = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(login_url),
            "client_id": settings.OIDC_RP_CLIENT_ID,
        }
    )
    return f"{end_session}{'&' if '?' in end_session else '?'}{query}"
