"""Request-level pieces of the access policy."""

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY, get_user_model, logout
from django.contrib.sessions.models import Session

from upskill.models import AccessDenial, SignInEvent
from upskill.services.audit import audit_action


class AuditActionMiddleware:
    """Each request is one action in the audit trail: whatever it writes there becomes
    one entry (upskill.services.audit). After auditlog's middleware, so the entry names
    the signed-in user. A request that writes nothing to the trail costs no query."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with audit_action():
            return self.get_response(request)


class AccessDenialMiddleware:
    """Record every refused request (403) for the audit trail: who, when, what path.

    The path only — never the body, so nothing a user typed (evidence, answers,
    passwords) reaches the trail."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            AccessDenial.objects.create(
                user=user if user is not None and user.is_authenticated else None,
                method=request.method[:8],
                path=request.path[:500],
                remote_addr=request.META.get("REMOTE_ADDR") or None,
            )
        return response


SESSION_STARTED_KEY = "upskill_signed_in_at"


def session_clock_start(sender, request, user, **kwargs) -> None:
    """On every sign-in (password, single sign-on, the admin's, a test's force_login):
    note when, so SessionBoundsMiddleware can end the session SESSION_MAX_AGE later."""
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_STARTED_KEY] = int(time.time())


class SessionBoundsMiddleware:
    """End a session on the first request after its person was deactivated (HR sync or
    SCIM marks a leaver inactive: every open session goes at once, not at expiry), or
    once it is SESSION_MAX_AGE old however active it has been. Either way the session
    is flushed, the trail notes it, and the request goes on as anonymous — to the
    sign-in page for anything but a public URL.

    No extra query on an ordinary request: the session and user are the ones
    AuthenticationMiddleware loads for the view anyway."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        reason = ""
        if request.user.is_authenticated:
            started = request.session.get(SESSION_STARTED_KEY)
            if not request.user.is_active:
                reason = "the account was deactivated"
            elif started is not None and time.time() - started > settings.SESSION_MAX_AGE:
                reason = "the session reached SESSION_MAX_AGE"
        elif SESSION_KEY in request.session:
            # A session whose user the backend no longer returns: deactivated (Django's
            # backends return nobody for an inactive user) or deleted.
            reason = "the account was deactivated"
        if reason:
            self._end(request, reason)
        return self.get_response(request)

    @staticmethod
    def _end(request, reason: str) -> None:
        from upskill.services import sign_in_event_record

        user_id = request.session.get(SESSION_KEY)
        key = request.session.session_key
        # The page and its htmx parts (the bell, the review count) can arrive together on
        # one session: only the request whose DELETE removes the stored session notes the
        # end, so the trail has one entry per session. (With another session engine, every
        # request that ends it notes it.)
        ended_here = True
        if settings.SESSION_ENGINE == "django.contrib.sessions.backends.db" and key:
            ended_here = Session.objects.filter(session_key=key).delete()[0] > 0
        logout(request)
        if not ended_here:
            return
        user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
        sign_in_event_record(
            kind=SignInEvent.Kind.SESSION_ENDED,
            user=user,
            identity=user.get_username() if user else "",
            reason=reason,
            remote_addr=request.META.get("REMOTE_ADDR"),
        )


class SignOutFormActionMiddleware:
    """Let the sign-out form's redirect reach the identity provider: browsers apply the
    page's CSP `form-action` to where a form submission is redirected, and RP-initiated
    logout redirects to the provider's end_session_endpoint. Runs inside (after, in
    MIDDLEWARE) django-csp's middleware, which reads `_csp_update` off the response."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if settings.OIDC_ISSUER:
            scheme, _, rest = settings.OIDC_ISSUER.partition("://")
            origin = f"{scheme}://{rest.split('/', 1)[0]}"
            update = getattr(response, "_csp_update", None) or {}
            response._csp_update = {
                **update,
                "form-action": [*update.get("form-action", []), origin],
            }
        return response
