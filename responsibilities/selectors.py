"""Reads for the shared-responsibility model. Each function runs a fixed number of
queries whatever the number of areas, teams, periods or answers."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from responsibilities import periods
from responsibilities.models import (
    AlignmentAnswer,
    AlignmentSurvey,
    Commitment,
    CommitmentCheckIn,
    OwnerSide,
    Party,
    RaciAssignment,
    ResponsibilityArea,
)
from upskill import access
from upskill.models import Person, Team

EMPLOYER_PARTIES = (Party.LEADERSHIP, Party.LD, Party.MANAGER)
GREEN_AT = 1.0  # target met
AMBER_AT = 0.7  # most of the way there


@dataclass(frozen=True)
class MatrixRow:
    area: ResponsibilityArea
    letters: list[str]  # one per Party, in Party order; "" where unassigned
    commitments: list[Commitment]


def responsibility_matrix(*, include_retired: bool = False) -> list[MatrixRow]:
    """Areas x parties with their RACI letters and commitments (three queries)."""
    letters: dict[tuple[int, str], str] = {
        (area_id, party): letter
        for area_id, party, letter in RaciAssignment.objects.values_list(
            "area_id", "party", "letter"
        )
    }
    commitments = Commitment.objects.order_by("party", "title")
    if not include_retired:
        commitments = commitments.filter(is_active=True)
    areas = ResponsibilityArea.objects.order_by("position", "name").prefetch_related(
        Prefetch("commitments", queryset=commitments, to_attr="listed_commitments")
    )
    return [
        MatrixRow(
            area=area,
            letters=[letters.get((area.pk, party), "") for party in Party.values],
            commitments=area.listed_commitments,
        )
        for area in areas
    ]


def matrix_row(area: ResponsibilityArea) -> MatrixRow:
    """One area's row, for the in-place editor."""
    letters = dict(area.raci_assignments.values_list("party", "letter"))
    commitments = list(area.commitments.filter(is_active=True).order_by("party", "title"))
    return MatrixRow(
        area=area,
        letters=[letters.get(party, "") for party in Party.values],
        commitments=commitments,
    )


# --- Fulfilment ------------------------------------------------------------------------


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

    Periods with no check-in are "missing", never zero. Computed (employee) figures for a
    team smaller than MIN_GROUP_SIZE are suppressed: they describe individuals.
    Two queries: check-ins in range, team sizes."""
    if not teams or not commitments:
        return []
    starts = {c.pk: periods.recent_period_starts(c.period, count, today) for c in commitments}
    earliest = min(s[0] for s in starts.values())
    team_ids = [t.pk for t in teams]
    values = {
        (ci.commitment_id, ci.team_id, ci.period_start): ci.value
        for ci in CommitmentCheckIn.objects.filter(
            commitment__in=commitments, team_id__in=team_ids, period_start__gte=earliest
        ).only("commitment_id", "team_id", "period_start", "value")
    }
    sizes = dict(
        Person.objects.filter(team_id__in=team_ids)
        .values("team_id")
        .annotate(n=Count("id"))
        .order_by()  # Person's default ordering would join auth_user for nothing
        .values_list("team_id", "n")
    )
    rows = []
    for commitment in commitments:
        scope = {t.pk for t in commitment.teams.all()}
        for team in teams:
            if scope and team.pk not in scope:
                continue
            hidden = bool(commitment.computed_from) and sizes.get(team.pk, 0) < (
                settings.MIN_GROUP_SIZE
            )
            cells = [
                _cell(commitment, start, values.get((commitment.pk, team.pk, start)), hidden)
                for start in starts[commitment.pk]
            ]
            rows.append(FulfilmentRow(commitment=commitment, team=team, cells=cells))
    return rows


def fulfilment_teams(user) -> list[Team]:
    """Teams whose fulfilment a user may see: leaders their subtree, admins all, and
    everyone their own team."""
    team_ids = set(access.visible_team_ids(user))
    person = access.person_of(user)
    if person is not None:
        team_ids.add(person.team_id)
    return list(Team.objects.filter(pk__in=team_ids).order_by("name"))


@dataclass(frozen=True)
class OverviewRow:
    team: Team
    cells: list[FulfilmentCell | None]  # one per commitment; None where it doesn't apply


def fulfilment_overview(
    teams: list[Team], *, today: date
) -> tuple[list[Commitment], list[OverviewRow]]:
    """Each team's latest state on each commitment (current period, else the one
    before): one row per team, so it grows downwards with the organisation."""
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


# --- The alignment pulse ----------------------------------------------------------------


SIDES = [OwnerSide.EMPLOYER, OwnerSide.SHARED, OwnerSide.EMPLOYEE]
GROUPS = [("leaders", "Leaders"), ("employees", "Employees")]


@dataclass
class Distribution:
    """Who one respondent group believes owns an area; None when suppressed."""

    respondents: int
    counts: dict[str, int] = field(default_factory=dict)
    rating_sum: int = 0
    rated: int = 0
    suppressed: bool = False

    def share(self, side: str) -> float | None:
        if self.suppressed or not self.respondents:
            return None
        total = sum(self.counts.values())
        return self.counts.get(side, 0) / total if total else None

    @property
    def shares(self) -> list[tuple[str, str, int | None]]:
        return [
            (
                side.value,
                side.label,
                None if self.share(side) is None else round(100 * self.share(side)),
            )
            for side in SIDES
        ]

    @property
    def mean_rating(self) -> float | None:
        if self.suppressed or not self.rated:
            return None
        return round(self.rating_sum / self.rated, 1)

    @property
    def bar_segments(self) -> list[tuple[str, str, float, float, int]]:
        """Diverging bar geometry on a 0-200 axis centred at 100: employer extends left,
        shared straddles the centre, employee extends right. (side, label, x, width, %)"""
        if self.share(SIDES[0]) is None:
            return []
        employer, shared, employee = (100 * self.share(side) for side in SIDES)
        return [
            ("employer", "Employer", 100 - shared / 2 - employer, employer, round(employer)),
            ("shared", "Shared", 100 - shared / 2, shared, round(shared)),
            ("employee", "Employee", 100 + shared / 2, employee, round(employee)),
        ]

    def matrix_agreement(self, agreed_side: str) -> int | None:
        share = self.share(agreed_side)
        return None if share is None else round(100 * share)


def _gap(a: Distribution, b: Distribution) -> int | None:
    """Percentage points by which two groups' beliefs differ (total variation distance)."""
    if a.share(SIDES[0]) is None or b.share(SIDES[0]) is None:
        return None
    return round(50 * sum(abs(a.share(s) - b.share(s)) for s in SIDES))


@dataclass
class AreaResult:
    area: ResponsibilityArea
    groups: dict[str, Distribution]

    @property
    def gap(self) -> int | None:
        return _gap(self.groups["leaders"], self.groups["employees"])

    @property
    def rows(self):
        """(key, label, distribution, % agreeing with the matrix) per respondent group."""
        return [
            (key, label, dist, dist.matrix_agreement(self.area.owner_side))
            for key, label in GROUPS
            for dist in (self.groups[key],)
        ]


@dataclass
class PulseResults:
    survey: AlignmentSurvey
    areas: list[AreaResult]
    overall: dict[str, Distribution]
    min_group_size: int

    @property
    def headline(self) -> str | None:
        """e.g. "Leaders: 72% say employees own upskilling; employees: 78% say the
        employer does" — or None while either group is below the minimum size."""
        phrases = {
            OwnerSide.EMPLOYER: "the employer owns upskilling",
            OwnerSide.EMPLOYEE: "employees own upskilling",
            OwnerSide.SHARED: "upskilling is shared",
        }
        parts = []
        for key, label in GROUPS:
            dist = self.overall[key]
            if dist.suppressed or not dist.respondents:
                return None
            side = max(SIDES, key=lambda s, d=dist: d.counts.get(s, 0))
            parts.append(f"{label}: {round(100 * dist.share(side))}% say {phrases[side]}")
        return "; ".join(parts[:1] + [parts[1][0].lower() + parts[1][1:]])


def pulse_results(survey: AlignmentSurvey) -> PulseResults:
    """Answers aggregated per area and respondent group, never per person.

    A group with fewer than MIN_GROUP_SIZE respondents is suppressed, for that area and
    overall. Four queries: leaders, areas, per-group answer counts, respondents."""
    minimum = settings.MIN_GROUP_SIZE
    leaders = access.leader_user_ids()
    areas = list(ResponsibilityArea.objects.order_by("position", "name"))
    grouped = AlignmentAnswer.objects.filter(survey=survey).values(
        "area_id", "person__user_id", "believed_owner", "rating"
    )
    per_area: dict[int, dict[str, Distribution]] = {
        a.pk: {key: Distribution(respondents=0) for key, _ in GROUPS} for a in areas
    }
    overall = {key: Distribution(respondents=0) for key, _ in GROUPS}
    area_people: dict[tuple[int, str], set[int]] = defaultdict(set)
    overall_people: dict[str, set[int]] = defaultdict(set)
    for row in grouped.iterator(chunk_size=5_000):
        key = "leaders" if row["person__user_id"] in leaders else "employees"
        if row["area_id"] not in per_area:
            continue
        for dist in (per_area[row["area_id"]][key], overall[key]):
            dist.counts[row["believed_owner"]] = dist.counts.get(row["believed_owner"], 0) + 1
            if row["rating"] is not None:
                dist.rating_sum += row["rating"]
                dist.rated += 1
        area_people[(row["area_id"], key)].add(row["person__user_id"])
        overall_people[key].add(row["person__user_id"])
    for area_id, groups in per_area.items():
        for key, dist in groups.items():
            dist.respondents = len(area_people[(area_id, key)])
            dist.suppressed = dist.respondents < minimum
    for key, dist in overall.items():
        dist.respondents = len(overall_people[key])
        dist.suppressed = dist.respondents < minimum
    for groups in per_area.values():
        for dist in groups.values():
            if dist.suppressed:
                dist.counts, dist.rating_sum, dist.rated = {}, 0, 0
    for dist in overall.values():
        if dist.suppressed:
            dist.counts, dist.rating_sum, dist.rated = {}, 0, 0
    return PulseResults(
        survey=survey,
        areas=[AreaResult(area=a, groups=per_area[a.pk]) for a in areas],
        overall=overall,
        min_group_size=minimum,
    )


def open_survey() -> AlignmentSurvey | None:
    return (
        AlignmentSurvey.objects.filter(status=AlignmentSurvey.Status.OPEN)
        .exclude(closes_at__lte=timezone.now())
        .first()
    )


def answered_area_ids(survey: AlignmentSurvey, person: Person) -> dict[int, tuple[str, int | None]]:
    return {
        area_id: (owner, rating)
        for area_id, owner, rating in AlignmentAnswer.objects.filter(
            survey=survey, person=person
        ).values_list("area_id", "believed_owner", "rating")
    }


def surveys_with_counts() -> QuerySet[AlignmentSurvey]:
    return AlignmentSurvey.objects.annotate(
        respondents=Count("answers__person", distinct=True)
    ).order_by("-created_at")


# --- The standoff score -----------------------------------------------------------------


@dataclass(frozen=True)
class StandoffScore:
    """How far one team is from shared traction, at one pulse: 0 = shared traction,
    100 = full standoff. The mean of the components that can be shown:

    - perception gap: the share of the team's pulse answers that disagree with the agreed
      matrix on who owns an area;
    - employer shortfall / employee shortfall: 100 minus the mean fulfilment (capped at
      100%) of that side's commitments for the team over the last three periods up to
      the pulse.
    """

    team: Team
    survey: AlignmentSurvey
    respondents: int
    perception_gap: int | None
    employer_shortfall: int | None
    employee_shortfall: int | None

    @property
    def components(self) -> list[int]:
        return [
            c
            for c in (self.perception_gap, self.employer_shortfall, self.employee_shortfall)
            if c is not None
        ]

    @property
    def score(self) -> int | None:
        parts = self.components
        return round(sum(parts) / len(parts)) if parts else None

    @property
    def missing(self) -> list[str]:
        names = []
        if self.perception_gap is None:
            names.append("perception gap (fewer than the minimum group answered)")
        if self.employer_shortfall is None:
            names.append("employer fulfilment (no check-ins)")
        if self.employee_shortfall is None:
            names.append("employee fulfilment (no check-ins, or too few people)")
        return names


def _shortfall(ratios: list[float]) -> int | None:
    if not ratios:
        return None
    return round(100 * (1 - sum(min(r, 1.0) for r in ratios) / len(ratios)))


def standoff_scores(
    *, teams: list[Team], surveys: list[AlignmentSurvey]
) -> dict[int, list[StandoffScore]]:
    """Each team's standoff score at each pulse (oldest first). Five queries in all."""
    if not teams or not surveys:
        return {team.pk: [] for team in teams}
    minimum = settings.MIN_GROUP_SIZE
    team_ids = [t.pk for t in teams]
    now = timezone.now()
    agreed = dict(ResponsibilityArea.objects.values_list("pk", "owner_side"))
    matches: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for row in (
        AlignmentAnswer.objects.filter(survey__in=surveys, person__team_id__in=team_ids)
        .values("survey_id", "person__team_id", "area_id", "believed_owner")
        .annotate(n=Count("id"))
    ):
        tally = matches[(row["survey_id"], row["person__team_id"])]
        tally[1] += row["n"]
        if agreed.get(row["area_id"]) == row["believed_owner"]:
            tally[0] += row["n"]
    respondents = {
        (row["survey_id"], row["person__team_id"]): row["n"]
        for row in AlignmentAnswer.objects.filter(survey__in=surveys, person__team_id__in=team_ids)
        .values("survey_id", "person__team_id")
        .annotate(n=Count("person", distinct=True))
    }
    sizes = dict(
        Person.objects.filter(team_id__in=team_ids)
        .values("team_id")
        .annotate(n=Count("id"))
        .order_by()  # Person's default ordering would join auth_user for nothing
        .values_list("team_id", "n")
    )
    commitments = list(commitments_for_teams(team_ids))
    check_ins = {
        (ci.commitment_id, ci.team_id, ci.period_start): ci.value
        for ci in CommitmentCheckIn.objects.filter(
            commitment__in=commitments, team_id__in=team_ids
        ).only("commitment_id", "team_id", "period_start", "value")
    }
    scores: dict[int, list[StandoffScore]] = {}
    for team in teams:
        series = []
        for survey in surveys:
            as_of = min(survey.closes_at or now, now)
            as_of_day = timezone.localdate(as_of)
            ratios: dict[str, list[float]] = {"employer": [], "employee": []}
            for commitment in commitments:
                scope = {t.pk for t in commitment.teams.all()}
                if (scope and team.pk not in scope) or commitment.target <= 0:
                    continue
                if commitment.computed_from and sizes.get(team.pk, 0) < minimum:
                    continue
                side = "employee" if commitment.party == Party.EMPLOYEE else "employer"
                for start in periods.recent_period_starts(commitment.period, 3, as_of_day):
                    value = check_ins.get((commitment.pk, team.pk, start))
                    if value is not None:
                        ratios[side].append(commitment.fulfilment(value))
            answered = respondents.get((survey.pk, team.pk), 0)
            matched, total = matches.get((survey.pk, team.pk), (0, 0))
            gap = round(100 * (1 - matched / total)) if answered >= minimum and total else None
            series.append(
                StandoffScore(
                    team=team,
                    survey=survey,
                    respondents=answered,
                    perception_gap=gap,
                    employer_shortfall=_shortfall(ratios["employer"]),
                    employee_shortfall=_shortfall(ratios["employee"]),
                )
            )
        scores[team.pk] = series
    return scores
