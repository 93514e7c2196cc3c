"""HR sync from the two CSV files: the plan, all-or-nothing on every bad-row class,
idempotent re-apply, full-sync leavers and the mass-leaver guard, keys that survive an
email change, leavers who cannot sign in but keep their history, movers, and joiners
enrolled by standing rules in the same run."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from pathways.models import Enrollment, PathwayAssignment, StepProgress
from tests.factories import (
    PASSWORD,
    EnrollmentFactory,
    PathwayFactory,
    PersonFactory,
    StageFactory,
    StepFactory,
)
from upskill import services
from upskill.access import LEADERS_GROUP
from upskill.models import JobRole, Person, Team

pytestmark = pytest.mark.django_db

TEAMS_HEADER = "team_id,name,parent_team_id,leader_employee_ids"
PEOPLE_HEADER = "employee_id,email,first_name,last_name,team_id,job_role,manager_employee_id,status"
TEAMS = f"""{TEAMS_HEADER}
T1,Customer Operations,,E1
T2,Support,T1,E2
T3,Sales,T1,
"""
PEOPLE = f"""{PEOPLE_HEADER}
E1,ada@example.com,Ada,Lovelace,T1,Director,,active
E2,grace@example.com,Grace,Hopper,T2,Team lead,E1,active
E3,alan@example.com,Alan,Turing,T2,Support agent,E2,active
E4,katherine@example.com,Katherine,Johnson,T3,Account executive,E1,active
"""


def sync(teams=TEAMS, people=PEOPLE, **kwargs):
    return services.hr_sync_apply(teams_file=teams, people_file=people, **kwargs)


def replace(text: str, old: str, new: str) -> str:
    assert old in text
    return text.replace(old, new)


def person(employee_id: str) -> Person:
    return Person.objects.select_related("user", "team", "job_role", "manager").get(
        employee_id=employee_id
    )


def rejected(**kwargs) -> list[str]:
    with pytest.raises(services.HrSyncRejected) as caught:
        services.hr_sync_apply(**kwargs)
    return [str(error) for error in caught.value.errors]


def test_plan_lists_every_kind_of_change_and_writes_nothing():
    plan = services.hr_sync_plan(teams_file=TEAMS, people_file=PEOPLE)
    assert [team["id"] for team in plan.new_teams] == ["T1", "T2", "T3"]
    assert [joiner["id"] for joiner in plan.joiners] == ["E1", "E2", "E3", "E4"]
    assert plan.new_job_roles == ["Account executive", "Director", "Support agent", "Team lead"]
    assert {change["id"]: change["added"] for change in plan.leader_changes} == {
        "T1": ["E1"],
        "T2": ["E2"],
    }
    assert not Person.objects.exists()
    assert not Team.objects.exists()

    sync()
    changed_people = replace(
        replace(
            PEOPLE,
            "E3,alan@example.com,Alan,Turing,T2,Support agent,E2",
            "E3,alan@example.com,Alan,Turing,T3,Support agent,E4",
        ),
        "E4,katherine@example.com,Katherine,Johnson,T3,Account executive,E1,active",
        "E4,katherine@example.com,Katherine,Johnson,T3,Sales lead,E1,active",
    )
    changed_people += "E5,mary@example.com,Mary,Jackson,T4,Engineer,E1,active\n"
    changed_people = replace(changed_people, "E2,grace@example.com", "E2,grace.hopper@example.com")
    changed_teams = (
        replace(TEAMS, "T3,Sales,T1,", "T3,Sales and Renewals,,E4") + "T4,Engineering,T1,\n"
    )
    plan = services.hr_sync_plan(teams_file=changed_teams, people_file=changed_people)
    assert plan.new_teams == [{"id": "T4", "name": "Engineering", "parent": "T1"}]
    assert plan.renamed_teams == [{"id": "T3", "from": "Sales", "to": "Sales and Renewals"}]
    assert plan.moved_teams == [{"id": "T3", "name": "Sales and Renewals", "from": "T1", "to": "—"}]
    assert [change["added"] for change in plan.leader_changes] == [["E4"]]
    assert [joiner["id"] for joiner in plan.joiners] == ["E5"]
    assert plan.movers == [
        {"id": "E3", "name": "Alan Turing", "from": "Support", "to": "Sales and Renewals"}
    ]
    assert plan.role_changes[0]["to"] == "Sales lead"
    assert plan.manager_changes == [{"id": "E3", "name": "Alan Turing", "from": "E2", "to": "E4"}]
    assert plan.detail_changes[0]["to"] == "grace.hopper@example.com"
    assert plan.leavers == []
    assert person("E3").team.external_id == "T2"  # planning wrote nothing


def test_apply_creates_the_organisation_and_reapplying_changes_nothing():
    sync()
    ada, grace, alan = person("E1"), person("E2"), person("E3")
    assert grace.manager == ada
    assert alan.manager == grace
    assert alan.team.parent.external_id == "T1"
    assert alan.job_role.name == "Support agent"
    assert list(Team.objects.get(external_id="T2").leaders.all()) == [grace.user]
    assert grace.user.groups.filter(name=LEADERS_GROUP).exists()
    assert not alan.user.has_usable_password()  # they sign in with the company identity

    again = services.hr_sync_plan(teams_file=TEAMS, people_file=PEOPLE)
    assert again.is_empty
    before = list(Person.objects.values_list("pk", "team_id", "job_role_id", "manager_id"))
    sync()
    assert list(Person.objects.values_list("pk", "team_id", "job_role_id", "manager_id")) == before


def test_bom_and_crlf_are_accepted():
    teams = ("\ufeff" + TEAMS).replace("\n", "\r\n").encode()
    people = PEOPLE.replace("\n", "\r\n").encode("utf-8-sig")
    sync(teams, people)
    assert Person.objects.count() == 4


BAD_PEOPLE_ROWS = {
    "unknown team id": ("E9,zoe@example.com,Zoe,Z,T9,Agent,,active", "team_id 'T9' is unknown"),
    "unknown manager id": (
        "E9,zoe@example.com,Zoe,Z,T2,Agent,E77,active",
        "manager_employee_id 'E77' is unknown",
    ),
    "duplicate employee id": (
        "E3,zoe@example.com,Zoe,Z,T2,Agent,,active",
        "employee_id 'E3' appears twice (first on line 4)",
    ),
    "duplicate email": (
        "E9,ALAN@example.com,Zoe,Z,T2,Agent,,active",
        "email 'ALAN@example.com' appears twice (first on line 4)",
    ),
    "bad status": ("E9,zoe@example.com,Zoe,Z,T2,Agent,,retired", "status 'retired' is not one of"),
    "missing required field": ("E9,,Zoe,Z,T2,Agent,,active", "email is required"),
    "bad email": ("E9,not-an-email,Zoe,Z,T2,Agent,,active", "is not an email address"),
    "own manager": ("E9,zoe@example.com,Zoe,Z,T2,Agent,E9,active", "manager cycle"),
}


@pytest.mark.parametrize("case", sorted(BAD_PEOPLE_ROWS))
def test_a_bad_people_row_is_reported_with_file_and_line_and_nothing_is_applied(case):
    row, message = BAD_PEOPLE_ROWS[case]
    errors = rejected(teams_file=TEAMS, people_file=PEOPLE + row + "\n", people_name="people.csv")
    assert any(error.startswith("people.csv, line 6:") and message in error for error in errors), (
        errors
    )
    assert not Person.objects.exists()
    assert not Team.objects.exists()
    assert not JobRole.objects.exists()


def test_an_email_held_by_another_employee_id_is_refused():
    sync()
    errors = rejected(
        teams_file=TEAMS,
        people_file=PEOPLE + "E9,alan@example.com,Zoe,Z,T2,Agent,,active\n",
    )
    assert any("already belongs to employee 'E3'" in e or "appears twice" in e for e in errors)
    errors = rejected(
        teams_file=None,
        people_file=f"{PEOPLE_HEADER}\nE9,ALAN@example.com,Zoe,Z,T2,Agent,,active\n",
    )
    assert errors == ["people, line 2: email 'ALAN@example.com' already belongs to employee 'E3'."]
    assert not Person.objects.filter(employee_id="E9").exists()


def test_a_manager_cycle_is_refused():
    sync()
    cycle = replace(
        PEOPLE,
        "E1,ada@example.com,Ada,Lovelace,T1,Director,,",
        "E1,ada@example.com,Ada,Lovelace,T1,Director,E3,",
    )
    errors = rejected(teams_file=TEAMS, people_file=cycle)
    assert errors == ["people, line 2: manager cycle: E1 → E3 → E2 → E1."]
    assert person("E1").manager is None


def test_a_team_cycle_and_an_unknown_parent_are_refused():
    cycle = replace(TEAMS, "T1,Customer Operations,,E1", "T1,Customer Operations,T2,E1")
    assert rejected(teams_file=cycle, people_file=PEOPLE) == [
        "teams, line 2: team cycle: T1 → T2 → T1 (a team cannot be below itself)."
    ]
    orphan = TEAMS + "T5,Legal,T99,\n"
    assert rejected(teams_file=orphan, people_file=PEOPLE) == [
        "teams, line 5: parent_team_id 'T99' is unknown (is not in the teams file)."
    ]
    unknown_leader = TEAMS + "T5,Legal,,E99\n"
    assert rejected(teams_file=unknown_leader, people_file=PEOPLE) == [
        "teams, line 5: leader employee id 'E99' is unknown."
    ]
    assert not Team.objects.exists()


def test_a_bad_header_and_a_non_utf8_file_are_refused():
    assert rejected(teams_file="id,name\nT1,Ops\n", people_file=PEOPLE)[0].startswith(
        "teams, line 1: the header lacks team_id"
    )
    assert "is not UTF-8" in rejected(teams_file=TEAMS, people_file="é".encode("latin-1"))[0]


def test_an_email_change_keeps_the_same_person():
    sync()
    alan = person("E3")
    EnrollmentFactory(person=alan)
    sync(people=replace(PEOPLE, "alan@example.com", "alan.turing@example.com"))
    again = person("E3")
    assert again.pk == alan.pk
    assert again.user_id == alan.user_id
    assert again.user.email == "alan.turing@example.com"
    assert Person.objects.count() == 4
    assert again.enrollments.count() == 1


def leaver_setup():
    sync()
    alan = person("E3")
    pathway = PathwayFactory()
    step = StepFactory(stage=StageFactory(pathway=pathway))
    enrollment = EnrollmentFactory(person=alan, pathway=pathway)
    StepProgress.objects.create(enrollment=enrollment, step=step, status="approved")
    return alan


def test_a_leaver_cannot_sign_in_and_keeps_their_history(client):
    alan = leaver_setup()
    alan.user.set_password(PASSWORD)
    alan.user.save()
    people = replace(
        PEOPLE, "E3,alan@example.com,Alan,Turing,T2,Support agent,E2,active", "E3,,,,,,,leaver"
    )
    plan = sync(people=people)
    assert [leaver["id"] for leaver in plan.leavers] == ["E3"]
    gone = person("E3")
    assert not gone.user.is_active
    assert gone.left_on is not None
    assert gone.team.external_id == "T2"  # dashboards keep their past activity there
    assert StepProgress.objects.filter(enrollment__person=gone).count() == 1
    response = client.post(reverse("login"), {"username": gone.user.username, "password": PASSWORD})
    assert response.status_code == 200  # the form again: an inactive user cannot sign in
    assert "_auth_user_id" not in client.session
    assert sync(people=people).is_empty  # leaving twice changes nothing


def test_full_sync_makes_omitted_people_leavers_and_removes_omitted_teams():
    sync()
    PersonFactory.create_batch(40, team=Team.objects.get(external_id="T2"))  # unkeyed others
    teams = TEAMS.replace("T3,Sales,T1,\n", "")
    people = PEOPLE.replace(
        "E4,katherine@example.com,Katherine,Johnson,T3,Account executive,E1,active\n", ""
    )
    people += "".join(
        f"X{p.pk},{p.user.email},{p.user.first_name},{p.user.last_name},T2,Agent,,active\n"
        for p in Person.objects.filter(employee_id__startswith="unkeyed-").select_related("user")
    )
    plan = sync(teams, people, full=True)
    assert [leaver["id"] for leaver in plan.leavers] == ["E4"]
    assert plan.removed_teams == [{"id": "T3", "name": "Sales"}]
    assert len(plan.adopted) == 40  # the unkeyed rows got their HR ids, no second copy
    assert Person.objects.count() == 44
    sales = Team.objects.get(external_id="T3")
    assert sales.removed_on is not None
    assert not sales.leaders.exists()
    assert not person("E4").user.is_active


def test_mass_leaving_is_refused_unless_allowed(settings):
    sync()
    people = f"{PEOPLE_HEADER}\nE1,ada@example.com,Ada,Lovelace,T1,Director,,active\n"
    teams = "\n".join(TEAMS.splitlines()[:2]) + "\n"
    plan = services.hr_sync_plan(teams_file=teams, people_file=people, full=True)
    assert len(plan.leavers) == 3
    assert plan.is_mass_leaving
    errors = rejected(teams_file=teams, people_file=people, full=True)
    assert errors == [
        "people: this sync would make 3 of 4 active people leavers (75%, more than 10%); "
        "confirm the mass leaving explicitly if it is right."
    ]
    assert Person.objects.filter(user__is_active=True).count() == 4
    settings.HR_SYNC_MAX_LEAVER_SHARE = 0.8  # configurable
    sync(teams, people, full=True)
    assert Person.objects.filter(user__is_active=True).count() == 1


def test_mass_leaving_applies_when_confirmed():
    sync()
    people = f"{PEOPLE_HEADER}\nE1,ada@example.com,Ada,Lovelace,T1,Director,,active\n"
    teams = "\n".join(TEAMS.splitlines()[:2]) + "\n"
    sync(teams, people, full=True, allow_mass_leavers=True)
    assert list(
        Person.objects.filter(user__is_active=True).values_list("employee_id", flat=True)
    ) == ["E1"]


def test_a_mover_changes_team_and_keeps_their_enrolments():
    sync()
    alan = person("E3")
    EnrollmentFactory(person=alan)
    sync(
        people=replace(PEOPLE, "Alan,Turing,T2,Support agent,E2", "Alan,Turing,T3,Support agent,E4")
    )
    moved = person("E3")
    assert moved.team.external_id == "T3"
    assert moved.manager.employee_id == "E4"
    assert moved.enrollments.count() == 1


def test_joiners_and_movers_get_standing_rules_in_the_same_run():
    sync()
    pathway = PathwayFactory(status="published")
    PathwayAssignment.objects.create(pathway=pathway, team=Team.objects.get(external_id="T3"))
    role_rule = PathwayFactory(status="published")
    PathwayAssignment.objects.create(
        pathway=role_rule, job_role=JobRole.objects.get(name="Support agent")
    )
    people = PEOPLE + "E5,mary@example.com,Mary,Jackson,T3,Account executive,E4,active\n"
    people += "E6,dorothy@example.com,Dorothy,Vaughan,T1,Support agent,E1,active\n"
    people = replace(people, "Grace,Hopper,T2,Team lead", "Grace,Hopper,T3,Team lead")
    sync(people=people)
    enrolled = set(Enrollment.objects.values_list("person__employee_id", "pathway_id"))
    assert ("E5", pathway.pk) in enrolled  # joiner, team rule
    assert ("E6", role_rule.pk) in enrolled  # joiner, role rule
    assert ("E2", pathway.pk) in enrolled  # mover into the team
    assert ("E3", pathway.pk) not in enrolled


def test_a_rejected_sync_rolls_back_the_hooks_too():
    sync()
    pathway = PathwayFactory(status="published")
    PathwayAssignment.objects.create(pathway=pathway, team=Team.objects.get(external_id="T2"))
    before = Enrollment.objects.count()
    rejected(teams_file=TEAMS, people_file=PEOPLE + "E5,m@example.com,M,J,T2,Agent,E99,active\n")
    assert Enrollment.objects.count() == before


def test_a_leaving_leader_stops_leading_and_unmentioned_reports_lose_the_manager():
    sync()
    people = replace(
        PEOPLE, "E2,grace@example.com,Grace,Hopper,T2,Team lead,E1,active", "E2,,,,,,,leaver"
    )
    people = replace(people, "E3,alan@example.com,Alan,Turing,T2,Support agent,E2,active\n", "")
    teams = replace(TEAMS, "T2,Support,T1,E2", "T2,Support,T1,")
    sync(teams, people)
    assert not Team.objects.get(external_id="T2").leaders.exists()
    assert person("E3").manager is None
    assert person("E3").user.is_active
    grace = person("E2")
    assert not grace.user.groups.filter(name=LEADERS_GROUP).exists()


def test_a_returning_leaver_is_reactivated():
    sync()
    sync(
        people=replace(
            PEOPLE, "E3,alan@example.com,Alan,Turing,T2,Support agent,E2,active", "E3,,,,,,,leaver"
        )
    )
    plan = sync()
    assert [returner["id"] for returner in plan.returners] == ["E3"]
    assert person("E3").user.is_active
    assert person("E3").left_on is None


def test_existing_user_without_a_person_is_adopted_as_a_joiner():
    User = get_user_model()
    User.objects.create_user(username="grace", email="grace@example.com")
    sync()
    assert User.objects.filter(email="grace@example.com").count() == 1
    assert person("E2").user.username == "grace"


def test_sync_people_command_prints_the_plan_and_applies_only_with_apply(tmp_path, capsys):
    teams, people = tmp_path / "teams.csv", tmp_path / "people.csv"
    teams.write_text(TEAMS)
    people.write_text(PEOPLE)
    call_command("sync_people", "--teams", str(teams), "--people", str(people))
    out = capsys.readouterr().out
    assert "Joiners: 4" in out
    assert "Nothing was changed" in out
    assert not Person.objects.exists()
    call_command("sync_people", "--teams", str(teams), "--people", str(people), "--apply")
    assert Person.objects.count() == 4
    people.write_text(PEOPLE + "E9,z@example.com,Z,Z,T9,Agent,,active\n")
    with pytest.raises(CommandError, match="1 problem"):
        call_command("sync_people", "--people", str(people), "--apply")
    assert "people.csv, line 6: team_id 'T9' is unknown" in capsys.readouterr().err
    people.write_text(f"{PEOPLE_HEADER}\nE1,ada@example.com,Ada,Lovelace,T1,Director,,active\n")
    teams.write_text(f"{TEAMS_HEADER}\nT1,Customer Operations,,E1\n")
    with pytest.raises(CommandError):
        call_command(
            "sync_people", "--teams", str(teams), "--people", str(people), "--apply", "--full"
        )
    call_command(
        "sync_people",
        "--teams",
        str(teams),
        "--people",
        str(people),
        "--apply",
        "--full",
        "--allow-mass-leavers",
    )
    assert Person.objects.filter(user__is_active=True).count() == 1


def test_sync_runs_in_a_constant_number_of_queries(django_assert_max_num_queries):
    def org(n: int) -> tuple[str, str]:
        people = PEOPLE + "".join(
            f"N{i},n{i}@example.com,N,{i},T2,Agent,E2,active\n" for i in range(n)
        )
        return TEAMS, people

    sync(*org(10))
    with django_assert_max_num_queries(40) as small:
        sync(*org(20))
    with django_assert_max_num_queries(40) as large:
        sync(*org(60))
    # 10 and then 40 joiners, each within one batch (SQLite's batches are the smallest,
    # about 100 rows): the same queries — six reads of the state, then one write per
    # kind of change — not one per row. The bench (bench/hr_sync_bench.py) shows it at
    # 50,000 people on PostgreSQL.
    assert len(large.captured_queries) == len(small.captured_queries)
