"""Authentication backends: passwords (switchable to break-glass superusers only) and
OpenID Connect single sign-on (mozilla-django-oidc's backend, with discovery, the full
ID token check and Upskill's matching of a token to a provisioned person)."""

from __future__ import annotations

from urllib.parse import quote

import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from requests.auth import HTTPBasicAuth

from upskill import oidc


class PasswordBackend(ModelBackend):
    """Django's username + password check, refused for everyone but superusers when
    PASSWORD_LOGIN is off (the admin's login form included)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not settings.PASSWORD_LOGIN and not user.is_superuser:
            return None
        return user


class OidcBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's code-flow backend, with the provider's endpoints from its
    discovery document instead of settings, and Upskill's own checks and matching.

    Everything that goes wrong raises: oidc.SignInRefused (with the reason the page and
    the audit trail show) or oidc.ProviderUnavailable; the callback view turns both
    into a page."""

    def __init__(self, *args, **kwargs):
        # The library reads the endpoints from settings here; ours come from discovery,
        # when a sign-in needs them, so that a provider that is down cannot stop Upskill.
        self.UserModel = get_user_model()

    @property
    def OIDC_RP_CLIENT_ID(self) -> str:  # noqa: N802 — the library's attribute name
        return settings.OIDC_RP_CLIENT_ID

    @property
    def OIDC_RP_CLIENT_SECRET(self) -> str:  # noqa: N802
        return settings.OIDC_RP_CLIENT_SECRET

    # Sessions: Django's check (an inactive user is nobody), not the library's.
    get_user = ModelBackend.get_user

    def authenticate(self, request, **kwargs):
        # Only the callback view passes a nonce; password sign-ins pass through.
        if request is None or not oidc.enabled() or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def get_token(self, payload: dict) -> dict:
        metadata = oidc.provider_metadata()
        methods = metadata.get("token_endpoint_auth_methods_supported") or ["client_secret_basic"]
        auth = None
        if "client_secret_basic" in methods:
            # RFC 6749 §2.3.1: both halves form-encoded before the Basic encoding.
            auth = HTTPBasicAuth(
                quote(payload["client_id"], safe=""), quote(payload["client_secret"], safe="")
            )
            payload = {name: value for name, value in payload.items() if name != "client_secret"}
        try:
            response = requests.post(
                metadata["token_endpoint"], data=payload, auth=auth, timeout=settings.OIDC_TIMEOUT
            )
        except requests.RequestException as exc:
            raise oidc.ProviderUnavailable("the token endpoint did not answer") from exc
        if response.status_code != 200:
            # Only the OAuth error code (e.g. invalid_grant): never the body, which
            # could echo what we sent.
            try:
                error = str(response.json().get("error", ""))[:60]
            except (ValueError, AttributeError):
                error = ""
            raise oidc.SignInRefused(
                f"the identity provider refused the sign-in code ({error or response.status_code})"
            )
        try:
            tokens = response.json()
        except ValueError as exc:
            raise oidc.ProviderUnavailable("the token endpoint sent something not JSON") from exc
        if not isinstance(tokens, dict) or not isinstance(tokens.get("id_token"), str):
            raise oidc.SignInRefused("the identity provider sent no ID token")
        return tokens

    def verify_token(self, token, **kwargs):
        return oidc.id_token_verify(token, nonce=kwargs.get("nonce"))

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, plus the userinfo endpoint's when the provider has one
        (oidc-provider and Okta put profile claims there); its `sub` must be the same."""
        endpoint = oidc.provider_metadata().get("userinfo_endpoint")
        if not (endpoint and access_token):
            return dict(payload)
        try:
            response = requests.get(
                endpoint,
                headers={"Authorization": f"Bearer {access_token}"},
                timeout=settings.OIDC_TIMEOUT,
            )
            response.raise_for_status()
            userinfo = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise oidc.ProviderUnavailable("the userinfo endpoint did not answer") from exc
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload["sub"]:
            raise oidc.SignInRefused("the userinfo endpoint describes someone else")
        return {**userinfo, **payload}

    def get_or_create_user(self, access_token, id_token, payload):
        from upskill.services import identity_sign_in

        claims = self.get_userinfo(access_token, id_token, payload)
        return identity_sign_in(issuer=settings.OIDC_ISSUER, claims=claims)
