"""`{% confirm_attrs "<url name>" obj %}`: the attributes that make a form ask first in
the page's dialog (static/js/upskill.js), with the question registered for that action
(upskill/confirmation.py), which the server's confirmation page asks too."""

from django import template
from django.utils.html import format_html

from upskill.confirmation import confirmation_for

register = template.Library()


@register.simple_tag
def confirm_attrs(name: str, obj) -> str:
    confirmation = confirmation_for(name, obj)
    return format_html(
        ' data-confirm="{}" data-confirm-button="{}"', confirmation.text, confirmation.button
    )
