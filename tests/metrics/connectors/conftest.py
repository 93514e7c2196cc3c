"""An organisation whose people have tool logins: two teams of six, a small team of two
(its figures must be suppressed), one person who moved team (their history counts for
their current team), and one Jira account that passed from one person to another."""

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from metrics import services
from metrics.services.connectors import tool_logins_import
from tests.factories import PersonFactory, TeamFactory

LONDON = ZoneInfo("Europe/London")
HANDOVER = dt.date(2025, 3, 10)  # "acc-shared" passes from sam to tia on this Monday


@dataclass
class World:
    teams: dict
    people: dict  # name -> Person

    def team_of(self, name: str) -> int:
        return self.people[name].team_id


@pytest.fixture
def world(db) -> World:
    teams = {
        slug: TeamFactory(slug=slug, name=slug.title())
        for slug in ("payments", "checkout", "platform")
    }
    names = {
        "payments": ["ana", "ben", "cal", "dee", "eve", "sam"],
        "checkout": ["fay", "gus", "hal", "ivy", "jon", "tia"],
        "platform": ["kim", "lou"],
    }
    people = {}
    for slug, members in names.items():
        for name in members:
            people[name] = PersonFactory(
                team=teams[slug], employee_id=f"E-{name}", user__email=f"{name}@example.com"
            )
    # "mo" did all of this work in payments, then HR moved them to checkout: it counts
    # for checkout, the person's current team (the rollups' rule).
    people["mo"] = PersonFactory(
        team=teams["checkout"], employee_id="E-mo", user__email="mo@example.com"
    )
    lines = ["employee_id,system,login,valid_from"]
    for name in people:
        if name in ("sam", "tia"):
            continue
        lines.append(f"E-{name},jira,acc-{name},")
        lines.append(f"E-{name},github,{name.upper()}-gh,")
        lines.append(f"E-{name},zendesk,{agent_id(name)},")
        lines.append(f"E-{name},freshdesk,{agent_id(name) + 1000},")
    lines.append("E-sam,jira,acc-shared,2024-01-01")
    lines.append(f"E-tia,jira,acc-shared,{HANDOVER.isoformat()}")
    tool_logins_import(source=io.BytesIO("\n".join(lines).encode()))
    return World(teams=teams, people=people)


NAMES = [
    "ana",
    "ben",
    "cal",
    "dee",
    "eve",
    "sam",
    "fay",
    "gus",
    "hal",
    "ivy",
    "jon",
    "tia",
    "kim",
    "lou",
    "mo",
]


def agent_id(name: str) -> int:
    """A helpdesk agent id per person (Zendesk's; Freshdesk's is 1000 more)."""
    return 9000 + NAMES.index(name)


def run_import(tmp_path: Path, kind: str, content: bytes, name: str, allow_invalid: bool = False):
    path = tmp_path / name
    path.write_bytes(content)
    return services.file_import(kind=kind, path=path, allow_invalid=allow_invalid)


def at(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=LONDON)


def monday(moment: dt.datetime) -> dt.date:
    day = moment.astimezone(LONDON).date()
    return day - dt.timedelta(days=day.weekday())
