"""`seed_demo --export-hr DIR`: the demo organisation has real HR ids, and the files it
writes are a working example of the HR sync format — they parse, and syncing them
straight back into the same database changes nothing."""

import csv
import io
import re

import pytest
from django.core.management import call_command

from metrics.models import ToolLogin
from upskill import services
from upskill.models import UNKEYED_PREFIX, Person, Team


@pytest.fixture
def exported(db, tmp_path):
    out = io.StringIO()
    call_command("seed_demo", export_hr=tmp_path / "hr", stdout=out)
    return tmp_path / "hr", out.getvalue()


def test_the_demo_organisation_has_hr_ids_not_placeholders(exported):
    assert not Person.objects.filter(employee_id__startswith=UNKEYED_PREFIX).exists()
    assert not Team.objects.filter(external_id__startswith=UNKEYED_PREFIX).exists()
    assert all(
        re.fullmatch(r"E\d{5}", eid) for eid in Person.objects.values_list("employee_id", flat=True)
    )
    assert Team.objects.get(slug="help-centre-support").external_id == "T-help-centre-support"


def test_export_writes_both_files_in_the_sync_format(exported):
    directory, printed = exported

    with (directory / "teams.csv").open(encoding="utf-8", newline="") as teams_file:
        teams = list(csv.reader(teams_file))
    with (directory / "people.csv").open(encoding="utf-8", newline="") as people_file:
        people = list(csv.reader(people_file))

    assert tuple(teams[0]) == services.TEAM_COLUMNS
    # The demo's people have GitHub logins (and no other tool's): the file carries them.
    assert tuple(people[0]) == (*services.PEOPLE_COLUMNS, "github_login")
    assert len(teams) - 1 == Team.objects.count()
    assert len(people) - 1 == Person.objects.count()
    employee = next(row for row in people if row[1] == "employee@kestrel.example")
    assert employee[4] == "T-help-centre-support"
    assert employee[7] == "active"
    assert employee[8] == "employee-gh"
    assert "HR files written" in printed
    # The sync's own reader accepts them: a plan, not a rejection.
    plan = services.hr_sync_plan(
        teams_file=(directory / "teams.csv").read_text(encoding="utf-8"),
        people_file=(directory / "people.csv").read_text(encoding="utf-8"),
        full=True,
    )
    assert plan.is_empty, plan.summary_lines()


def test_syncing_the_exported_files_back_with_the_command_changes_nothing(exported):
    directory, _printed = exported
    before = list(
        Person.objects.order_by("pk").values_list(
            "employee_id", "team_id", "job_role_id", "manager_id", "user__email", "user__is_active"
        )
    )
    logins_before = list(ToolLogin.objects.order_by("pk").values())
    out = io.StringIO()

    call_command(
        "sync_people",
        "--teams",
        str(directory / "teams.csv"),
        "--people",
        str(directory / "people.csv"),
        "--apply",
        "--full",
        stdout=out,
    )

    after = list(
        Person.objects.order_by("pk").values_list(
            "employee_id", "team_id", "job_role_id", "manager_id", "user__email", "user__is_active"
        )
    )
    assert after == before
    assert list(ToolLogin.objects.order_by("pk").values()) == logins_before
    assert "Nothing to change." in out.getvalue()
