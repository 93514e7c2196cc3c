"""Commitment fulfilment: delivered / target per commitment x team x recent period.

The pages' figures (the all-teams overview, one team's rows) are computed once per
scope, day and generation of the organisation and the commitments (their check-ins
among them), then read from the figures cache (upskill.cache)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import NamedTuple

from django.db.models import Q, QuerySet
from django.template.defaultfilters import floatformat

from responsibilities import periods
from responsibilities.models import Commitment, CommitmentCheckIn, Party
from upskill import access, cache, privacy
from upskill.models import Team
from upskill.selectors import team_sizes

EMPLOYER_PARTIES = (Party.LEADERSHIP, Party.LD, Party.MANAGER)
GREEN_AT = 1.0  # target met
AMBER_AT = 0.7  # most of the way there


class FulfilmentCell(NamedTuple):
    """A named tuple rather than a dataclass: an all-teams overview caches thousands,
    and a tuple unpickles in a fifth of the time."""

    period_start: date
    label: str
    value: Decimal | None = None
    ratio: float | None = None
    state: str = "missing"  # met | partial | behind | missing | suppressed | no-target

    @property
    def percent(self) -> int | None:
        return None if self.ratio is None else round(self.ratio * 100)

    @property
    def text(self) -> str:
        """The cell as the tables write it: a state's word, a percentage of the target,
        or the value delivered where there is no target."""
        if self.state == "missing":
            return "missing"
        if self.state == "suppressed":
            return "hidden"
        if self.state == "no-target":
            return floatformat(self.value, "-2")
        return f"{self.percent}%"


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


def ratio_state(ratio: float) -> str:
    """Delivered / target as a state: met, partial (most of the way) or behind."""
    return "met" if ratio >= GREEN_AT else "partial" if ratio >= AMBER_AT else "behind"


def _cell(commitment: Commitment, start: date, label: str, value: Decimal | None, hidden: bool):
    if hidden:
        return FulfilmentCell(start, label, state="suppressed")
    if value is None:
        return FulfilmentCell(start, label)
    ratio = commitment.fulfilment(value)
    if ratio is None:
        return FulfilmentCell(start, label, value=value, state="no-target")
    return FulfilmentCell(start, label, value=value, ratio=ratio, state=ratio_state(ratio))


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
    Two queries: check-ins in range (as plain values: an all-teams overview reads
    thousands, and model instances were most of its time), team sizes."""
    if not teams or not commitments:
        return []
    starts = {c.pk: periods.recent_period_starts(c.period, count, today) for c in commitments}
    labels = {
        c.pk: [periods.period_label(start, c.period) for start in starts[c.pk]] for c in commitments
    }
    team_ids = [t.pk for t in teams]
    # Only the periods shown (not every week since the earliest quarter shown), as
    # tuples: a page of 50 teams would otherwise build thousands of model instances.
    values = {
        (commitment_id, team_id, period_start): value
        for commitment_id, team_id, period_start, value in CommitmentCheckIn.objects.filter(
            commitment__in=commitments,
            team_id__in=team_ids,
            period_start__in={start for s in starts.values() for start in s},
        )
        .order_by()
        .values_list("commitment_id", "team_id", "period_start", "value")
    }
    sizes = team_sizes(team_ids)
    rows = []
    for commitment in commitments:
        scope = {t.pk for t in commitment.teams.all()}
        periods_of = list(zip(starts[commitment.pk], labels[commitment.pk], strict=True))
        for team in teams:
            if scope and team.pk not in scope:
                continue
            hidden = bool(commitment.computed_from) and not privacy.is_published(
                sizes.get(team.pk, 0)
            )
            cells = [
                _cell(commitment, start, label, values.get((commitment.pk, team.pk, start)), hidden)
                for start, label in periods_of
            ]
            rows.append(FulfilmentRow(commitment=commitment, team=team, cells=cells))
    return rows


@dataclass(frozen=True)
class SupportSummary:
    """One employer commitment over the teams in view, for the last completed period:
    how many of the teams it applies to reported, and the mean delivered / target of
    those that did. Check-ins are recorded per team, so a department's view is the sum
    of its teams' check-ins, never a "missing" for the department itself."""

    commitment: Commitment
    label: str
    teams: int
    counts: dict[str, int]
    mean_ratio: float | None

    @property
    def reported(self) -> int:
        return sum(self.counts.get(state, 0) for state in ("met", "partial", "behind"))

    @property
    def percent(self) -> int | None:
        return None if self.mean_ratio is None else round(self.mean_ratio * 100)

    @property
    def state(self) -> str:
        if self.mean_ratio is None:
            return "missing"
        return ratio_state(self.mean_ratio)


def support_summaries(
    *, team_ids, commitments: list[Commitment], today: date
) -> list[SupportSummary]:
    """Per commitment: its last completed period over the teams in `team_ids` it
    applies to — its own teams, or for an organisation-wide commitment every team with
    people (the teams check-ins are recorded for) and every team with a check-in.
    Two queries: team sizes, check-ins."""
    if not commitments:
        return []
    team_ids = set(team_ids)
    sizes = team_sizes(team_ids)
    working = {pk for pk, n in sizes.items() if n}
    last = {c.pk: periods.recent_period_starts(c.period, 2, today)[0] for c in commitments}
    values = {
        (ci.commitment_id, ci.team_id): ci.value
        for ci in CommitmentCheckIn.objects.filter(
            commitment__in=commitments,
            team_id__in=team_ids,
            period_start__in=set(last.values()),
        ).only("commitment_id", "team_id", "period_start", "value")
        if ci.period_start == last[ci.commitment_id]
    }
    summaries = []
    for commitment in commitments:
        own = {t.pk for t in commitment.teams.all()}
        # An organisation-wide commitment: every team with people, and any team a
        # check-in was recorded for.
        reported = {team for (c, team) in values if c == commitment.pk}
        applies = (own & team_ids) if own else (working | reported)
        start = last[commitment.pk]
        label = periods.period_label(start, commitment.period)
        counts: dict[str, int] = {}
        ratios = []
        for team_id in applies:
            hidden = bool(commitment.computed_from) and not privacy.is_published(
                sizes.get(team_id, 0)
            )
            cell = _cell(commitment, start, label, values.get((commitment.pk, team_id)), hidden)
            counts[cell.state] = counts.get(cell.state, 0) + 1
            if cell.ratio is not None:
                ratios.append(cell.ratio)
        summaries.append(
            SupportSummary(
                commitment=commitment,
                label=label,
                teams=len(applies),
                counts=counts,
                mean_ratio=sum(ratios) / len(ratios) if ratios else None,
            )
        )
    return summaries


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
    before): one row per team given (a page of them: the view pages the teams). One query
    (the inputs' generations) when cached for these teams and day, else five."""
    commitments, cells = cache.cached_figures(
        "fulfilment-overview",
        key_parts=(frozenset(t.pk for t in teams), today),
        inputs=(cache.ORGANISATION, cache.COMMITMENTS),
        compute=lambda: _overview_cells(teams, today=today),
    )
    # The cache holds each team's cells by its id, not the team itself: the caller has
    # just loaded the teams, and a model instance unpickles slowly (hundreds of them).
    return commitments, [OverviewRow(team=team, cells=cells[team.pk]) for team in teams]


def _overview_cells(
    teams: list[Team], *, today: date
) -> tuple[list[Commitment], dict[int, list[FulfilmentCell | None]]]:
    commitments = list(commitments_for_teams([t.pk for t in teams]))
    rows = fulfilment_rows(teams=teams, commitments=commitments, today=today, count=2)
    latest = {(row.commitment.pk, row.team.pk): row.latest for row in rows}
    return commitments, {
        team.pk: [latest.get((c.pk, team.pk)) for c in commitments] for team in teams
    }


def team_fulfilment(team: Team, *, today: date, count: int = 6) -> list[FulfilmentRow]:
    """One team's rows: every active commitment that applies to it, recent periods.
    The team is the figures' whole scope: anyone who may see it is shown the same. One
    query (the inputs' generations) when cached, else five."""

    def compute() -> list[FulfilmentRow]:
        commitments = list(commitments_for_teams([team.pk]))
        return fulfilment_rows(teams=[team], commitments=commitments, today=today, count=count)

    return cache.cached_figures(
        "team-fulfilment",
        key_parts=(team.pk, today, count),
        inputs=(cache.ORGANISATION, cache.COMMITMENTS),
        compute=compute,
    )
