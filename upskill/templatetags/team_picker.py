"""The team pickers' options, written in Python: an L&D admin's picker lists every team
of the organisation (thousands at 50,000 people), and the template engine took about
6 µs an option. Names and slugs are escaped with html.escape, which is what
django.utils.html.escape does to a str."""

from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def team_options(teams, selected=None) -> SafeString:
    """`{% team_options teams filters.team %}`: an <option> per team, by slug, the
    selected team (a Team, or None) marked."""
    selected_pk = getattr(selected, "pk", None)
    return mark_safe(
        "".join(
            f'<option value="{escape(team.slug)}"'
            f"{' selected' if team.pk == selected_pk else ''}>{escape(team.name)}</option>"
            for team in teams
        )
    )
