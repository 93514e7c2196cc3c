"""HR sync in the browser, the services behind it: a run is planned by a job, waits for
the L&D admin, and is applied only on confirmation (with the mass-leaver box ticked when
the guard trips), or cancelled, or rejected with every bad row — and, once applied, the
L&D admins are told.

Celery is eager here: the jobs run in the on_commit callbacks, which the tests execute
with django_capture_on_commit_callbacks(execute=True). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import LDAdminFactory, UserFactory
from tests.upskill.test_hr_sync import PEOPLE, PEOPLE_HEADER, TEAMS, TEAMS_HEADER, replace, sync
from upskill import services
from upskill.models import HrSyncRun, Notification, Person

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]


def upload(text: str, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


@pytest.fixture
def run_of(django_capture_on_commit_callbacks, ld_admin):
    def create(teams=TEAMS, people=PEOPLE, *, full=False) -> HrSyncRun:
        with django_capture_on_commit_callbacks(execute=True):
            run = services.hr_sync_run_create(
                teams_upload=upload(teams, "teams.csv") if teams is not None else None,
                people_upload=upload(people, "people.csv") if people is not None else None,
                full=full,
                created_by=ld_admin,
            )
        run.refresh_from_db()
        return run

    return create


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    def act(run: HrSyncRun, *, allow_mass_leavers=False) -> HrSyncRun:
        with django_capture_on_commit_callbacks(execute=True):
            services.hr_sync_run_confirm(hr_sync_run=run, allow_mass_leavers=allow_mass_leavers)
        run.refresh_from_db()
        return run

    return act


def test_a_run_is_planned_by_the_job_and_changes_nothing_until_confirmed(run_of):
    run = run_of()

    assert run.status == HrSyncRun.Status.PLANNED
    assert [joiner["id"] for joiner in run.plan["joiners"]] == ["E1", "E2", "E3", "E4"]
    assert run.progress_total
    assert run.progress_done == run.progress_total
    assert not Person.objects.exists()


def test_confirming_applies_the_plan(run_of, confirm):
    run = confirm(run_of())

    assert run.status == HrSyncRun.Status.DONE
    assert run.message == "Applied."
    assert set(Person.objects.values_list("employee_id", flat=True)) == {"E1", "E2", "E3", "E4"}


def test_confirming_twice_is_refused_and_applies_once(run_of, confirm):
    run = confirm(run_of())

    with pytest.raises(ValidationError, match="only a planned sync"):
        services.hr_sync_run_confirm(hr_sync_run=run, allow_mass_leavers=False)
    assert Person.objects.count() == 4


def test_cancelling_a_planned_run_changes_nothing_and_it_cannot_be_applied(run_of):
    run = run_of()

    services.hr_sync_run_cancel(hr_sync_run=run)

    run.refresh_from_db()
    assert run.status == HrSyncRun.Status.CANCELLED
    with pytest.raises(ValidationError):
        services.hr_sync_run_confirm(hr_sync_run=run, allow_mass_leavers=False)
    assert not Person.objects.exists()


def test_an_applied_run_cannot_be_cancelled(run_of, confirm):
    run = confirm(run_of())

    with pytest.raises(ValidationError, match="can no longer be cancelled"):
        services.hr_sync_run_cancel(hr_sync_run=run)


def test_a_bad_row_rejects_the_run_with_its_file_and_line(run_of):
    bad = replace(
        PEOPLE, "E3,alan@example.com,Alan,Turing,T2", "E3,alan@example.com,Alan,Turing,T9"
    )

    run = run_of(people=bad)

    assert run.status == HrSyncRun.Status.REJECTED
    assert run.row_errors == [
        {"file": "people.csv", "line": 4, "message": run.row_errors[0]["message"]}
    ]
    assert "T9" in run.row_errors[0]["message"]
    assert "nothing was changed" in run.message
    assert not Person.objects.exists()


def test_a_full_sync_making_mass_leavers_needs_the_box_ticked(run_of, confirm):
    sync()
    only_ada = f"{PEOPLE_HEADER}\n" + PEOPLE.splitlines()[1] + "\n"

    teams = replace(TEAMS, "T2,Support,T1,E2", "T2,Support,T1,")  # Grace leaves

    run = run_of(teams=teams, people=only_ada, full=True)
    assert run.status == HrSyncRun.Status.PLANNED
    assert [leaver["id"] for leaver in run.plan["leavers"]] == ["E2", "E3", "E4"]
    with pytest.raises(ValidationError, match="makes 3 people leavers"):
        services.hr_sync_run_confirm(hr_sync_run=run, allow_mass_leavers=False)
    run.refresh_from_db()
    assert run.status == HrSyncRun.Status.PLANNED
    assert Person.objects.filter(user__is_active=True).count() == 4

    run = confirm(run, allow_mass_leavers=True)

    assert run.status == HrSyncRun.Status.DONE
    assert set(
        Person.objects.filter(user__is_active=False).values_list("employee_id", flat=True)
    ) == {
        "E2",
        "E3",
        "E4",
    }


def test_a_change_between_planning_and_confirming_rejects_the_apply(run_of, confirm):
    run = run_of()
    # Someone else takes Alan's email for another employee id before the admin confirms.
    sync(
        teams=f"{TEAMS_HEADER}\nT2,Support,,\n",
        people=f"{PEOPLE_HEADER}\nE9,alan@example.com,Alan,Other,T2,Support agent,,active\n",
    )

    run = confirm(run)

    assert run.status == HrSyncRun.Status.REJECTED
    assert "changed since planning" in run.message
    assert not Person.objects.filter(employee_id="E3").exists()


# --- Notifications ------------------------------------------------------------------------


def test_applying_a_run_tells_every_ld_admin_once(run_of, confirm, ld_admin):
    other_admin = LDAdminFactory()
    former_admin = LDAdminFactory(is_active=False)
    UserFactory()  # not an admin: told nothing

    run = confirm(run_of())

    rows = Notification.objects.filter(kind=Notification.Kind.HR_SYNC_APPLIED)
    assert set(rows.values_list("recipient_id", flat=True)) == {ld_admin.pk, other_admin.pk}
    assert former_admin.pk not in set(rows.values_list("recipient_id", flat=True))
    row = rows.get(recipient=ld_admin)
    assert row.url == f"/organisation/syncs/{run.pk}/"
    assert "joiners: 4" in row.body
    assert f"HR sync #{run.pk} applied" in row.subject

    # A redelivered apply task (or a second call) notifies no one again.
    services.hr_sync_run_apply(hr_sync_run_id=run.pk)
    services.hr_sync_run_notify(hr_sync_run=run)
    assert rows.count() == 2


def test_a_run_that_changes_nothing_or_is_cancelled_notifies_no_one(run_of, confirm):
    sync()
    confirm(run_of())  # the same files again: nothing to change
    services.hr_sync_run_cancel(hr_sync_run=run_of(people=PEOPLE.replace("Alan", "Alan M.")))

    assert not Notification.objects.filter(kind=Notification.Kind.HR_SYNC_APPLIED).exists()


def test_the_sync_people_command_notifies_no_one(ld_admin):
    sync()  # the command and SCIM are not browser runs: their changes are audited

    assert not Notification.objects.filter(kind=Notification.Kind.HR_SYNC_APPLIED).exists()
