"""Request-level pieces of the access policy."""

from upskill.models import AccessDenial


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
