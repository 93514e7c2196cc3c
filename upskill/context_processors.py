from functools import cached_property

from django.http import HttpRequest

from upskill import access


class Navigation:
    """Which sections the navigation offers a signed-in user, each worked out when a
    template first asks for it: a page renders the top bar and asks, an htmx fragment
    (the bell, a table's next page) renders none of it and spends no query on it."""

    def __init__(self, user):
        self._user = user

    @cached_property
    def learner(self) -> bool:
        return access.person_of(self._user) is not None

    @cached_property
    def leader(self) -> bool:
        return access.can_view_dashboard(self._user)

    @cached_property
    def admin(self) -> bool:
        return access.can_configure(self._user)

    @cached_property
    def reviewer(self) -> bool:
        # The one meaning of "reviewer" (the review queue's gate and the learning
        # sub-nav ask it too): a manager with reports, or a leader with someone in the
        # teams they lead. An admin's navigation has never offered the link (the
        # learning sub-nav does), and not asking keeps their pages a query shorter.
        return not self.admin and access.is_reviewer(self._user)


def navigation(request: HttpRequest) -> dict:
    """Which sections the navigation offers this user."""
    user = request.user
    if not user.is_authenticated:
        return {"nav": {}}
    return {"nav": Navigation(user)}
