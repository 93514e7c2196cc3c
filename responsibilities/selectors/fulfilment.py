"""Commitment fulfilment: delivered / target per commitment x team x recent period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet

from responsibilities import periods
from responsibilities.models import Commitment, CommitmentCheckIn, Party
from upskill import access, privacy
from upskill.models import Team
from upskill.selectors import team_sizes

EMPLOYER_PARTIES = (Party.LEADERSHIP, Party.LD, Party.MANAGER)
GREEN_AT = 1.0  # target met
AMBER_AT = 0.7  # most of the way there


@dataclass(frozen=True)
class FulfilmentCell:
    period_start: date
    label: str
    value: Decimal | None = None
    ratio: float | None = None
    state: str = "missing"  # met | partial | behind | missing | suppressed | no-target

    @property
    def percent(self) -> int | None:
        return None if self.ratio is None else round(self.ratio * 100)


@dataclass(frozen=True)
class FulfilmentRow:
    commitment: Commitment
    team: Team
    cells: list[FulfilmentCell]

    @property
    def latest(self) -> FulfilmentCell:
        """The most recent period that has a figure, else the current (missing) one."""
        for cell in reversed(self.cells):
            if cell.state not in ("missing", "suppressed"):
                return cell
        return self.cells[-1]

    @property
    def last_completed(self) -> FulfilmentCell:
        """The period before the current one (the current one has only just begun), or
        the current one when it is the only period asked for."""
        return self.cells[-2] if len(self.cells) > 1 else self.cells[-1]


def _cell(commitment: Commitment, start: date, value: Decimal | None, hidden: bool):
    label = periods.period_label(start, commitment.period)
    if hidden:
        return FulfilmentCell(start, label, state="suppressed")
    if value is None:
        return FulfilmentCell(start, label)
    ratio = commitment.fulfilment(value)
    if ratio is None:
        return FulfilmentCell(start, label, value=value, state="no-target")
    state = "met" if ratio >= GREEN_AT else "partial" if ratio >= AMBER_AT else "behind"
    return FulfilmentCell(start, label, value=value, ratio=ratio, state=state)


def commitments_for_teams(team_ids) -> QuerySet[Commitment]:
    """Active commitments that apply to any of the teams (org-wide ones apply to all)."""
    return (
        Commitment.objects.filter(is_active=True)
        .filter(Q(teams__in=list(team_ids)) | Q(teams__isnull=True))
        .distinct()
        .select_related("area")
        .prefetch_related("teams")
        .order_by("area__position", "party", "title")
    )


def fulfilment_rows(
    *, teams: list[Team], commitments: list[Commitment], today: date, count: int = 6
) -> list[FulfilmentRow]:
    """Delivered / target per commitment x team x recent period.

    Periods with no check-in are "missing", never zero. A computed (employee) figure is
    a cell of the privacy layer, (team, period) with the team's headcount as its people:
    unpublished for a team smaller than MIN_GROUP_SIZE, it describes individuals.
    Two queries: check-ins in range, team sizes."""
    if not teams or not commitments:
        return []
    starts = {c.pk: periods.recent_period_starts(c.period, count, today) for c in commitments}
    team_ids = [t.pk for t in teams]
    # Only the periods shown (not every week since the earliest quarter shown), as
    # tuples: a page of 50 teams would otherwise build thousands of model instances.
    values = {
        (commitment_id, team_id, period_start): value
        for commitment_id, team_id, period_start, value in CommitmentCheckIn.objects.filter(
            commitment__in=commitments,
            team_id__in=team_ids,
            period_start__in={start for s in starts.values() for start in s},
        ).values_list("commitment_id", "team_id", "period_start", "value")
    }
    sizes = team_sizes(team_ids)
    rows = []
    for commitment in commitments:
        scope = {t.pk for t in commitment.teams.all()}
        for team in teams:
            if scope and team.pk not in scope:
                continue
            hidden = bool(commitment.computed_from) and not privacy.is_published(
                sizes.get(team.pk, 0)
            )
            cells = [
                _cell(commitment, start, values.get((commitment.pk, team.pk, start)), hidden)
                for start in starts[commitment.pk]
            ]
            rows.append(FulfilmentRow(commitment=commitment, team=team, cells=cells))
    return rows


# Up to this many teams are a choice in a list; more (an L&D admin's 2,000, a region's
# hundreds) are found by name, and the overview shows them a page at a time.
TEAM_CHOICES_MAX = 50
TEAMS_PER_PAGE = 50


def fulfilment_team_ids(user) -> frozenset[int]:
    """Teams whose fulfilment a user may see: leaders their subtree, admins all, and
    everyone their own team (no query beyond the access policy's)."""
    team_ids = set(access.visible_team_ids(user))
    person = access.person_of(user)
    if person is not None:
        team_ids.add(person.team_id)
    return frozenset(team_ids)


def fulfilment_teams(user, *, name_contains: str = "") -> QuerySet[Team]:
    """Those teams by name, optionally only those whose name contains some text. (An
    L&D admin's are every team: not 2,000 ids spelled out in each query.)"""
    teams = Team.objects.all()
    if not access.is_ld_admin(user):
        teams = teams.filter(pk__in=fulfilment_team_ids(user))
    teams = teams.order_by("name", "pk")
    return teams.filter(name__icontains=name_contains) if name_contains else teams


@dataclass(frozen=True)
class OverviewRow:
    team: Team
    cells: list[FulfilmentCell | None]  # one per commitment; None where it doesn't apply


def fulfilment_overview(
    teams: list[Team], *, today: date
) -> tuple[list[Commitment], list[OverviewRow]]:
    """Each team's latest state on each commitment (current period, else the one
    before): one row per team given (a page of them: the view pages the teams)."""
    commitments = list(commitments_for_teams([t.pk for t in teams]))
    rows = fulfilment_rows(teams=teams, commitments=commitments, today=today, count=2)
    latest = {(row.commitment.pk, row.team.pk): row.latest for row in rows}
    return commitments, [
        OverviewRow(team=team, cells=[latest.get((c.pk, team.pk)) for c in commitments])
        for team in teams
    ]


def team_fulfilment(team: Team, *, today: date, count: int = 6) -> list[FulfilmentRow]:
    """One team's rows: every active commitment that applies to it, recent periods."""
    commitments = list(commitments_for_teams([team.pk]))
    return fulfilment_rows(teams=[team], commitments=commitments, today=today, count=count)
