"""The shared-responsibility sub-navigation, rendered with the one sub-nav template."""

from django import template

from upskill import access
from upskill.navigation import sub_nav_context

register = template.Library()


@register.inclusion_tag("upskill/_sub_nav.html", takes_context=True)
def responsibilities_nav(context, section: str) -> dict[str, object]:
    """`{% responsibilities_nav "pulse" %}`: the tabs, with the standoff score only for
    those who may open it (leaders and admins). The policy answer is memoised on the user,
    so asking it here costs no query the navigation has not already run."""
    tabs = [
        ("matrix", "Matrix & commitments", "responsibilities:matrix"),
        ("fulfilment", "Fulfilment", "responsibilities:fulfilment"),
        ("pulse", "Alignment pulse", "responsibilities:pulse_list"),
    ]
    if access.can_view_dashboard(context["request"].user):
        tabs.append(("standoff", "Standoff score", "responsibilities:standoff"))
    return sub_nav_context(label="Shared responsibility", section=section, tabs=tabs)
