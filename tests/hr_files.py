"""An organisation written through HR sync (the real path teams and people arrive by),
for tests that move teams or people and look at what the pages show next."""

from __future__ import annotations

from upskill import services
from upskill.models import Person, Team

TEAMS_HEADER = "team_id,name,parent_team_id,leader_employee_ids"
PEOPLE_HEADER = "employee_id,email,first_name,last_name,team_id,job_role,manager_employee_id,status"


def organisation_sync(
    *, teams: dict[str, tuple[str, str, str]], people: dict[str, str]
) -> tuple[dict[str, Team], dict[str, Person]]:
    """Sync `teams` (id -> (name, parent id or "", leader employee ids joined by ";"))
    and `people` (employee id -> team id), everyone active; the teams and people by id."""
    teams_file = "\n".join(
        [TEAMS_HEADER]
        + [f"{key},{name},{parent},{leaders}" for key, (name, parent, leaders) in teams.items()]
    )
    people_file = "\n".join(
        [PEOPLE_HEADER]
        + [
            f"{eid},{eid.lower()}@example.com,First{eid},Last{eid},{team},Analyst,,active"
            for eid, team in people.items()
        ]
    )
    services.hr_sync_apply(teams_file=teams_file + "\n", people_file=people_file + "\n")
    return (
        {team.external_id: team for team in Team.objects.filter(external_id__in=teams)},
        {
            person.employee_id: person
            for person in Person.objects.select_related("user").filter(employee_id__in=people)
        },
    )
