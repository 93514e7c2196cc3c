"""The organisation from the HR system: two CSV files, a plan, then all of it or nothing.

Files (UTF-8, header row; a BOM and CRLF line ends are accepted; extra columns ignored):
- teams:  team_id,name,parent_team_id,leader_employee_ids   (leaders separated by `;`)
- people: employee_id,email,first_name,last_name,team_id,job_role,manager_employee_id,status

People and teams are keyed on their immutable HR ids (`Person.employee_id`,
`Team.external_id`), never on email: an email change keeps the same person. A row made
before provisioning (an `unkeyed-…` placeholder id) is adopted by email (people) or name
(teams) the first time the files name it.

`hr_sync_plan` reads the files against the database and returns what would change;
`hr_sync_apply` computes the same plan inside one transaction and writes it. Any bad row —
a missing required field, a bad status or email, a duplicate employee id or email in the
file, an email already held by another employee id, an unknown team, parent or manager id,
a team cycle, a manager cycle — is reported with its file and line number, and nothing is
written. Re-applying the same files changes nothing.

`full=True` is Canvas's "full batch": people missing from the people file become leavers
and teams missing from the teams file are removed (kept for history, emptied of leaders).
A sync that would make more than HR_SYNC_MAX_LEAVER_SHARE (default 10%) of active people
leavers is refused unless `allow_mass_leavers=True`.

Leavers: the user is deactivated (cannot sign in; pickers, assignments, reviews and nudges
list active users only) and stops leading teams; the Person, its team and all its history
stay, so dashboards keep counting their past activity for the team they were in. Movers:
a person's history follows their current team (the rollups group activity by the
person's team when they are computed).

Cost: a constant number of queries per batch of 1,000 rows (state is loaded in a few
set-based reads, writes are bulk_create/bulk_update), never a query per row.

Optional people columns: an app above upskill may register columns of its own
(`columns.hr_sync_columns_register`; metrics registers the tool logins `jira_login`,
`github_login`, `zendesk_login`, `freshdesk_login`). A people file that has them is
planned, refused and applied with them, in the same transaction; one that does not
leaves what they set as it is.

Modules: `report` (formats, RowError, HrSyncRejected, HrPlan), `files` (reading the CSV
files), `state` (the database as it is), `plan` (the rules and the diff), `apply`
(writing the plan), `columns` (the port for optional people columns).
"""

from upskill.services.hr_sync.apply import hr_sync_apply, rows_insert
from upskill.services.hr_sync.columns import (
    HrSyncColumnRow,
    HrSyncColumns,
    HrSyncColumnsPlan,
    hr_sync_columns_register,
    hr_sync_columns_registered,
    hr_sync_optional_columns,
)
from upskill.services.hr_sync.plan import hr_sync_plan
from upskill.services.hr_sync.report import (
    ACTIVE,
    HR_SYNC_FILES,
    LEAVER,
    PEOPLE_COLUMNS,
    TEAM_COLUMNS,
    HrPlan,
    HrSyncRejected,
    RowError,
)

__all__ = [
    "ACTIVE",
    "HR_SYNC_FILES",
    "LEAVER",
    "PEOPLE_COLUMNS",
    "TEAM_COLUMNS",
    "HrPlan",
    "HrSyncColumnRow",
    "HrSyncColumns",
    "HrSyncColumnsPlan",
    "HrSyncRejected",
    "RowError",
    "hr_sync_apply",
    "hr_sync_columns_register",
    "hr_sync_columns_registered",
    "hr_sync_optional_columns",
    "hr_sync_plan",
    "rows_insert",
]
