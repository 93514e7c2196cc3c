from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from upskill import access


def policy_required(check: Callable) -> Callable:
    """Require a signed-in user for whom `check(user)` from upskill.access holds; else 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not check(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


ld_admin_required = policy_required(access.can_configure)
dashboard_required = policy_required(access.can_view_dashboard)
person_required = policy_required(lambda user: access.person_of(user) is not None)
