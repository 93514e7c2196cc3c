"""A strict Content-Security-Policy on every app page, and pages that need nothing more."""

import re

import pytest

from tests.factories import LDAdminFactory

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_STYLE = re.compile(r"<style\b|\sstyle=")
INLINE_HANDLER = re.compile(r"\son[a-z]+=", re.I)


def test_pages_send_a_strict_policy(client, employee):
    client.force_login(employee.user)
    policy = client.get("/learning/")["Content-Security-Policy"]
    assert "default-src 'self'" in policy
    assert "script-src 'self'" in policy
    assert "style-src 'self'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


def test_the_login_page_is_covered_too(client):
    assert "script-src 'self'" in client.get("/login/")["Content-Security-Policy"]


@pytest.mark.parametrize(
    "url",
    [
        "/login/",
        "/pathways/",
        "/dashboard/",
        "/responsibilities/",
        "/responsibilities/fulfilment/",
        "/responsibilities/pulse/",
        "/responsibilities/standoff/",
        "/responsibilities/print/",
    ],
)
def test_pages_have_no_inline_scripts_styles_or_handlers(client, url, team):
    admin = LDAdminFactory()
    team.leaders.add(admin)
    if url != "/login/":
        client.force_login(admin)
    html = client.get(url).text
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html)
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html)


def test_htmx_is_told_not_to_inject_styles_or_eval(client, employee):
    client.force_login(employee.user)
    html = client.get("/learning/").text
    assert '"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html
