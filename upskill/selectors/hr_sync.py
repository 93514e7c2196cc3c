"""Reads for the Organisation pages: the HR syncs, a stored plan as readable lines (each
section a page at a time: a reorganisation of 50,000 people moves thousands), the
SCIM connections."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from upskill.models import HrSyncRun, ScimConnection
from upskill.services import HrPlan, hr_sync_columns_registered

HR_SYNC_RUNS_SHOWN = 20  # a page of the list of syncs
HR_SYNC_ROWS_SHOWN = 50  # a page of a plan section, and of bad rows
ROW_ERRORS = "errors"  # the bad rows' name where a page of sections is asked for


@dataclass(frozen=True)
class PlanSection:
    name: str
    label: str
    page: Page  # of readable lines; its pager's links name the section
    note: str = ""

    @property
    def count(self) -> int:
        return self.page.paginator.count

    @property
    def lines(self) -> list[str]:
        return self.page.object_list


def _section_page(items: list, name: str, number, *, shown: int, line=None) -> Page:
    """One page of a section's items (as lines when `line` is given), carrying what the
    pager (templates/upskill/_pager.html) needs to link to its other pages."""
    page = Paginator(items, shown).get_page(number)
    if line is not None:
        page.object_list = [line(item) for item in page.object_list]
    page.param = "page"
    page.link_query = urlencode({"section": name})
    return page


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


def hr_sync_plan_sections(
    plan: dict, *, shown: int = HR_SYNC_ROWS_SHOWN, section: str = "", page=None
) -> list[PlanSection]:
    """The plan's non-empty sections, each a page of `shown` lines: page `page` of the
    section named `section`, the first of every other (no queries: the plan is stored on
    the run as JSON). The optional columns' sections (tool logins) are worded by the app
    that registered them."""
    stored = HrPlan.from_dict(plan or {})
    columns = {handler.section: handler for handler in hr_sync_columns_registered()}
    sections = []
    for name, label in stored.sections():
        items = stored.section_items(name)
        if not items:
            continue
        handler = columns.get(name)
        line = _LINE.get(name) or (handler.describe if handler else str)
        number = page if name == section else 1
        sections.append(
            PlanSection(
                name,
                label,
                _section_page(items, name, number, shown=shown, line=line),
                note=handler.note if handler else "",
            )
        )
    return sections


def hr_sync_row_errors(
    row_errors: list[dict], *, shown: int = HR_SYNC_ROWS_SHOWN, section: str = "", page=None
) -> Page:
    """A page of the bad rows of a refused sync (page `page` when `section` names them)."""
    number = page if section == ROW_ERRORS else 1
    return _section_page(row_errors, ROW_ERRORS, number, shown=shown)


def hr_sync_mass_leavers(run: HrSyncRun) -> int:
    """How many leavers the admin must confirm by name, or 0 when the guard did not trip."""
    if run.status != HrSyncRun.Status.PLANNED:
        return 0
    plan = HrPlan.from_dict(run.plan)
    return len(plan.leavers) if plan.is_mass_leaving else 0


def hr_sync_runs_recent() -> QuerySet[HrSyncRun]:
    """The syncs, newest first, without their files and plans (a 50,000-person file is
    5 MB): page them, HR_SYNC_RUNS_SHOWN a page."""
    return (
        HrSyncRun.objects.select_related("created_by")
        .defer("teams_csv", "people_csv", "plan", "row_errors")
        .order_by("-created_at", "-pk")
    )


def hr_sync_run_shown(pk: int) -> HrSyncRun | None:
    """A sync as its page shows it: its plan and bad rows, not its two files (10 MB at
    50,000 people, read again on each second's poll while a job works on it)."""
    return HrSyncRun.objects.defer("teams_csv", "people_csv").filter(pk=pk).first()


SCIM_CONNECTIONS_PER_PAGE = 20


def scim_connections() -> QuerySet[ScimConnection]:
    """Every connection, newest first: page them, SCIM_CONNECTIONS_PER_PAGE a page."""
    return ScimConnection.objects.select_related("created_by").order_by("-created_at", "-pk")
