"""Destructive one-click actions ask first — with or without JavaScript.

With JavaScript, static/js/upskill.js asks in a modal <dialog> and adds CONFIRMED_FIELD
to the form it then submits. Without it (or from any client that skips the dialog) the
view gets a POST without the field and answers with `confirmation_page` instead of
acting: the same question, a form that posts the same fields again with the field, and
Cancel. So the server, not a script, guarantees nothing destructive happens unasked.

Each action's question is written once: the app registers it here under the action's
URL name from its AppConfig.ready() (upskill may import no other app), the template tag
`{% confirm_attrs "<url name>" obj %}` (upskill/templatetags/confirmation.py) puts it on
the form for the dialog, and `confirmation_page` shows it as a page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpResponse
from django.shortcuts import render
from django_htmx.http import reswap, retarget

from upskill.http import HtmxHttpRequest

CONFIRMED_FIELD = "confirmed"
CONFIRMED_VALUE = "yes"


@dataclass(frozen=True)
class Confirmation:
    question: str  # "Archive “Support replies with AI”?"
    detail: str  # what happens, in a sentence
    button: str  # the label of the button that goes ahead

    @property
    def text(self) -> str:
        return f"{self.question} {self.detail}".strip()


Ask = Callable[[Any], Confirmation]  # (the object acted on) -> its question
_asks: dict[str, Ask] = {}


def confirmation_register(name: str, ask: Ask) -> None:
    """Register (or replace) the question of the action at URL name `name`."""
    _asks[name] = ask


def confirmation_for(name: str, obj: Any) -> Confirmation:
    try:
        ask = _asks[name]
    except KeyError:
        raise LookupError(f"No confirmation registered for {name!r}") from None
    return ask(obj)


def is_confirmed(request: HtmxHttpRequest) -> bool:
    return request.POST.get(CONFIRMED_FIELD) == CONFIRMED_VALUE


def confirmation_page(
    request: HtmxHttpRequest, name: str, obj: Any, *, cancel_url: str
) -> HttpResponse:
    """Ask before acting: a page whose form posts the request's own fields back to the
    same URL with the confirmation, and a Cancel link to `cancel_url`. Nothing has been
    changed when it is shown. An htmx request (a client that skipped the dialog) gets the
    page in place of the whole body rather than squeezed into the row it targeted."""
    fields = [
        (key, value)
        for key in request.POST
        if key not in ("csrfmiddlewaretoken", CONFIRMED_FIELD)
        for value in request.POST.getlist(key)
    ]
    response = render(
        request,
        "upskill/confirm.html",
        {
            "confirmation": confirmation_for(name, obj),
            "action": request.get_full_path(),
            "fields": fields,
            "confirmed_field": CONFIRMED_FIELD,
            "confirmed_value": CONFIRMED_VALUE,
            "cancel_url": cancel_url,
        },
    )
    if request.htmx:
        response = reswap(retarget(response, "body"), "innerHTML")
    return response
