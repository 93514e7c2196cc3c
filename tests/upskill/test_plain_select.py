"""The team choices of 2,000-team organisations are rendered by PlainSelect (no template
per option); what a browser receives must be what Django's own select would send."""

from html.parser import HTMLParser

import pytest
from django import forms

from tests.factories import TeamFactory
from upskill.forms import PlainSelect, PlainSelectMultiple
from upskill.models import Team


class _Select(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.select: dict = {}
        self.options: list[tuple] = []
        self._group = None
        self._option = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.select = attrs
        elif tag == "optgroup":
            self._group = attrs["label"]
        elif tag == "option":
            self._option = [self._group, attrs["value"], "selected" in attrs, ""]

    def handle_data(self, data):
        if self._option is not None:
            self._option[3] += data.strip()

    def handle_endtag(self, tag):
        if tag == "option":
            self.options.append(tuple(self._option))
            self._option = None
        elif tag == "optgroup":
            self._group = None


CHOICES = [("", "All"), ("a", "Billing & <Support>"), ("b", 'Say "hi"'), ("c", "C")]
GROUPED = [("", "None"), ("Europe", [("e1", "Europe 1"), ("e2", "Europe 2")]), ("x", "X")]


@pytest.mark.parametrize(
    ("django_widget", "plain_widget", "choices", "value"),
    [
        (forms.Select, PlainSelect, CHOICES, "a"),
        (forms.Select, PlainSelect, CHOICES, None),
        (forms.Select, PlainSelect, GROUPED, "e2"),
        (forms.SelectMultiple, PlainSelectMultiple, CHOICES, ["a", "c"]),
    ],
)
def test_plain_select_sends_what_djangos_select_sends(django_widget, plain_widget, choices, value):
    attrs = {"id": "id_team", "required": True, "size": 6}
    expected = _Select(django_widget(choices=choices).render("team", value, attrs=attrs))
    actual = _Select(plain_widget(choices=choices).render("team", value, attrs=attrs))

    assert actual.options == expected.options
    assert actual.select == expected.select
    chosen = {v for _, v, selected, _ in actual.options if selected}
    assert chosen == ({value} if isinstance(value, str) else set(value or [""]))


@pytest.mark.django_db
def test_a_team_choice_field_renders_every_team_with_the_chosen_one_selected():
    teams = [TeamFactory(name=f"Team {n:02d}") for n in range(30)]
    field = forms.ModelChoiceField(queryset=Team.objects.order_by("name"), widget=PlainSelect)

    rendered = _Select(field.widget.render("team", teams[7].pk))

    assert [label for *_, label in rendered.options] == ["---------"] + [t.name for t in teams]
    assert [value for _, value, selected, _ in rendered.options if selected] == [str(teams[7].pk)]
