"""The Organisation area's sub-navigation, rendered with the one sub-nav template."""

from django import template

from upskill.navigation import sub_nav_context

register = template.Library()


@register.inclusion_tag("upskill/_sub_nav.html")
def organisation_sub_nav(section: str) -> dict[str, object]:
    return sub_nav_context(
        label="Organisation",
        section=section,
        tabs=[
            ("hr_sync", "HR sync", "organisation"),
            ("scim", "SCIM tokens", "scim_connections"),
        ],
    )
