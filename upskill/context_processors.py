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
            # The one meaning of "reviewer" (the review queue's gate and the learning
            # sub-nav ask it too): a manager with reports, or a leader with someone in
            # the teams they lead. An admin's navigation has never offered the link (the
            # learning sub-nav does), and not asking keeps their pages a query shorter.
            "reviewer": not admin and access.is_reviewer(user),
        }
    }
