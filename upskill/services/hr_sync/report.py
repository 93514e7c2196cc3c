"""What an HR sync reports: the file formats, a bad row, the rejection, the plan."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError

TEAM_COLUMNS = ("team_id", "name", "parent_team_id", "leader_employee_ids")
PEOPLE_COLUMNS = (
    "employee_id",
    "email",
    "first_name",
    "last_name",
    "team_id",
    "job_role",
    "manager_employee_id",
    "status",
)
HR_SYNC_FILES = {"teams": TEAM_COLUMNS, "people": PEOPLE_COLUMNS}
ACTIVE, LEAVER = "active", "leaver"
BATCH = 1_000
CHUNK = 900  # ids per IN (...) list: under SQLite's bound-parameter limit
MAX_ERRORS = 500  # reported; the file is refused whatever the number

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowError:
    file: str  # "teams" or "people" (or the uploaded file's name)
    line: int  # 1 is the header; 0 means the file as a whole
    message: str

    def __str__(self) -> str:
        where = f"{self.file}, line {self.line}" if self.line else self.file
        return f"{where}: {self.message}"


class HrSyncRejected(ValidationError):
    """Nothing was written. `.errors` lists every problem with its file and line."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__([str(error) for error in errors[:50]])


@dataclass
class HrPlan:
    """What a sync would change, as plain strings and numbers (stored as JSON)."""

    full: bool = False
    active_people: int = 0
    new_teams: list[dict] = field(default_factory=list)
    renamed_teams: list[dict] = field(default_factory=list)
    moved_teams: list[dict] = field(default_factory=list)
    restored_teams: list[dict] = field(default_factory=list)
    removed_teams: list[dict] = field(default_factory=list)
    leader_changes: list[dict] = field(default_factory=list)
    new_job_roles: list[str] = field(default_factory=list)
    joiners: list[dict] = field(default_factory=list)
    returners: list[dict] = field(default_factory=list)
    movers: list[dict] = field(default_factory=list)
    role_changes: list[dict] = field(default_factory=list)
    manager_changes: list[dict] = field(default_factory=list)
    detail_changes: list[dict] = field(default_factory=list)
    leavers: list[dict] = field(default_factory=list)
    adopted: list[dict] = field(default_factory=list)
    unknown_leavers: int = 0
    # Changes from optional people columns an app above upskill reads (tool logins):
    # section -> changes, and section -> heading (upskill.services.hr_sync.columns).
    column_changes: dict[str, list[dict]] = field(default_factory=dict)
    column_labels: dict[str, str] = field(default_factory=dict)

    SECTIONS = (
        ("new_teams", "New teams"),
        ("renamed_teams", "Renamed teams"),
        ("moved_teams", "Moved teams"),
        ("restored_teams", "Teams back in the files"),
        ("removed_teams", "Removed teams"),
        ("leader_changes", "Leader changes"),
        ("new_job_roles", "New job roles"),
        ("joiners", "Joiners"),
        ("returners", "Returning people"),
        ("movers", "Movers"),
        ("role_changes", "Job role changes"),
        ("manager_changes", "Manager changes"),
        ("detail_changes", "Name and email changes"),
        ("leavers", "Leavers"),
        ("adopted", "Existing records given their HR id"),
    )

    def sections(self) -> list[tuple[str, str]]:
        """(name, heading) of every section: the organisation's, then the optional
        columns' (those with changes)."""
        return [*self.SECTIONS, *self.column_labels.items()]

    def section_items(self, name: str) -> list:
        if name in self.column_labels:
            return self.column_changes.get(name, [])
        return getattr(self, name)

    @property
    def counts(self) -> dict[str, int]:
        return {name: len(self.section_items(name)) for name, _label in self.sections()}

    @property
    def is_empty(self) -> bool:
        return not any(self.counts.values())

    @property
    def leaver_share(self) -> float:
        return len(self.leavers) / self.active_people if self.active_people else 0.0

    @property
    def is_mass_leaving(self) -> bool:
        """A full sync whose omissions would make too many people leavers at once (a
        truncated export, the wrong file); leaver rows named one by one are deliberate."""
        return (
            self.full
            and bool(self.leavers)
            and self.leaver_share > settings.HR_SYNC_MAX_LEAVER_SHARE
        )

    def as_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, values: dict) -> HrPlan:
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in values.items() if key in known})

    def summary_lines(self) -> list[str]:
        lines = [f"{label}: {len(self.section_items(name))}" for name, label in self.sections()]
        if self.unknown_leavers:
            lines.append(f"Leaver rows for unknown employee ids (ignored): {self.unknown_leavers}")
        return lines
