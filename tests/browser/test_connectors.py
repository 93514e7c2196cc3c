"""Tried as a new user would: the L&D admin of the demo organisation downloads the
sample Jira and GitHub files from the upload page, uploads each as its kind, confirms
the import, and finds the new measures on the outcomes dashboard — in a real Chromium,
with no console errors on the way."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # The import jobs run in-process even on the service run, where no worker consumes
    # them here (tests/integration/ covers the real worker).
    pytest.mark.usefixtures("eager_celery"),
]


def upload_sample(page, base: str, tmp_path, link: str, kind: str) -> None:
    page.goto(f"{base}/imports/")
    with page.expect_download() as download:
        page.get_by_role("link", name=link).click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("File", exact=True).set_input_files(path)
    page.get_by_role("button", name="Upload and check").click()
    confirm = page.get_by_role("button", name="Import the")
    expect(confirm).to_be_visible()
    confirm.click()
    expect(page.locator(".import-result")).to_contain_text("imported")
    expect(page.locator(".import-unmatched")).to_have_count(0)  # every login was matched


def test_admin_imports_the_demo_sample_jira_and_github_files_and_sees_the_new_measures(
    live_server, page, console_errors, tmp_path
):
    call_command("seed_demo")
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()

    upload_sample(page, base, tmp_path, "Sample Jira file", "Jira issues")
    upload_sample(page, base, tmp_path, "Sample GitHub file", "GitHub pull requests")

    page.goto(f"{base}/dashboard/")
    for measure in ("Bug share", "Cycle time (85th percentile)", "Pull-request cycle time"):
        card = page.locator(
            "section.card", has=page.get_by_role("heading", name=measure, exact=True)
        )
        expect(card).to_be_visible()
        # A figure, not the suppression dash: the sample covers whole teams. (The card
        # leads with the impact estimate; the figures are the descriptive cohort means.)
        figures = card.locator("dl.cohorts dd")
        expect(figures.first).to_be_visible()
        assert any(text.strip() != "—" for text in figures.all_inner_texts()), measure
    assert console_errors == []
