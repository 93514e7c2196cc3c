"""Tried as a new user would: the L&D admin of the demo organisation downloads the
sample Jira and GitHub files from the upload page, uploads each as its kind, confirms
the import, and finds the new measures on the outcomes dashboard; uploads an activity
file and an identity map with bad rows, reads the column rules and downloads the bad
rows with their reasons — in a real Chromium, with no console errors on the way and
axe-core run on every state."""

import csv

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from demo.seed import DEMO_PASSWORD
from metrics.models import ActivityRecord, ToolLogin
from tests.browser.axe import assert_no_serious_axe_violations
from upskill.models import Person

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    # The import jobs run in-process even on the service run, where no worker consumes
    # them here (tests/integration/ covers the real worker).
    pytest.mark.usefixtures("eager_celery"),
]


def upload_sample(page, base: str, tmp_path, kind_value: str, kind: str) -> None:
    page.goto(f"{base}/imports/")
    page.locator(f"#format-{kind_value} > summary").click()  # its column rules, and sample
    with page.expect_download() as download:
        page.get_by_role("link", name=f"Sample file for {kind}").click()
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


def sign_in_as_admin(page, base: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def test_admin_imports_the_demo_sample_jira_and_github_files_and_sees_the_new_measures(
    live_server, page, console_errors, tmp_path
):
    call_command("seed_demo")
    base = live_server.url
    sign_in_as_admin(page, base)

    upload_sample(page, base, tmp_path, "jira", "Jira issues")
    upload_sample(page, base, tmp_path, "github-prs", "GitHub pull requests")

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


def downloaded_rows(page, link_name: str, tmp_path) -> list[list[str]]:
    with page.expect_download() as download:
        page.get_by_role("link", name=link_name).click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.reader(file))


def test_admin_reads_the_column_rules_and_downloads_a_refused_files_bad_rows(
    live_server, page, console_errors, tmp_path
):
    call_command("seed_demo")
    base = live_server.url
    sign_in_as_admin(page, base)
    email = Person.objects.select_related("user").order_by("pk").first().user.email

    page.goto(f"{base}/imports/")
    rules = page.get_by_role("table", name="Columns, in this order").first
    expect(rules.get_by_role("row", name="minutes")).to_contain_text("Whole number from 0 to 1,440")
    page.locator("#format-zendesk > summary").click()
    expect(page.locator("#format-zendesk")).to_contain_text("good, bad, offered, unoffered")
    assert_no_serious_axe_violations(page, "imports: column rules")

    path = tmp_path / "activity.csv"
    path.write_text(
        "person_email,occurred_at,minutes,kind,pathway,step,source_id\n"
        f"{email},2025-03-03T10:00:00Z,30,attended,,,browser-1\n"
        "nobody@example.com,2025-03-03,30,attended,,,browser-2\n"
        f"{email},2025-03-04,2000,slept,,,browser-3\n"
    )
    page.get_by_label("Activity", exact=True).check()
    page.get_by_label("File", exact=True).set_input_files(path)
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("button", name="Import the 1 valid row")).to_be_visible()
    assert_no_serious_axe_violations(page, "import run: rows with errors and their download")
    rows = downloaded_rows(page, "Download the rows with errors (CSV)", tmp_path)
    assert rows == [
        ["line", "person_email", "occurred_at", "minutes", "kind", "pathway", "step",
         "source_id", "error"],
        ["3", "nobody@example.com", "2025-03-03", "30", "attended", "", "", "browser-2",
         "unknown person 'nobody@example.com'"],
        ["4", email, "2025-03-04", "2000", "slept", "", "", "browser-3",
         "minutes 2000 is out of range 0-1440; kind 'slept' is not one of attended, "
         "practiced, coached, completed"],
    ]  # fmt: skip
    page.get_by_role("button", name="Cancel").click()
    expect(page.get_by_text("Cancelled: nothing was imported.")).to_be_visible()
    assert not ActivityRecord.objects.filter(source_id__startswith="browser-").exists()

    employee_id = Person.objects.order_by("pk").first().employee_id
    logins = tmp_path / "logins.csv"
    logins.write_text(
        f"employee_id,system,login\n{employee_id},jira,browser-login\nE-nobody,jira,x\n"
    )
    page.goto(f"{base}/imports/identity-map/")
    page.get_by_label("Identity map file").set_input_files(logins)
    page.get_by_role("button", name="Load the identity map").click()
    expect(page.get_by_text("1 of 2 rows are invalid; nothing was imported")).to_be_visible()
    assert_no_serious_axe_violations(page, "identity map: refused with its rows to fix")
    assert downloaded_rows(page, "Download the rows to fix (CSV)", tmp_path) == [
        ["line", "employee_id", "system", "login", "error"],
        ["3", "E-nobody", "jira", "x", "unknown employee_id 'E-nobody'"],
    ]
    assert not ToolLogin.objects.filter(login="browser-login").exists()
    # The refused upload is answered 400 (the form with its errors), which Chromium logs.
    assert [e for e in console_errors if "status of 400" not in e] == []
    assert len(console_errors) == 1
