"""The top bar's notification bell, rendered for the bell's own request or carried by
another fragment as an out-of-band swap (the review count, My learning's panel)."""

from django.http import HttpRequest
from django.template.loader import render_to_string

from upskill.notifications.inbox import unread_count


def bell_html(request: HttpRequest, *, oob: bool = False) -> str:
    """The bell with the signed-in user's unread count (one query); `oob` marks it
    hx-swap-oob, to ride along another fragment's answer."""
    return render_to_string(
        "upskill/notifications/_bell.html",
        {"unread": unread_count(user_id=request.user.pk), "oob": oob},
        request=request,
    )
