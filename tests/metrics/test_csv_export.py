"""CSV a spreadsheet reads as meant: numbers (negative ones too) as numbers, text that
starts like a formula disarmed with a leading ', UTF-8 declared; the command's output
can be cut short by `head`; and the import templates served from the upload page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from metrics.selectors import csv_cell
from metrics.services import imports
from tests.factories import TeamFactory, WeeklyRollupFactory

ROOT = Path(__file__).resolve().parents[2]
WEEK = dt.date(2025, 3, 3)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (-2.5, "-2.5"),
        (-3.0, "-3"),
        (-3, "-3"),
        (0.1, "0.1"),
        (1234567.0, "1234567"),
        (2.0 / 3.0, "0.6666666666666666"),
        (8, "8"),
        ("-2.5", "'-2.5"),  # text that looks like a number is still text
        ("=SUM(A1)", "'=SUM(A1)"),
        ("+1", "'+1"),
        ("@cmd", "'@cmd"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("payments", "payments"),
        ("", ""),
    ],
)
def test_a_cell_is_a_number_or_disarmed_text(value, cell):
    assert csv_cell(value) == cell


def test_the_export_writes_numbers_as_numbers_and_only_formula_text_disarmed(client, leader, team):
    team.slug = "payments"
    team.save()
    WeeklyRollupFactory(team=team, week_start=WEEK, metric="cycle_delta", value=-2.5, people=8)
    WeeklyRollupFactory(team=team, week_start=WEEK, metric="-odd", value=0.25, people=7)
    WeeklyRollupFactory(team=team, week_start=WEEK, metric="few", value=-9.0, people=2)
    client.force_login(leader)

    response = client.get("/dashboard/export.csv?start=2025-02-03&end=2025-03-31")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8")
    # The cell about 2 people is left out entirely (issue 15: it used to be written
    # "few,,2,suppressed", its people count in the file). A row without a pathway says
    # what it stands for: a measure of the team-week as a whole.
    assert text.splitlines() == [
        "team,week_start,pathway,metric,value,people,note",
        "payments,2025-03-03,,'-odd,0.25,7,all pathways",
        "payments,2025-03-03,,cycle_delta,-2.5,8,all pathways",
    ]


def test_export_rollups_writes_the_same_cells(db, capsys):
    WeeklyRollupFactory(team=TeamFactory(slug="ops"), week_start=WEEK, value=-12.0, people=6)

    out = io.StringIO()
    call_command("export_rollups", stdout=out)

    rows = list(csv.reader(io.StringIO(out.getvalue())))
    # learning minutes without a pathway: the no-pathway cell (issue 15's disjoint cells)
    assert rows[1] == ["ops", "2025-03-03", "", "learning_minutes", "-12", "6", "no pathway"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_export_rollups_piped_into_head_exits_quietly(settings, tmp_path):
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        pytest.skip("the command would read a different (file) database than the test's")
    team = TeamFactory(slug="ops")
    for week in range(3_000):
        WeeklyRollupFactory(team=team, week_start=WEEK + dt.timedelta(weeks=week), people=6)
    database = settings.DATABASES["default"]
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": (
            f"postgres://{database['USER']}@{database['HOST']}:{database['PORT']}/"
            f"{database['NAME']}"
        ),
    }

    finished = subprocess.run(
        f"{sys.executable} manage.py export_rollups | head -n 3",
        shell=True,  # the pipe is the point
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert finished.returncode == 0
    assert finished.stdout.splitlines()[0] == "team,week_start,pathway,metric,value,people,note"
    assert len(finished.stdout.splitlines()) == 3
    assert finished.stderr == ""


@pytest.mark.parametrize("kind", ["activity", "outcomes"])
def test_an_admin_downloads_a_template_for_each_kind_that_imports_cleanly(client, ld_admin, kind):
    client.force_login(ld_admin)

    response = client.get(f"/imports/templates/{kind}.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="upskill-{kind}-template.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert tuple(rows[0]) == imports.HEADERS[kind]
    assert len(rows) == 2
    assert len(rows[1]) == len(rows[0])
    # The header is what the importer accepts: validating the template reports its one
    # row (invalid only because this test database has no such person or team).
    report = imports.import_file_validate(kind=kind, source=io.BytesIO(response.content))
    assert report.rows_total == 1


def test_the_upload_page_links_each_template(client, ld_admin):
    client.force_login(ld_admin)

    page = client.get("/imports/").content.decode()

    assert 'href="/imports/templates/activity.csv"' in page
    assert 'href="/imports/templates/outcomes.csv"' in page


def test_an_unknown_template_kind_is_a_404(client, ld_admin):
    client.force_login(ld_admin)

    assert client.get("/imports/templates/people.csv").status_code == 404
