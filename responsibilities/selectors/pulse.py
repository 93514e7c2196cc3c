"""The alignment pulse: who each respondent group believes owns each area, aggregated.

Each (area, respondent group) is a cell of the privacy layer (upskill.privacy), its
respondents the people: a hidden cell shows nothing, not even its size, and the overall
figures and respondent totals add up published cells only, so no total minus what is
shown gives a hidden group away."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.utils import timezone

from responsibilities.models import AlignmentAnswer, AlignmentSurvey, OwnerSide, ResponsibilityArea
from upskill import cache, privacy
from upskill.models import Person, Team

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

    A group with fewer than MIN_GROUP_SIZE respondents is suppressed, for that area;
    the overall distribution adds up the published areas' answers only (its respondents
    are the distinct people, shown only when enough). The same for every viewer (the
    page has no scope), so computed once per generation of the pulses (their answers),
    the matrix (its areas) and the organisation (who leads), then read from the figures
    cache (upskill.cache). One query (those generations) when cached, else four."""
    return cache.cached_figures(
        "pulse-results",
        key_parts=(survey.pk,),
        inputs=(cache.ORGANISATION, cache.MATRIX, cache.PULSES),
        compute=lambda: _pulse_results(survey),
    )


def _pulse_results(survey: AlignmentSurvey) -> PulseResults:
    """Three queries: areas, the answers counted by area, group and believed owner, the
    distinct respondents per group. Added up by the database: a pulse of a 50,000-person
    organisation has hundreds of thousands of answers. A person answers each area once
    (answer_once_per_area), so an area's respondents in a group are its answers."""
    areas = list(ResponsibilityArea.objects.order_by("position", "name"))
    answers = AlignmentAnswer.objects.filter(survey=survey).annotate(
        leader=Exists(Team.leaders.through.objects.filter(user_id=OuterRef("person__user_id")))
    )
    per_area: dict[int, dict[str, Distribution]] = {
        a.pk: {key: Distribution(respondents=0) for key, _ in GROUPS} for a in areas
    }
    for row in (
        answers.values("area_id", "leader", "believed_owner")
        .annotate(n=Count("id"), rating_sum=Sum("rating"), rated=Count("rating"))
        .order_by()
    ):
        if row["area_id"] not in per_area:  # an area added while this ran
            continue
        dist = per_area[row["area_id"]]["leaders" if row["leader"] else "employees"]
        dist.counts[row["believed_owner"]] = row["n"]
        dist.respondents += row["n"]
        dist.rating_sum += row["rating_sum"] or 0
        dist.rated += row["rated"]
    overall = {key: Distribution(respondents=0) for key, _ in GROUPS}
    for row in answers.values("leader").annotate(n=Count("person", distinct=True)).order_by():
        overall["leaders" if row["leader"] else "employees"].respondents = row["n"]
    for groups in per_area.values():
        for dist in groups.values():
            dist.suppressed = not privacy.is_published(dist.respondents)
            if dist.suppressed:  # a hidden cell keeps nothing, not even its size
                dist.counts, dist.rating_sum, dist.rated = {}, 0, 0
                dist.respondents = 0
    for key, dist in overall.items():
        dist.suppressed = not privacy.is_published(dist.respondents)
        if dist.suppressed:
            dist.respondents = 0
            continue
        for groups in per_area.values():  # published cells only: hidden ones are emptied
            for side, n in groups[key].counts.items():
                dist.counts[side] = dist.counts.get(side, 0) + n
            dist.rating_sum += groups[key].rating_sum
            dist.rated += groups[key].rated
    return PulseResults(
        survey=survey,
        areas=[AreaResult(area=a, groups=per_area[a.pk]) for a in areas],
        overall=overall,
        min_group_size=privacy.minimum(),
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


def surveys_with_counts() -> list[AlignmentSurvey]:
    """Every pulse with `respondents`: the people in its published respondent groups
    (leaders, employees) added up, None when neither is published — a group's size
    below the minimum is never shown, nor left to subtraction. One query (the leaders
    are a subquery)."""
    is_leader = Q(answers__person__user_id__in=Team.leaders.through.objects.values("user_id"))
    surveys = list(
        AlignmentSurvey.objects.annotate(
            leader_respondents=Count("answers__person", distinct=True, filter=is_leader),
            employee_respondents=Count("answers__person", distinct=True, filter=~is_leader),
        ).order_by("-created_at")
    )
    for survey in surveys:
        groups = [survey.leader_respondents, survey.employee_respondents]
        total = privacy.sum_published(groups, value=lambda n: n, people=lambda n: n)
        survey.respondents = None if total is None else round(total[0])
    return surveys
