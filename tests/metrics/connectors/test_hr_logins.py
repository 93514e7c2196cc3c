"""Tool logins set by HR sync's optional people columns (`jira_login`, `github_login`,
`zendesk_login`, `freshdesk_login`): new, changed, emptied and unchanged logins, each
dated by the sync; a login another person holds refused by its line with nothing
changed; hand-overs in one file; idempotent re-runs; the plan page; and a Jira export
imported after the sync counting each issue for whoever held the login that day.

Runs on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from metrics.models import OutcomeObservation, ToolLogin, ToolRecord
from metrics.services.connectors import SINCE_ALWAYS, tool_logins_import
from tests.metrics.connectors import samples
from tests.metrics.connectors.conftest import at, run_import
from tests.upskill.test_hr_sync import PEOPLE, TEAMS, replace
from upskill import services
from upskill.models import HrSyncRun, Notification, Person, Team

pytestmark = pytest.mark.django_db

FIRST_DAY = dt.date(2025, 3, 3)  # the first sync, a Monday
HANDOVER = dt.date(2025, 3, 10)  # the sync that changes logins, the next Monday
COLUMNS = ("jira_login", "github_login")
LOGINS = {
    "E1": "acc-ada,ada-gh",
    "E2": "acc-grace,grace-gh",
    "E3": "acc-alan,alan-gh",
    "E4": "acc-katherine,katherine-gh",
}


@pytest.fixture
def on_day(monkeypatch):
    """Make `timezone.localdate()` (the sync's effective date) the given day."""
    real = timezone.localdate

    def set_day(day: dt.date) -> None:
        def localdate(value=None, timezone=None):
            return day if value is None else real(value, timezone)

        monkeypatch.setattr("django.utils.timezone.localdate", localdate)

    return set_day


def people_with(logins: dict[str, str], *, columns=COLUMNS, people: str = PEOPLE) -> str:
    """The people file with login columns; people absent from `logins` get empty cells."""
    lines = people.strip("\n").split("\n")
    rows = [lines[0] + "," + ",".join(columns)]
    for line in lines[1:]:
        rows.append(f"{line},{logins.get(line.split(',')[0], ',' * (len(columns) - 1))}")
    return "\n".join(rows) + "\n"


def sync(people: str, teams: str | None = TEAMS) -> services.HrPlan:
    return services.hr_sync_apply(teams_file=teams, people_file=people)


def held() -> set[tuple]:
    """(employee id, system, login, valid_from, valid_to) of every identity-map row."""
    return set(
        ToolLogin.objects.values_list(
            "person__employee_id", "system", "login", "valid_from", "valid_to"
        )
    )


def login_changes(plan: services.HrPlan) -> list[dict]:
    return plan.column_changes.get("tool_logins", [])


def rejected(people: str, teams: str | None = TEAMS) -> list[str]:
    with pytest.raises(services.HrSyncRejected) as caught:
        sync(people, teams)
    return [str(error) for error in caught.value.errors]


@pytest.fixture
def synced(on_day):
    """The organisation synced on FIRST_DAY with everyone's Jira and GitHub logins, then
    the clock at HANDOVER."""
    on_day(FIRST_DAY)
    sync(people_with(LOGINS))
    on_day(HANDOVER)


# --- New, changed, removed, unchanged -------------------------------------------------------


def test_first_logins_count_from_the_start_and_the_plan_lists_them_by_name(on_day):
    on_day(FIRST_DAY)
    people = people_with({**LOGINS, "E1": " ACC-Ada ,Ada-GH"})

    plan = services.hr_sync_plan(teams_file=TEAMS, people_file=people)

    assert not ToolLogin.objects.exists()  # planning writes nothing
    assert plan.column_labels == {"tool_logins": "Tool login changes"}
    assert plan.counts["tool_logins"] == 8
    assert next(c for c in login_changes(plan) if c["system"] == "jira") == {
        "id": "E1",
        "name": "Ada Lovelace",
        "system": "jira",
        "added": ["acc-ada"],  # trimmed and lower-cased, like the identity map
        "removed": [],
        "since": "",  # nobody has held it: from the start
        "until": "2025-03-02",
    }
    assert "Tool login changes: 8" in plan.summary_lines()

    sync(people)

    assert held() == {
        (eid, system, login, SINCE_ALWAYS, None)
        for eid, cells in LOGINS.items()
        for system, login in zip(("jira", "github"), cells.lower().split(","), strict=True)
    }


def test_a_changed_login_ends_the_day_before_the_sync_and_the_new_one_starts_on_it(synced):
    people = people_with({**LOGINS, "E3": "acc-alan-2,alan-gh"})

    plan = sync(people)

    assert [(c["id"], c["added"], c["removed"]) for c in login_changes(plan)] == [
        ("E3", ["acc-alan-2"], ["acc-alan"])
    ]
    assert {row for row in held() if row[0] == "E3"} == {
        ("E3", "jira", "acc-alan", SINCE_ALWAYS, HANDOVER - dt.timedelta(days=1)),
        ("E3", "jira", "acc-alan-2", HANDOVER, None),
        ("E3", "github", "alan-gh", SINCE_ALWAYS, None),
    }
    assert Person.objects.get(employee_id="E3").team.external_id == "T2"  # nothing else moved


def test_an_emptied_cell_ends_the_login_and_what_the_file_leaves_out_stays(synced):
    before = held()
    # Grace's GitHub cell emptied; the file has no jira_login column and lists E1 and E2.
    people = "\n".join(PEOPLE.splitlines()[:3]) + "\n"
    people = people_with({"E1": "ada-gh", "E2": ""}, columns=("github_login",), people=people)

    plan = sync(people, teams=None)

    assert [(c["id"], c["system"], c["removed"]) for c in login_changes(plan)] == [
        ("E2", "github", ["grace-gh"])
    ]
    assert held() == (before - {("E2", "github", "grace-gh", SINCE_ALWAYS, None)}) | {
        ("E2", "github", "grace-gh", SINCE_ALWAYS, HANDOVER - dt.timedelta(days=1))
    }


def test_unchanged_logins_change_nothing_and_reapplying_the_file_is_idempotent(synced, on_day):
    people = people_with({**LOGINS, "E3": "acc-alan-2,alan-gh", "E4": "acc-katherine,"})
    sync(people)
    rows = list(ToolLogin.objects.order_by("pk").values())

    again = services.hr_sync_plan(teams_file=TEAMS, people_file=people)
    assert again.is_empty, again.summary_lines()
    assert sync(people).is_empty
    on_day(HANDOVER + dt.timedelta(days=30))  # the same file a month later
    assert sync(people).is_empty
    assert list(ToolLogin.objects.order_by("pk").values()) == rows


def test_a_joiners_login_and_a_recycled_one_are_set_with_the_joiner(synced):
    # Alan leaves (an emptied cell ends his Jira login); the joiner Mary gets it, and a
    # GitHub login nobody has held.
    people = replace(
        people_with({**LOGINS, "E3": ",alan-gh"}),
        "E3,alan@example.com,Alan,Turing,T2,Support agent,E2,active",
        "E3,alan@example.com,Alan,Turing,T2,Support agent,E2,leaver",
    )
    people += "E5,mary@example.com,Mary,Jackson,T2,Support agent,E2,active,acc-alan,mary-gh\n"

    plan = sync(people)

    assert [joiner["id"] for joiner in plan.joiners] == ["E5"]
    assert {row for row in held() if row[0] in ("E3", "E5") and row[1] == "jira"} == {
        ("E3", "jira", "acc-alan", SINCE_ALWAYS, HANDOVER - dt.timedelta(days=1)),
        ("E5", "jira", "acc-alan", HANDOVER, None),  # held before: from the sync's day
    }
    # Mary had no GitHub login, nor did anyone else hold hers: from the start.
    assert ("E5", "github", "mary-gh", SINCE_ALWAYS, None) in held()


def test_people_a_full_sync_makes_leavers_by_omission_keep_their_logins(synced):
    before = held()
    people = "\n".join(PEOPLE.splitlines()[:4]) + "\n"  # Katherine is not in the file

    services.hr_sync_apply(
        teams_file=TEAMS, people_file=people_with(LOGINS, people=people), full=True,
        allow_mass_leavers=True,
    )  # fmt: skip

    assert not Person.objects.get(employee_id="E4").user.is_active
    assert held() == before  # her past work still finds her


def test_a_login_handed_over_in_one_file_passes_on_the_sync_day(synced):
    people = people_with({**LOGINS, "E3": ",alan-gh", "E4": "acc-alan,katherine-gh"})

    plan = sync(people)

    lines = [services.HrPlan.from_dict(plan.as_dict()).section_items("tool_logins")]
    assert [(c["id"], c["added"], c["removed"]) for c in lines[0]] == [
        ("E3", [], ["acc-alan"]),
        ("E4", ["acc-alan"], ["acc-katherine"]),
    ]
    assert {row for row in held() if row[2] == "acc-alan"} == {
        ("E3", "jira", "acc-alan", SINCE_ALWAYS, HANDOVER - dt.timedelta(days=1)),
        ("E4", "jira", "acc-alan", HANDOVER, None),
    }


def test_a_same_day_correction_replaces_the_login_instead_of_closing_it(synced):
    sync(people_with({**LOGINS, "E3": "acc-typo,alan-gh"}))
    sync(people_with({**LOGINS, "E3": "acc-alan-2,alan-gh"}))

    assert {row for row in held() if row[0] == "E3" and row[1] == "jira"} == {
        ("E3", "jira", "acc-alan", SINCE_ALWAYS, HANDOVER - dt.timedelta(days=1)),
        ("E3", "jira", "acc-alan-2", HANDOVER, None),
    }  # the typo held the login for no day, so its row is gone


def test_a_later_identity_map_row_ends_the_new_login_the_day_before(synced):
    later = HANDOVER + dt.timedelta(days=30)
    tool_logins_import(
        source=io.BytesIO(f"employee_id,system,login,valid_from\nE1,jira,acc-z,{later}\n".encode())
    )

    sync(people_with({**LOGINS, "E3": "acc-z,alan-gh"}))

    assert {row for row in held() if row[2] == "acc-z"} == {
        ("E3", "jira", "acc-z", HANDOVER, later - dt.timedelta(days=1)),
        ("E1", "jira", "acc-z", later, None),
    }


# --- Refused, with the line, nothing changed ------------------------------------------------


def test_a_login_another_person_holds_is_refused_with_its_line_and_nothing_changes(synced):
    before = held()
    # Katherine is given Alan's Jira login (Alan is not in the file, so he keeps it); a
    # joiner and a move in the same file are refused with it.
    people = people_with(
        {"E4": "acc-alan,katherine-gh", "E5": "acc-mary,mary-gh"},
        people="\n".join(PEOPLE.splitlines()[:1] + PEOPLE.splitlines()[4:]) + "\n"
        "E5,mary@example.com,Mary,Jackson,T1,Engineer,,active\n",
    )
    people = replace(
        people,
        "E4,katherine@example.com,Katherine,Johnson,T3",
        "E4,katherine@example.com,Katherine,Johnson,T1",
    )

    errors = rejected(people, teams=None)

    assert errors == [
        "people, line 2: jira_login 'acc-alan' belongs to employee 'E3' on 10 Mar 2025 (in the "
        "identity map from the start); give E3 another jira_login in this file, or end "
        "theirs in the identity map, first."
    ]
    assert held() == before
    assert not Person.objects.filter(employee_id="E5").exists()
    assert Person.objects.get(employee_id="E4").team.external_id == "T3"


def test_one_login_given_to_two_people_in_the_file_is_refused_with_both_lines(synced):
    errors = rejected(people_with({**LOGINS, "E4": "acc-katherine,ALAN-GH"}))

    assert errors == [
        "people, line 5: github_login 'alan-gh' is also given to employee 'E3' on line 4; a "
        "login is one person's."
    ]


@pytest.mark.parametrize(
    ("columns", "cell", "message"),
    [
        (("jira_login",), "acc ada", "jira_login 'acc ada' has a space inside"),
        (("zendesk_login",), "agent-7", "zendesk_login 'agent-7' is not a Zendesk agent id"),
        (("freshdesk_login",), "12a", "freshdesk_login '12a' is not a Freshdesk agent id"),
        (("github_login",), "x" * 201, "is longer than 200 characters"),
    ],
)
def test_a_bad_login_is_refused_with_its_line_and_nothing_is_written(columns, cell, message):
    people = people_with({"E2": cell}, columns=columns)

    errors = rejected(people)

    assert len(errors) == 1
    assert errors[0].startswith("people, line 3: ")
    assert message in errors[0]
    assert not Person.objects.exists()
    assert not ToolLogin.objects.exists()


def test_empty_and_padded_cells_and_several_logins_in_one_cell(on_day):
    on_day(FIRST_DAY)
    people = people_with(
        {"E1": "  ;ada-gh ; ADA-WORK;;", "E2": "   ", "E3": "9001", "E4": ""},
        columns=("github_login",),
    )
    people = people_with({"E3": "9001"}, columns=("zendesk_login",), people=people)

    sync(people)

    assert held() == {
        ("E1", "github", "ada-gh", SINCE_ALWAYS, None),
        ("E1", "github", "ada-work", SINCE_ALWAYS, None),
        ("E3", "github", "9001", SINCE_ALWAYS, None),
        ("E3", "zendesk", "9001", SINCE_ALWAYS, None),
    }


def test_a_login_taken_between_planning_and_confirming_rejects_the_apply(synced):
    # The file lists Grace, Alan and Katherine; Ada is not in it.
    people = people_with(
        {**LOGINS, "E3": "acc-alan-2,alan-gh"},
        people="\n".join(PEOPLE.splitlines()[:1] + PEOPLE.splitlines()[2:]) + "\n",
    )
    assert login_changes(services.hr_sync_plan(people_file=people))
    # Meanwhile an admin loads an identity map giving the new login to Ada.
    tool_logins_import(source=io.BytesIO(b"employee_id,system,login\nE1,jira,acc-alan-2\n"))
    before = held()

    errors = rejected(people, teams=None)

    assert errors[0].startswith("people, line 3: jira_login 'acc-alan-2' belongs to employee 'E1'")
    assert held() == before


# --- The connector import after the sync ----------------------------------------------------


def test_a_jira_export_after_the_sync_counts_each_issue_for_whoever_held_the_login(
    synced, tmp_path
):
    # On HANDOVER, HR gives Alan's Jira account (Support) to Katherine (Sales), and Alan
    # moves to Sales as well — his earlier work then counts for his current team.
    people = replace(
        people_with({**LOGINS, "E3": "acc-alan-new,alan-gh", "E4": "acc-alan,katherine-gh"}),
        "E3,alan@example.com,Alan,Turing,T2",
        "E3,alan@example.com,Alan,Turing,T3",
    )
    sync(people)
    before, after = at(HANDOVER - dt.timedelta(days=3)), at(HANDOVER + dt.timedelta(days=1))
    issues = [
        {"key": "PAY-1", "type": "Story", "created": before - dt.timedelta(days=2),
         "resolved": before, "assignee_id": "acc-alan"},
        {"key": "PAY-2", "type": "Bug", "created": after - dt.timedelta(days=1),
         "resolved": after, "assignee_id": "ACC-ALAN"},
        {"key": "PAY-3", "type": "Task", "created": after - dt.timedelta(days=4),
         "resolved": after, "assignee_id": "acc-alan-new"},
        {"key": "PAY-4", "type": "Task", "created": before - dt.timedelta(days=1),
         "resolved": before, "assignee_id": "acc-alan-new"},
        {"key": "PAY-5", "type": "Story", "created": after - dt.timedelta(days=3),
         "resolved": after, "assignee_id": "acc-grace"},
    ]  # fmt: skip

    run = run_import(tmp_path, "jira", samples.jira_cloud_csv(issues), "jira.csv")

    people_pk = dict(Person.objects.values_list("employee_id", "pk"))
    assert dict(ToolRecord.objects.values_list("source_id", "person_id")) == {
        "PAY-1": people_pk["E3"],  # Alan held acc-alan until the day before the sync
        "PAY-2": people_pk["E4"],  # Katherine from the sync's day
        "PAY-3": people_pk["E3"],  # Alan's new login, from the sync's day
        "PAY-5": people_pk["E2"],
    }
    # Alan's new login did not exist before the sync: his earlier issue is nobody's.
    assert run.unmatched_logins == {"acc-alan-new": 1}
    sales, support = (Team.objects.get(external_id=ext).pk for ext in ("T3", "T2"))
    weeks = {
        (o.team_id, o.period_start): o.sample_size
        for o in OutcomeObservation.objects.filter(source="jira", measure__key="cycle_time_days")
    }
    assert weeks == {
        (sales, FIRST_DAY): 1,  # PAY-1: Alan's, for his current team
        (sales, HANDOVER): 2,  # PAY-2 (Katherine) and PAY-3 (Alan)
        (support, HANDOVER): 1,  # PAY-5 (Grace)
    }


# --- The command, the run, the page, and the cost ------------------------------------------


def test_sync_people_prints_the_login_changes_in_words(synced, tmp_path, capsys):
    path = tmp_path / "people.csv"
    path.write_text(people_with({**LOGINS, "E3": "acc-alan-2,", "E4": "acc-katherine,k-gh"}))

    call_command("sync_people", "--people", str(path))

    out = capsys.readouterr().out
    assert "Tool login changes: 3" in out
    assert "  Alan Turing (E3): Jira login acc-alan → acc-alan-2 from 10 Mar 2025" in out
    assert "  Katherine Johnson (E4): GitHub login katherine-gh → k-gh from 10 Mar 2025" in out
    assert "Nothing was changed" in out
    call_command("sync_people", "--people", str(path), "--apply")
    assert ("E3", "jira", "acc-alan-2", HANDOVER, None) in held()


@pytest.mark.usefixtures("eager_celery")
def test_the_plan_page_shows_login_changes_by_name_in_a_fixed_number_of_queries(
    synced, client, ld_admin, django_capture_on_commit_callbacks, django_assert_num_queries
):
    client.force_login(ld_admin)

    def upload(people: str) -> HrSyncRun:
        files = {"people_file": SimpleUploadedFile("people.csv", people.encode())}
        with django_capture_on_commit_callbacks(execute=True):
            client.post(reverse("organisation"), files)
        return HrSyncRun.objects.latest("created_at")

    run = upload(people_with({**LOGINS, "E3": "acc-alan-2,", "E4": "acc-katherine,"}))
    url = reverse("organisation_run", args=[run.pk])

    page = client.get(url).content.decode()
    assert "Tool login changes (3)" in page
    assert "Alan Turing (E3): Jira login acc-alan → acc-alan-2 from 10 Mar 2025" in page
    assert "Alan Turing (E3): GitHub login alan-gh ends; its last day is 9 Mar 2025" in page
    assert "Katherine Johnson (E4): GitHub login katherine-gh ends" in page
    assert "work dated before stays with whoever held the login then" in page
    assert "Apply this plan" in page
    assert ("E3", "jira", "acc-alan", SINCE_ALWAYS, None) in held()  # not applied yet
    # session, user, the user's groups (L&D admin check), the user's Person (navigation),
    # the run (its plan, login changes included, is a JSON column on the row) = 5
    with django_assert_num_queries(5):
        client.get(url)
    # the htmx partial renders no navigation: no Person
    with django_assert_num_queries(4):
        client.get(url, headers={"HX-Request": "true"})
    many = {eid: f"acc-{eid.lower()}-new,{eid.lower()}-new" for eid in LOGINS}
    big = people_with(many) + "".join(
        f"N{n},n{n}@example.com,N,{n},T2,Agent,E2,active,acc-n{n},n{n}-gh\n" for n in range(60)
    )
    many_url = reverse("organisation_run", args=[upload(big).pk])
    assert "Tool login changes (128)" in client.get(many_url).content.decode()  # 64 × 2 tools
    with django_assert_num_queries(5):
        client.get(many_url)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("organisation_run_confirm", args=[run.pk]))
    assert "What changed" in client.get(url).content.decode()
    assert ("E3", "jira", "acc-alan-2", HANDOVER, None) in held()
    notice = Notification.objects.get(recipient=ld_admin, kind=Notification.Kind.HR_SYNC_APPLIED)
    assert "tool login changes: 3" in notice.body


def test_the_organisation_page_documents_the_login_columns(client, ld_admin):
    client.force_login(ld_admin)

    page = client.get(reverse("organisation")).content.decode()

    assert "<code>jira_login,github_login,zendesk_login,freshdesk_login</code>" in page


def test_a_sync_with_login_columns_runs_in_a_constant_number_of_queries(
    synced, on_day, django_assert_max_num_queries
):
    def people(n: int, suffix: str) -> str:
        return people_with(LOGINS) + "".join(
            f"N{i},n{i}@example.com,N,{i},T2,Agent,E2,active,acc-n{i}{suffix},n{i}-gh\n"
            for i in range(n)
        )

    sync(people(10, ""))
    on_day(HANDOVER + dt.timedelta(days=1))
    with django_assert_max_num_queries(45) as small:
        sync(people(20, "-b"))  # 10 joiners, 10 changed Jira logins
    on_day(HANDOVER + dt.timedelta(days=2))
    with django_assert_max_num_queries(45) as large:
        sync(people(60, "-c"))  # 40 joiners, 20 changed Jira logins
    # The identity map is read once (one query, whatever its size) and written with one
    # statement per kind of change (close, open) per 1,000 rows, never one per row.
    assert len(large.captured_queries) == len(small.captured_queries)
