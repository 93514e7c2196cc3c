"""Signing in and out: the password form, OpenID Connect single sign-on."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.core.exceptions import SuspiciousOperation
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
)
from django.shortcuts import render
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from mozilla_django_oidc import views as oidc_views

from upskill import oidc
from upskill.forms import SignInForm
from upskill.models import SignInEvent
from upskill.services import sign_in_event_record


def _sign_in_options() -> dict:
    return {
        "oidc_enabled": oidc.enabled(),
        "oidc_label": settings.OIDC_BUTTON_LABEL,
        "password_login": settings.PASSWORD_LOGIN,
    }


class SignInView(auth_views.LoginView):
    """The sign-in page: "Sign in with <label>" when single sign-on is configured, and the
    password form (for the break-glass superuser only when PASSWORD_LOGIN is off)."""

    template_name = "upskill/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), **_sign_in_options()}


def _refused(request: HttpRequest, reason: str, identity: str = "") -> HttpResponse:
    sign_in_event_record(
        kind=SignInEvent.Kind.REFUSED,
        identity=identity,
        reason=reason,
        remote_addr=request.META.get("REMOTE_ADDR"),
    )
    return render(
        request,
        "upskill/sign_in/refused.html",
        {"reason": reason, **_sign_in_options()},
        status=403,
    )


def _unavailable(request: HttpRequest, problem: oidc.ProviderUnavailable) -> HttpResponse:
    sign_in_event_record(
        kind=SignInEvent.Kind.REFUSED,
        reason=f"identity provider unavailable: {problem}",
        remote_addr=request.META.get("REMOTE_ADDR"),
    )
    return render(
        request,
        "upskill/sign_in/unavailable.html",
        {"problem": str(problem), **_sign_in_options()},
        status=503,
    )


@method_decorator(never_cache, name="dispatch")
class OidcSignInStartView(oidc_views.OIDCAuthenticationRequestView):
    """Send the browser to the provider's authorisation endpoint (code flow, PKCE S256,
    state and nonce kept in the session by mozilla-django-oidc)."""

    def __init__(self, *args, **kwargs):
        # The library reads the endpoint from settings here; ours comes from discovery.
        super(oidc_views.OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        if not oidc.enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc.provider_metadata()["authorization_endpoint"]
        except oidc.ProviderUnavailable as problem:
            return _unavailable(request, problem)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        return super().get(request)


@method_decorator(never_cache, name="dispatch")
class OidcCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: the library checks state and hands the
    nonce and PKCE verifier to upskill.backends.OidcBackend, which exchanges the code,
    verifies the ID token and matches the person. Every failure is a page, never a 500."""

    def get(self, request):
        if not oidc.enabled():
            raise Http404("Single sign-on is not configured.")
        try:
            return super().get(request)
        except oidc.SignInRefused as refusal:
            return _refused(request, refusal.reason, refusal.identity)
        except oidc.ProviderUnavailable as problem:
            return _unavailable(request, problem)
        except SuspiciousOperation:
            # mozilla-django-oidc: a state this browser's session never issued.
            return _refused(
                request, "this sign-in was started in another browser or has already been used"
            )

    def login_failure(self):
        # The provider sent an error (the person declined, or it refused the request),
        # or the callback came without a sign-in in progress.
        error = self.request.GET.get("error", "")
        reason = (
            f"the identity provider did not sign you in ({error[:60]})"
            if error
            else "no sign-in was in progress in this browser"
        )
        return _refused(self.request, reason)

    def login_success(self):
        response = super().login_success()
        sign_in_event_record(
            kind=SignInEvent.Kind.SIGNED_IN,
            user=self.user,
            identity=self.user.get_username(),
            remote_addr=self.request.META.get("REMOTE_ADDR"),
        )
        return response


class SignOutView(oidc_views.OIDCLogoutView):
    """POST: end the Upskill session and, for a single sign-on session whose provider
    has an end_session_endpoint, the provider's too (RP-initiated logout)."""

    http_method_names = ["post"]

    def post(self, request):
        if request.user.is_authenticated:
            sign_in_event_record(
                kind=SignInEvent.Kind.SIGNED_OUT,
                user=request.user,
                identity=request.user.get_username(),
                remote_addr=request.META.get("REMOTE_ADDR"),
            )
        return super().post(request)
