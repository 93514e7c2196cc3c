"""Reads for the Organisation pages: recent HR syncs, a stored plan as readable lines
(long sections truncated, with the count of the rest), the SCIM connections."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from upskill.models import HrSyncRun, ScimConnection
from upskill.services import HrPlan, hr_sync_columns_registered

HR_SYNC_RUNS_SHOWN = 20
HR_SYNC_ROWS_SHOWN = 50  # per plan section, and bad rows


@dataclass(frozen=True)
class PlanSection:
    name: str
    label: str
    count: int
    lines: list[str]
    note: str = ""

    @property
    def more(self) -> int:
        return self.count - len(self.lines)


def _who(item: dict) -> str:
    return f"{item.get('name') or item['id']} ({item['id']})"


def _leaders(item: dict) -> str:
    parts = []
    if item["added"]:
        parts.append("now led also by " + ", ".join(item["added"]))
    if item["removed"]:
        parts.append("no longer by " + ", ".join(item["removed"]))
    return f"{_who(item)}: " + "; ".join(parts)


# One sentence per kind of change, in the order the plan lists them (HrPlan.SECTIONS).
_LINE = {
    "new_teams": lambda i: f"{_who(i)}, under {i['parent'] or 'no parent (a top team)'}",
    "renamed_teams": lambda i: f"{i['id']}: “{i['from']}” → “{i['to']}”",
    "moved_teams": lambda i: f"{_who(i)}: from under {i['from']} to under {i['to']}",
    "restored_teams": _who,
    "removed_teams": _who,
    "leader_changes": _leaders,
    "new_job_roles": str,
    "joiners": lambda i: f"{_who(i)}, {i['email']}: joins {i['team']} as {i['role']}",
    "returners": _who,
    "movers": lambda i: f"{_who(i)}: {i['from']} → {i['to']}",
    "role_changes": lambda i: f"{_who(i)}: {i['from']} → {i['to']}",
    "manager_changes": lambda i: f"{_who(i)}: manager {i['from']} → {i['to']}",
    "detail_changes": lambda i: f"{_who(i)}: {i['field']} “{i['from']}” → “{i['to']}”",
    "leavers": lambda i: f"{_who(i)}, of {i['team']}",
    "adopted": lambda i: f"{i['kind']} {i['name']} gets the HR id {i['id']}",
}


def hr_sync_plan_sections(plan: dict, *, shown: int = HR_SYNC_ROWS_SHOWN) -> list[PlanSection]:
    """The plan's non-empty sections, each at most `shown` lines (no queries: the plan is
    stored on the run as JSON). The optional columns' sections (tool logins) are worded
    by the app that registered them."""
    stored = HrPlan.from_dict(plan or {})
    columns = {handler.section: handler for handler in hr_sync_columns_registered()}
    sections = []
    for name, label in stored.sections():
        items = stored.section_items(name)
        if not items:
            continue
        handler = columns.get(name)
        line = _LINE.get(name) or (handler.describe if handler else str)
        sections.append(
            PlanSection(
                name,
                label,
                len(items),
                [line(i) for i in items[:shown]],
                note=handler.note if handler else "",
            )
        )
    return sections


def hr_sync_mass_leavers(run: HrSyncRun) -> int:
    """How many leavers the admin must confirm by name, or 0 when the guard did not trip."""
    if run.status != HrSyncRun.Status.PLANNED:
        return 0
    plan = HrPlan.from_dict(run.plan)
    return len(plan.leavers) if plan.is_mass_leaving else 0


def hr_sync_runs_recent() -> QuerySet[HrSyncRun]:
    """The latest syncs, without their files and plans (a 50,000-person file is 5 MB)."""
    return (
        HrSyncRun.objects.select_related("created_by")
        .defer("teams_csv", "people_csv", "plan", "row_errors")
        .order_by("-created_at")[:HR_SYNC_RUNS_SHOWN]
    )


def scim_connections() -> QuerySet[ScimConnection]:
    return ScimConnection.objects.select_related("created_by").order_by("-created_at")
