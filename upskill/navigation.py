"""The sub-navigation tabs of an area (the builder, learning, shared responsibility).

Each app describes its tabs with `SubNavTab` in an inclusion tag of its own and renders
them with the one template, `upskill/_sub_nav.html`, via `sub_nav_context`.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class SubNavTab:
    section: str
    label: str
    url: str


def sub_nav_context(
    *, label: str, section: str, tabs: list[tuple[str, str, str]]
) -> dict[str, object]:
    """`tabs` are (section, label, URL name) in display order; returns the template's
    context."""
    return {
        "label": label,
        "section": section,
        "tabs": [SubNavTab(key, text, reverse(url_name)) for key, text, url_name in tabs],
    }
