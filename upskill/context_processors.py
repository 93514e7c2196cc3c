from django.http import HttpRequest

from upskill import access


def navigation(request: HttpRequest) -> dict:
    """Which sections the navigation offers this user."""
    user = request.user
    if not user.is_authenticated:
        return {"nav": {}}
    admin = access.can_configure(user)
    return {
        "nav": {
            "learner": access.person_of(user) is not None,
            "leader": access.can_view_dashboard(user),
            "admin": admin,
            # Leaders review their teams' evidence (with or without a Person record).
            # Asked only of non-admins: for them the led teams are already loaded.
            "reviewer": not admin and access.is_leader(user),
        }
    }
