"""The organisation as the HR system would export it: the two CSV files HR sync reads
(`upskill.services.hr_sync`), written from the database so that syncing them straight
back changes nothing. `seed_demo --export-hr DIR` gives a newcomer a working example of
the format to edit.

Leavers are written as `leaver` rows; removed teams are left out (a full sync of the
files keeps them removed). Leaders without an HR record (no Person) are not HR's, so
they are not written either.

The people file also carries a login column (`github_login`, …; metrics'
`HR_LOGIN_COLUMN`) for each tool in which someone holds a login today — the demo's
GitHub logins — written as the identity map holds them. A tool nobody has a login in
gets no column, so syncing the file never claims (and never empties) logins in it."""

from __future__ import annotations

import csv
from pathlib import Path

from django.utils import timezone

from metrics.services.connectors import HR_LOGIN_COLUMN, tool_logins_held
from upskill.models import Person, Team
from upskill.services import ACTIVE, LEAVER, PEOPLE_COLUMNS, TEAM_COLUMNS


def hr_files_export(*, directory: Path) -> tuple[Path, Path]:
    """Write teams.csv and people.csv into `directory` (created if missing); five
    queries, however large the organisation."""
    directory.mkdir(parents=True, exist_ok=True)
    employee_id_of_user = dict(Person.objects.values_list("user_id", "employee_id"))
    employee_id_of_person = {}
    people_rows = []
    people = Person.objects.select_related("user", "team", "job_role").order_by("employee_id")
    for person in people:
        employee_id_of_person[person.pk] = person.employee_id
        people_rows.append(person)
    leaders: dict[int, list[str]] = {}
    for team_id, user_id in Team.leaders.through.objects.values_list("team_id", "user_id"):
        if user_id in employee_id_of_user:
            leaders.setdefault(team_id, []).append(employee_id_of_user[user_id])
    teams = list(Team.objects.filter(removed_on__isnull=True).order_by("pk"))
    external_id_of = {team.pk: team.external_id for team in teams}
    logins = tool_logins_held(day=timezone.localdate())
    in_use = {system for of_person in logins.values() for system in of_person}
    login_systems = [system for system in HR_LOGIN_COLUMN if system in in_use]

    teams_path, people_path = directory / "teams.csv", directory / "people.csv"
    with teams_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(TEAM_COLUMNS)
        for team in teams:
            writer.writerow(
                [
                    team.external_id,
                    team.name,
                    external_id_of.get(team.parent_id, ""),
                    ";".join(sorted(leaders.get(team.pk, []))),
                ]
            )
    with people_path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(PEOPLE_COLUMNS + tuple(HR_LOGIN_COLUMN[s] for s in login_systems))
        for person in people_rows:
            writer.writerow(
                [
                    person.employee_id,
                    person.user.email,
                    person.user.first_name,
                    person.user.last_name,
                    person.team.external_id,
                    person.job_role.name,
                    employee_id_of_person.get(person.manager_id, ""),
                    ACTIVE if person.user.is_active else LEAVER,
                    *(";".join(logins.get(person.pk, {}).get(s, [])) for s in login_systems),
                ]
            )
    return teams_path, people_path
