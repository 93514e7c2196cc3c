"""The imports pages show each kind's column rules from the definitions the importer
checks rows against (and the rules are what the importer does: a required column left
empty is refused, an optional one is not, a value outside the allowed ones is refused,
every example passes); and a file with bad rows offers them back as a CSV — line
number, the row as uploaded, the reason — to the L&D admins only, with nothing
imported."""

from __future__ import annotations

import csv
import io
import json
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from metrics import services
from metrics.models import ActivityRecord, ImportRun, ToolLogin
from metrics.services import connectors, import_reports
from metrics.services.connectors import sources
from metrics.services.connectors.identity import LOGIN_COLUMNS
from metrics.services.imports import formats
from metrics.services.imports.columns import ACTIVITY_COLUMNS, MINUTES_MAX, OUTCOME_COLUMNS
from tests.factories import LDAdminFactory, PersonFactory, StepFactory
from tests.metrics.csv_files import ACTIVITY_HEADER

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


@pytest.fixture
def admin_client(client, ld_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(ld_admin)
    return client


@pytest.fixture
def examples_exist(team):
    """What the columns' examples name: the person, pathway and step, and the team
    (`team` is "payments"; the measure cycle_time_days is seeded by a migration)."""
    person = PersonFactory(team=team, user__email="ana@example.com", employee_id="E1042")
    StepFactory(key="prompting-101", stage__pathway__slug="ai-basics")
    return person


def rule_rows(html: str, section_id: str) -> list[tuple[str, str, str, str]]:
    """(column, required, format, example) of every rules table in one section."""
    section = html.split(f'id="{section_id}"', 1)[1].split("</details>", 1)[0]
    return [
        (name, required, re.sub(r"<[^>]+>", "", rule), example)
        for name, required, rule, example in re.findall(
            r'<th scope="row"><code>(.*?)</code></th>\s*<td>(.*?)</td>\s*<td>(.*?)</td>\s*'
            r"<td><code>(.*?)</code></td>",
            section,
            flags=re.S,
        )
    ]


def as_html(text: str) -> str:
    return (
        text.replace("&", "&amp;").replace("'", "&#x27;").replace('"', "&quot;")
        .replace("<", "&lt;").replace(">", "&gt;")
    )  # fmt: skip


# --- The rules on the page ----------------------------------------------------------------


def test_the_upload_page_shows_every_kinds_rules_from_the_importers_definitions(admin_client):
    html = admin_client.get(reverse("metrics:imports")).content.decode()
    assert "see the README" not in html
    assert [f.kind for f in import_reports.FORMATS] == [
        kind for kind in ImportRun.Kind.values if kind != ImportRun.Kind.IDENTITY_MAP
    ]
    for import_format in import_reports.FORMATS:
        shown = rule_rows(html, f"format-{import_format.kind}")
        defined = [column for file in import_format.files for column in file.columns]
        assert [row[0] for row in shown] == [as_html(c.name) for c in defined]
        for (_name, required, rule, example), column in zip(shown, defined, strict=True):
            assert required == ("Required" if column.required else "Optional")
            assert rule.startswith(as_html(column.format[0].upper() + column.format[1:]))
            for value in column.allowed:
                assert as_html(value) in rule
            assert example == as_html(column.example)
    # the header rows of our own formats, exactly as the importer wants them
    assert f"<code>{ACTIVITY_HEADER}</code>" in html
    assert f"<code>{','.join(formats.OUTCOME_HEADER)}</code>" in html


def test_each_rules_table_sits_beside_the_file_to_start_from_and_that_file_works(
    admin_client, examples_exist
):
    html = admin_client.get(reverse("metrics:imports")).content.decode()
    for kind in (ImportRun.Kind.ACTIVITY, ImportRun.Kind.OUTCOMES):
        section = html.split(f'id="format-{kind}"', 1)[1].split("</details>", 1)[0]
        url = reverse("metrics:import_template", args=[kind])
        assert f'href="{url}" download' in section
        template = admin_client.get(url).content.decode()
        header, example = list(csv.reader(io.StringIO(template)))
        assert header == [c.name for c in formats.COLUMNS[kind]]
        assert example == [c.example for c in formats.COLUMNS[kind]]
        report = services.import_file_validate(kind=kind, source=io.BytesIO(template.encode()))
        assert (report.rows_valid, report.errors) == (1, []), kind
    for kind in connectors.CONNECTORS:
        section = html.split(f'id="format-{kind}"', 1)[1].split("</details>", 1)[0]
        assert f'href="{reverse("metrics:import_sample", args=[kind])}" download' in section


def test_the_identity_map_page_shows_its_rules_and_sample(admin_client):
    html = admin_client.get(reverse("metrics:identity_map")).content.decode()
    names = re.findall(r'<th scope="row"><code>(.*?)</code></th>\s*<td>(\w+)</td>', html)
    assert names == [(c.name, "Required" if c.required else "Optional") for c in LOGIN_COLUMNS]
    assert "<code>employee_id,system,login,valid_from</code>" in html
    assert reverse("metrics:import_sample", args=["identity-map"]) in html
    assert "<code>jira</code>, <code>github</code>, <code>zendesk</code>" in html


# --- The rules are what the importer does ---------------------------------------------------


def reasons_for(kind: str, fields: list[str]) -> list[str]:
    columns = formats.COLUMNS[kind]
    text = ",".join(c.name for c in columns) + "\n" + _csv_line(fields)
    report = services.import_file_validate(kind=kind, source=io.BytesIO(text.encode()))
    return [error["reason"] for error in report.errors]


def _csv_line(fields) -> str:
    buffer = io.StringIO()
    csv.writer(buffer).writerow(fields)
    return buffer.getvalue()


@pytest.mark.parametrize("kind", [ImportRun.Kind.ACTIVITY, ImportRun.Kind.OUTCOMES])
def test_a_required_column_left_empty_is_refused_and_an_optional_one_is_not(kind, examples_exist):
    columns = formats.COLUMNS[kind]
    examples = [c.example for c in columns]
    assert reasons_for(kind, examples) == []
    for position, column in enumerate(columns):
        row = list(examples)
        row[position] = " "
        if column.name == "pathway":
            row[position + 1] = ""  # a step is in a pathway (its rule says so)
        reasons = reasons_for(kind, row)
        if column.required:
            assert reasons == [f"{column.name} is empty"], column.name
        else:
            assert reasons == [], column.name


def test_values_outside_a_columns_allowed_values_and_limits_are_refused(examples_exist):
    kind_column = next(c for c in ACTIVITY_COLUMNS if c.name == "kind")
    assert set(kind_column.allowed) == set(ActivityRecord.Kind.values) == formats.KINDS
    examples = [c.example for c in ACTIVITY_COLUMNS]
    for value in kind_column.allowed:
        assert reasons_for("activity", [*examples[:3], value.upper(), *examples[4:]]) == []
    assert reasons_for("activity", [*examples[:3], "slept", *examples[4:]]) == [
        f"kind 'slept' is not one of {', '.join(kind_column.allowed)}"
    ]
    at_most = [*examples[:2], str(MINUTES_MAX), *examples[3:]]
    assert reasons_for("activity", at_most) == []
    too_many = [*examples[:2], str(MINUTES_MAX + 1), *examples[3:]]
    assert reasons_for("activity", too_many) == [
        f"minutes {MINUTES_MAX + 1} is out of range 0-1440"
    ]
    no_pathway = [*examples[:4], "", *examples[5:]]
    assert reasons_for("activity", no_pathway) == [
        "step 'prompting-101' is given without a pathway"
    ]
    outcome = [c.example for c in OUTCOME_COLUMNS]
    assert reasons_for("outcomes", [*outcome[:4], "0", outcome[5]]) == [
        "sample_size 0 must be a positive whole number"
    ]


def test_the_identity_map_refuses_its_required_columns_empty_and_a_system_it_does_not_know(
    examples_exist,
):
    header = ",".join(c.name for c in LOGIN_COLUMNS)
    examples = [c.example for c in LOGIN_COLUMNS]
    rows = [examples]
    for position in range(len(LOGIN_COLUMNS)):
        row = list(examples)
        row[position] = ""
        row[2] = f"login-{position}" if position != 2 else ""
        rows.append(row)
    rows.append([examples[0], "gitlab", "someone", ""])
    text = header + "\n" + "".join(_csv_line(row) for row in rows)
    with pytest.raises(connectors.LoginRowsInvalid) as refused:
        connectors.tool_logins_import(source=io.BytesIO(text.encode()))
    by_line = {error["line"]: error["reason"] for error in refused.value.report.errors}
    required = [c for c in LOGIN_COLUMNS if c.required]
    expected = {3 + i: f"{c.name} is empty" for i, c in enumerate(LOGIN_COLUMNS) if c.required}
    system = LOGIN_COLUMNS[1]
    expected[3 + len(LOGIN_COLUMNS)] = f"system 'gitlab' is not one of {', '.join(system.allowed)}"
    assert by_line == expected
    assert len(required) == 3
    assert set(system.allowed) == set(ToolLogin.System.values)
    assert not ToolLogin.objects.exists()


def _json_item(columns, *, leave_out: str = "") -> dict:
    item: dict = {}
    for column in columns:
        if column.name == leave_out:
            continue
        example = int(column.example) if re.fullmatch(r"-?\d+", column.example) else column.example
        target = item
        for name in column.path[:-1]:
            target = target.setdefault(name, {})
        target[column.path[-1]] = example
    return item


# (kind, the definitions of one of its files, CSV or JSON)
TOOL_FILES = [
    ("jira", sources.JIRA_COLUMNS, "csv"),
    ("jira", sources.JIRA_HISTORY_COLUMNS, "csv"),
    ("github-prs", sources.GITHUB_PR_COLUMNS, "json"),
    ("github-prs", sources.GITHUB_REVIEW_COLUMNS, "json"),
    ("copilot", sources.COPILOT_COLUMNS, "json"),
    ("zendesk", sources.ZENDESK_COLUMNS, "json"),
    ("zendesk", sources.ZENDESK_COLUMNS, "csv"),
    ("freshdesk", sources.FRESHDESK_COLUMNS, "json"),
]


@pytest.mark.parametrize(("kind", "definitions", "shape"), TOOL_FILES)
def test_a_tool_exports_required_fields_are_the_ones_it_refuses_rows_without(
    kind, definitions, shape, db
):
    columns = list(definitions.values())
    assert any(
        file.columns == tuple(columns)
        for f in import_reports.FORMATS
        if f.kind == kind
        for file in f.files
    )
    if shape == "csv":
        lines = [",".join(c.name for c in columns), _csv_line([c.example for c in columns])]
        for column in columns:
            lines.append(_csv_line(["" if c is column else c.example for c in columns]))
        body = (lines[0] + "\n" + "".join(lines[1:])).encode()
        line_of = {column.name: 3 + i for i, column in enumerate(columns)}
    else:
        items = [_json_item(columns)] + [_json_item(columns, leave_out=c.name) for c in columns]
        body = "\n".join(json.dumps(item) for item in items).encode()  # one object a line
        line_of = {column.name: 2 + i for i, column in enumerate(columns)}
    report = connectors.connector_file_validate(kind=kind, source=io.BytesIO(body))
    refused = {error["line"] for error in report.errors}
    assert report.rows_total == len(columns) + 1
    assert {line for name, line in line_of.items()} >= refused
    for column in columns:
        assert (line_of[column.name] in refused) == column.required, column.name
    first_line = 2 if shape == "csv" else 1
    assert first_line not in refused  # the examples make a row that is taken


@pytest.mark.parametrize(
    ("kind", "definitions", "value"),
    [("zendesk", sources.ZENDESK_COLUMNS, "great"), ("freshdesk", sources.FRESHDESK_COLUMNS, 99)],
)
def test_a_rating_outside_the_allowed_values_is_refused(kind, definitions, value, db):
    columns = list(definitions.values())
    item = _json_item(columns)
    score = definitions["score"].path
    target = item
    for name in score[:-1]:
        target = target[name]
    for allowed in definitions["score"].allowed:
        target[score[-1]] = int(allowed) if kind == "freshdesk" else allowed
        body = json.dumps([item]).encode()
        assert connectors.connector_file_validate(kind=kind, source=io.BytesIO(body)).errors == []
    target[score[-1]] = value
    report = connectors.connector_file_validate(
        kind=kind, source=io.BytesIO(json.dumps([item]).encode())
    )
    assert len(report.errors) == 1
    assert repr(value) in report.errors[0]["reason"]


# --- The bad rows, downloaded -------------------------------------------------------------

GOOD = "ana@example.com,2025-03-03T10:00:00Z,30,attended,ai-basics,prompting-101,lms-1"
BAD_ROWS = (
    b"person_email,occurred_at,minutes,kind,pathway,step,source_id\n"
    + GOOD.encode() + b"\n"                                          # 2: good
    + b"nobody@example.com,2025-03-04,15,practiced,,,lms-2\n"         # 3: unknown person
    + b"ana@example.com,04/03/2025,15,slept,,,lms-3\n"                # 4: two reasons
    + b"ana@example.com,2025-03-04,15\n"                              # 5: too few columns
    + b'ana@example.com,"2025"-03-04,15,practiced,,,lms-5\n'         # 6: broken quoting
    + b'ana@example.com,2025-03-05,2000,coached,,,"lms-6, a note"\n'  # 7: out of range, quoted
    + b"ana@example.com,2025-03-06,20,completed,,,lms-7\n"            # 8: good
)  # fmt: skip


def upload(client, capture, body: bytes, kind="activity", name="activity.csv"):
    with capture(execute=True):
        return client.post(
            reverse("metrics:imports"),
            {"kind": kind, "file": SimpleUploadedFile(name, body, content_type="text/csv")},
        )


def downloaded(client, run) -> list[list[str]]:
    response = client.get(reverse("metrics:import_run_bad_rows", args=[run.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        f'attachment; filename="upskill-import-{run.pk}-bad-rows.csv"'
    )
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_the_bad_rows_of_a_checked_file_download_with_line_values_and_reason(
    admin_client, examples_exist, django_capture_on_commit_callbacks
):
    upload(admin_client, django_capture_on_commit_callbacks, BAD_ROWS)
    run = ImportRun.objects.get()
    assert (run.status, run.rows_valid, run.rows_invalid) == ("validated", 2, 5)
    page = admin_client.get(reverse("metrics:import_run", args=[run.pk])).content.decode()
    url = reverse("metrics:import_run_bad_rows", args=[run.pk])
    assert f'href="{url}" download' in page

    rows = downloaded(admin_client, run)
    assert rows[0] == ["line", *ACTIVITY_HEADER.split(","), "error"]
    assert rows[1:] == [
        ["3", "nobody@example.com", "2025-03-04", "15", "practiced", "", "", "lms-2",
         "unknown person 'nobody@example.com'"],
        ["4", "ana@example.com", "04/03/2025", "15", "slept", "", "", "lms-3",
         "occurred_at '04/03/2025' is not an ISO 8601 date or datetime; kind 'slept' is not "
         "one of attended, practiced, coached, completed"],
        ["5", "ana@example.com", "2025-03-04", "15", "", "", "", "", "expected 7 columns, found 3"],
        ["6", "", "", "", "", "", "", "",
         "not readable as CSV (',' expected after '\"')"],
        ["7", "ana@example.com", "2025-03-05", "2000", "coached", "", "", "lms-6, a note",
         "minutes 2000 is out of range 0-1440"],
    ]  # fmt: skip
    assert not ActivityRecord.objects.exists()  # nothing is imported while refused rows wait
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("metrics:import_run_cancel", args=[run.pk]))
    assert not ActivityRecord.objects.exists()
    assert downloaded(admin_client, run) == rows  # still there once cancelled


def test_a_row_wider_than_the_header_keeps_every_value_in_extra_columns(
    admin_client, examples_exist, django_capture_on_commit_callbacks
):
    body = (ACTIVITY_HEADER + "\n" + GOOD + ",surplus,more\n").encode()
    upload(admin_client, django_capture_on_commit_callbacks, body)
    rows = downloaded(admin_client, ImportRun.objects.get())
    assert rows[0] == ["line", *ACTIVITY_HEADER.split(","), "column 8", "column 9", "error"]
    assert rows[1] == ["2", *GOOD.split(","), "surplus", "more", "expected 7 columns, found 9"]


def test_a_tool_exports_bad_items_download_as_their_json(
    admin_client, db, django_capture_on_commit_callbacks
):
    good = _json_item(sources.GITHUB_PR_COLUMNS.values())
    bad = _json_item(sources.GITHUB_PR_COLUMNS.values(), leave_out="user.login")
    body = json.dumps([good, bad], indent=2).encode()
    upload(admin_client, django_capture_on_commit_callbacks, body, "github-prs", "pulls.json")
    run = ImportRun.objects.get()
    rows = downloaded(admin_client, run)
    line = run.row_errors[0]["line"]
    assert rows == [
        ["line", "record", "error"],
        [str(line), json.dumps(bad), "user.login is missing"],
    ]
    assert body.decode().splitlines()[line - 1].strip() == "{"  # where the item starts


def test_a_refused_identity_map_offers_its_bad_rows_and_loads_nothing(admin_client, examples_exist):
    body = b"employee_id,system,login\nE1042,jira,acc-ana\nE-nobody,jira,x\nE1042,gitlab,y\n"
    response = admin_client.post(
        reverse("metrics:identity_map"),
        {"file": SimpleUploadedFile("logins.csv", body, content_type="text/csv")},
    )
    assert response.status_code == 400
    run = ImportRun.objects.get(kind=ImportRun.Kind.IDENTITY_MAP)
    assert run.status == ImportRun.Status.REJECTED
    url = reverse("metrics:import_run_bad_rows", args=[run.pk])
    assert f'href="{url}" download' in response.content.decode()
    assert downloaded(admin_client, run) == [
        ["line", "employee_id", "system", "login", "error"],
        ["3", "E-nobody", "jira", "x", "unknown employee_id 'E-nobody'"],
        ["4", "E1042", "gitlab", "y",
         "system 'gitlab' is not one of jira, github, zendesk, freshdesk"],
    ]  # fmt: skip
    assert not ToolLogin.objects.exists()


def test_a_command_line_run_stores_no_file_so_offers_no_download(
    admin_client, examples_exist, tmp_path
):
    path = tmp_path / "activity.csv"
    path.write_bytes(BAD_ROWS)
    with pytest.raises(services.InvalidRows):
        services.file_import(kind="activity", path=path, allow_invalid=False)
    run = ImportRun.objects.get()
    page = admin_client.get(reverse("metrics:import_run", args=[run.pk])).content.decode()
    assert "bad-rows.csv" not in page
    assert "imported from the command line, so its rows are not stored" in page
    assert (
        admin_client.get(reverse("metrics:import_run_bad_rows", args=[run.pk])).status_code == 404
    )
    assert not ActivityRecord.objects.exists()


def test_only_ld_admins_download_bad_rows(
    admin_client, employee, leader, examples_exist, django_capture_on_commit_callbacks
):
    upload(admin_client, django_capture_on_commit_callbacks, BAD_ROWS)
    run = ImportRun.objects.get()
    url = reverse("metrics:import_run_bad_rows", args=[run.pk])
    missing = reverse("metrics:import_run_bad_rows", args=[run.pk + 1])
    assert admin_client.get(missing).status_code == 404
    admin_client.force_login(LDAdminFactory())  # every L&D admin sees every import
    assert admin_client.get(url).status_code == 200
    for user in (employee.user, leader):
        admin_client.force_login(user)
        response = admin_client.get(url)
        assert response.status_code == 403
        assert b"nobody@example.com" not in response.content
    admin_client.logout()
    assert admin_client.get(url).status_code == 302


def test_the_bad_rows_download_runs_a_fixed_number_of_queries(
    admin_client, examples_exist, django_capture_on_commit_callbacks, django_assert_num_queries
):
    upload(admin_client, django_capture_on_commit_callbacks, BAD_ROWS)
    run = ImportRun.objects.get()
    url = reverse("metrics:import_run_bad_rows", args=[run.pk])
    # session + user + the user's groups (L&D admin check) + the run = 4; the rows come
    # from the stored file
    with django_assert_num_queries(4):
        admin_client.get(url)
    many = (
        ACTIVITY_HEADER
        + "\n"
        + "".join(f"x{n}@example.com,2025-03-04,1,attended,,,\n" for n in range(300))
    )
    upload(admin_client, django_capture_on_commit_callbacks, many.encode())
    run = ImportRun.objects.latest("pk")
    assert run.rows_invalid == 300
    with django_assert_num_queries(4):
        assert len(downloaded_text(admin_client, run).splitlines()) == 301


def downloaded_text(client, run) -> str:
    return client.get(reverse("metrics:import_run_bad_rows", args=[run.pk])).content.decode()


def test_the_identity_map_page_after_a_refusal_runs_a_fixed_number_of_queries(
    admin_client, examples_exist, django_assert_num_queries
):
    def refuse(rows: int):
        body = "employee_id,system,login\n" + "".join(f"E-x{n},jira,l{n}\n" for n in range(rows))
        return admin_client.post(
            reverse("metrics:identity_map"),
            {"file": SimpleUploadedFile("logins.csv", body.encode(), content_type="text/csv")},
        )

    # session + user + groups (L&D admin check) + the run's insert + savepoint, the
    # people's employee ids, rollback to and release of the savepoint (the all-or-nothing
    # load) + the run's report + its one audit entry + the logins per tool + the user's
    # Person (navigation) + the request's audit entries read back (one action, one entry)
    # = 13, whatever the number of rows
    refuse(1)  # (the first also looks up the run's content type, then cached)
    with django_assert_num_queries(13):
        refuse(3)
    with django_assert_num_queries(13):
        refuse(40)


def test_a_loaded_identity_map_is_listed_with_the_imports_and_says_what_it_loaded(
    admin_client, examples_exist
):
    body = b"employee_id,system,login\nE1042,jira,acc-ana\n"
    response = admin_client.post(
        reverse("metrics:identity_map"),
        {"file": SimpleUploadedFile("logins.csv", body, content_type="text/csv")},
    )
    assert response.status_code == 302
    run = ImportRun.objects.get()
    assert (run.kind, run.status, run.rows_total, run.rows_inserted) == (
        "identity-map",
        "done",
        1,
        1,
    )
    listing = admin_client.get(reverse("metrics:imports")).content.decode()
    assert reverse("metrics:import_run", args=[run.pk]) in listing
    page = admin_client.get(reverse("metrics:import_run", args=[run.pk])).content.decode()
    assert "Identity map loaded:</strong> 1 logins added" in page
    assert "Dashboards update" not in page
    # the upload page does not take an identity map as a kind (it has its own page)
    assert 'value="identity-map"' not in listing
