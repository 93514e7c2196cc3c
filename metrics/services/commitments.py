"""Employee commitments the app can measure itself, written as computed check-ins.

For a commitment with `computed_from`, each applicable team gets, per period, the count
of matching events by its members divided by its current headcount — a per-person rate
in the commitment's unit. Counting happens in SQL, grouped by team and period; team
membership is the person's *current* team, as for the rollups.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.db.models import Count, DateField, F
from django.db.models.functions import TruncMonth, TruncQuarter, TruncWeek
from django.utils import timezone

from pathways.models import Recognition, Step, StepProgress
from responsibilities import periods
from responsibilities.models import Commitment, CommitmentCheckIn, ComputedFrom
from upskill import cache
from upskill.models import Person, Team

_TRUNC = {"week": TruncWeek, "month": TruncMonth, "quarter": TruncQuarter}


def _events(computed_from: str):
    """The events a kind of computed commitment counts: (rows, path to the person's
    team, when each happened)."""
    if computed_from == ComputedFrom.PRACTICE_SUBMISSIONS:
        practice = StepProgress.objects.filter(step__kind=Step.Kind.PRACTICE)
        return practice, "enrollment__person__team_id", "submitted_at"
    if computed_from == ComputedFrom.KNOWLEDGE_SHARING:
        sharing = Recognition.objects.filter(behaviour=Recognition.Behaviour.KNOWLEDGE_SHARING)
        return sharing, "to_person__team_id", "created_at"
    raise ValueError(computed_from)  # pragma: no cover - choices are closed


def _events_by_team_period(computed_from: str, period: str, since: date):
    rows, team_path, moment = _events(computed_from)
    events = rows.filter(**{f"{moment}__date__gte": since}).annotate(
        team_id=F(team_path),
        period_start=_TRUNC[period](moment, output_field=DateField()),
    )
    return {
        (row["team_id"], row["period_start"]): row["n"]
        for row in events.values("team_id", "period_start").annotate(n=Count("id")).order_by()
    }


@transaction.atomic
def commitment_check_ins_compute(*, today: date | None = None, recent: int = 6) -> int:
    """(Re)compute check-ins of every active computed commitment for the `recent` most
        recent periods, including the current one. Idempotent: it replaces, never adds. The
    cached fulfilment figures are computed afresh after it (upskill.cache)."""
    today = today or timezone.localdate()
    commitments = list(
        Commitment.objects.filter(is_active=True)
        .exclude(computed_from="")
        .prefetch_related("teams")
    )
    if not commitments:
        return 0
    headcount = dict(
        Person.objects.values("team_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("team_id", "n")
    )
    all_team_ids = list(Team.objects.values_list("id", flat=True))
    counts_cache: dict[tuple[str, str, date], dict] = {}
    written = 0
    for commitment in commitments:
        starts = periods.recent_period_starts(commitment.period, recent, today)
        key = (commitment.computed_from, commitment.period, starts[0])
        if key not in counts_cache:
            counts_cache[key] = _events_by_team_period(*key)
        counts = counts_cache[key]
        team_ids = [t.pk for t in commitment.teams.all()] or all_team_ids
        rows = []
        for team_id in team_ids:
            people = headcount.get(team_id, 0)
            if not people:
                continue
            for start in starts:
                rate = Decimal(counts.get((team_id, start), 0)) / people
                rows.append(
                    CommitmentCheckIn(
                        commitment=commitment,
                        team_id=team_id,
                        period_start=start,
                        value=rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                        source=CommitmentCheckIn.Source.COMPUTED,
                        note="Computed from activity",
                    )
                )
        CommitmentCheckIn.objects.filter(
            commitment=commitment, period_start__gte=starts[0]
        ).delete()
        CommitmentCheckIn.objects.bulk_create(rows, batch_size=2_000)
        written += len(rows)
    cache.inputs_changed(cache.COMMITMENTS)
    return written
