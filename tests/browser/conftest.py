"""Browser tests drive Debian's Chromium through Playwright (Playwright's own browser
download needs the internet, which CI and sandboxes do not have).

CHROMIUM_PATH overrides where it is. Without it a local run skips these tests, so a
newcomer without Chromium still gets a green `make test`; in CI (CI set) a missing
browser fails the run instead of passing it silently.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

CHROMIUM_PATH = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM_PATH).is_file():
        message = f"Chromium not found at {CHROMIUM_PATH} (set CHROMIUM_PATH)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM_PATH,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture(scope="session", autouse=True)
def _django_orm_beside_playwright(request, django_db_setup):
    """Playwright's sync API keeps an asyncio loop running in this thread from the first
    browser test to the end of the session, which changes two things for Django:

    - it refuses ORM calls from a thread with a running loop, though ours are ordinary
      synchronous test code: DJANGO_ALLOW_ASYNC_UNSAFE lifts that;
    - its connections become context-local, so this thread gets new connection objects
      without the copy of the seed rows that serialized_rollback restores after each
      flush: copy it across, or every browser test after the first starts with no
      "L&D admins" group.
    """
    from django.db import connections

    seed_rows = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        request.getfixturevalue("playwright")
        for alias, contents in seed_rows.items():
            connections[alias]._test_serialized_contents = contents
        yield


@pytest.fixture
def console_errors(page):
    """Errors the page logs to the console (with the URL they concern) or throws,
    collected while the test runs."""
    errors: list[str] = []

    def on_console(message):
        if message.type == "error":
            errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", on_console)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


# CI runs these on a loaded 2-core machine: give assertions and actions room so a slow
# moment is not mistaken for a failure (they still fail if the thing never happens).
expect.set_options(timeout=15_000)


@pytest.fixture(autouse=True)
def _patient_page(page):
    page.set_default_timeout(15_000)
    return page


def pytest_terminal_summary(terminalreporter):
    """What axe-core left below serious, per page state checked in this run."""
    from tests.browser.axe import REPORT, axe_report_lines

    lines = axe_report_lines()
    if not lines:
        return
    terminalreporter.section("axe-core: moderate/minor violations left per page state")
    for line in lines:
        terminalreporter.write_line(line)
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text("\n".join(lines) + "\n", encoding="utf-8")
