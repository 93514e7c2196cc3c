from django.http import HttpRequest

from upskill import access


def navigation(request: HttpRequest) -> dict:
    """Which sections the navigation offers this user."""
    user = request.user
    if not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "learner": access.person_of(user) is not None,
            "leader": access.can_view_dashboard(user),
            "admin": access.can_configure(user),
        }
    }
