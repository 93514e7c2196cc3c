"""Writes for the shared-responsibility model: the RACI matrix, commitments, check-ins
and the alignment pulse. Every function validates fully and changes nothing on error.
Each write moves its figure input's generation on in the same transaction (upskill.cache):
the fulfilment, standoff and pulse figures cached before it are not read again."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify

from responsibilities import notifications as responsibility_notifications
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
from upskill import cache
from upskill.models import Person, Team
from upskill.services.audit import audit_action, audit_record

RACI_LETTERS = {choice.value for choice in RaciAssignment.Letter}


def raci_validate(letters: Mapping[str, str]) -> dict[str, str]:
    """Check one area's row: known parties and letters, exactly one A, at least one R.

    Returns the row without blanks (a blank cell means the party has no role)."""
    unknown = set(letters) - set(Party.values)
    if unknown:
        raise ValidationError(f"Unknown party: {', '.join(sorted(unknown))}.")
    row = {party: letter for party, letter in letters.items() if letter}
    bad = {letter for letter in row.values() if letter not in RACI_LETTERS}
    if bad:
        raise ValidationError("Each cell must be R, A, C, I or empty.")
    accountable = [party for party, letter in row.items() if letter == "A"]
    if len(accountable) != 1:
        labels = ", ".join(Party(party).label for party in accountable)
        raise ValidationError(
            "Exactly one party must be Accountable (A) for an area"
            + (f"; {labels} all are." if accountable else "; none is.")
        )
    if "R" not in row.values():
        raise ValidationError("At least one party must be Responsible (R) for an area.")
    return row


@transaction.atomic
def raci_row_set(*, area: ResponsibilityArea, letters: Mapping[str, str]) -> None:
    """Replace an area's RACI row in one go, so the one-A rule never sees a half-edit.
    Audited as one change of the area's row, party by party (not as the rows replaced)."""
    row = raci_validate(letters)
    before = dict(RaciAssignment.objects.filter(area=area).values_list("party", "letter"))
    with disable_auditlog():
        RaciAssignment.objects.filter(area=area).delete()
        _raci_row_write(area, row)
    changes = {
        Party(party).label: [before.get(party) or "—", row.get(party) or "—"]
        for party in Party.values
        if before.get(party) != row.get(party)
    }
    if changes:
        audit_record(area, summary=f"Changed the RACI row of “{area}”", changes=changes)


def _raci_row_write(area: ResponsibilityArea, row: Mapping[str, str]) -> None:
    RaciAssignment.objects.bulk_create(
        RaciAssignment(area=area, party=party, letter=letter) for party, letter in row.items()
    )
    cache.inputs_changed(cache.MATRIX)


@transaction.atomic
@audit_action()  # the area and its RACI row: one audit entry
def area_create(
    *, name: str, description: str, owner_side: str, letters: Mapping[str, str]
) -> ResponsibilityArea:
    row = raci_validate(letters)
    key = slugify(name)[:80]
    if not key:
        raise ValidationError({"name": "Give the area a name with letters or digits."})
    if ResponsibilityArea.objects.filter(key=key).exists():
        raise ValidationError({"name": "An area with this name already exists."})
    last = ResponsibilityArea.objects.order_by("-position").values_list("position", flat=True)
    area = ResponsibilityArea(
        key=key,
        name=name.strip(),
        description=description.strip(),
        owner_side=owner_side,
        position=(last.first() or 0) + 1,
    )
    area.full_clean()
    area.save()
    _raci_row_write(area, row)
    audit_record(
        area,
        summary=f"Added the area “{area}”",
        action=LogEntry.Action.CREATE,
        changes={
            "RACI": [None, ", ".join(f"{Party(p).label} {letter}" for p, letter in row.items())]
        },
    )
    cache.inputs_changed(cache.MATRIX)
    return area


def _commitment_fields_validate(*, party: str, computed_from: str) -> None:
    if computed_from and party != Party.EMPLOYEE:
        raise ValidationError(
            {"computed_from": "Only employee commitments can be computed from activity."}
        )


@transaction.atomic
@audit_action()  # the commitment and its teams: one audit entry
def commitment_create(
    *,
    area: ResponsibilityArea,
    party: str,
    title: str,
    description: str = "",
    target: Decimal,
    unit: str,
    period: str,
    direction: str = Commitment.Direction.AT_LEAST,
    teams: Iterable[Team] = (),
    computed_from: str = "",
) -> Commitment:
    _commitment_fields_validate(party=party, computed_from=computed_from)
    commitment = Commitment(
        area=area,
        party=party,
        title=title.strip(),
        description=description.strip(),
        target=target,
        unit=unit.strip(),
        period=period,
        direction=direction,
        computed_from=computed_from,
    )
    commitment.full_clean()
    commitment.save()
    commitment.teams.set(teams)
    cache.inputs_changed(cache.COMMITMENTS)
    return commitment


@transaction.atomic
@audit_action()
def commitment_update(
    *,
    commitment: Commitment,
    party: str,
    title: str,
    description: str,
    target: Decimal,
    unit: str,
    period: str,
    direction: str,
    teams: Iterable[Team],
    computed_from: str,
) -> Commitment:
    _commitment_fields_validate(party=party, computed_from=computed_from)
    if period != commitment.period and commitment.check_ins.exists():
        raise ValidationError(
            {
                "period": "This commitment has check-ins; its period cannot change. "
                "Retire it and create a new one instead."
            }
        )
    commitment.party = party
    commitment.title = title.strip()
    commitment.description = description.strip()
    commitment.target = target
    commitment.unit = unit.strip()
    commitment.period = period
    commitment.direction = direction
    commitment.computed_from = computed_from
    commitment.full_clean()
    commitment.save()
    commitment.teams.set(teams)
    cache.inputs_changed(cache.COMMITMENTS)
    return commitment


@transaction.atomic
def commitment_set_active(*, commitment: Commitment, is_active: bool) -> Commitment:
    """Retire (or restore) a commitment; its check-in history is kept either way."""
    commitment.is_active = is_active
    commitment.save(update_fields=["is_active"])
    cache.inputs_changed(cache.COMMITMENTS)
    return commitment


def commitment_applies_to(commitment: Commitment, team: Team) -> bool:
    """Organisation-wide commitments apply to every team; scoped ones to their teams."""
    scoped = [t.pk for t in commitment.teams.all()]
    return not scoped or team.pk in scoped


@transaction.atomic
def check_in_record(
    *,
    commitment: Commitment,
    team: Team,
    period_start: date,
    value: Decimal,
    note: str = "",
    recorded_by=None,
    today: date | None = None,
) -> CommitmentCheckIn:
    """Record (or correct) what was delivered for one team in one period."""
    today = today or timezone.localdate()
    if commitment.computed_from:
        raise ValidationError("This commitment is computed from activity; it takes no check-ins.")
    if not commitment.is_active:
        raise ValidationError("This commitment is retired; it takes no new check-ins.")
    if not commitment_applies_to(commitment, team):
        raise ValidationError({"team": f"This commitment does not apply to {team}."})
    if periods.period_start(period_start, commitment.period) != period_start:
        raise ValidationError({"period_start": "Choose the start of a period."})
    if period_start > today:
        raise ValidationError({"period_start": "That period has not started yet."})
    if value < 0:
        raise ValidationError({"value": "The value delivered cannot be negative."})
    check_in, _ = CommitmentCheckIn.objects.update_or_create(
        commitment=commitment,
        team=team,
        period_start=period_start,
        defaults={
            "value": value,
            "note": note.strip(),
            "recorded_by": recorded_by,
            "source": CommitmentCheckIn.Source.MANUAL,
        },
    )
    cache.inputs_changed(cache.COMMITMENTS)
    return check_in


def survey_open(*, title: str, closes_at: datetime, created_by=None) -> AlignmentSurvey:
    now = timezone.now()
    if closes_at <= now:
        raise ValidationError({"closes_at": "The closing time must be in the future."})
    # A pulse whose closing time has passed is closed, whether or not anyone said so.
    AlignmentSurvey.objects.filter(status=AlignmentSurvey.Status.OPEN, closes_at__lte=now).update(
        status=AlignmentSurvey.Status.CLOSED
    )
    survey = AlignmentSurvey(
        title=title.strip(),
        status=AlignmentSurvey.Status.OPEN,
        opens_at=now,
        closes_at=closes_at,
        created_by=created_by,
    )
    survey.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            survey.save()
            cache.inputs_changed(cache.PULSES)
    except IntegrityError as exc:
        raise ValidationError("Another pulse is open; close it before opening a new one.") from exc
    responsibility_notifications.pulse_opened_notify(survey=survey)
    return survey


def survey_close(*, survey: AlignmentSurvey) -> AlignmentSurvey:
    if survey.status == AlignmentSurvey.Status.CLOSED:
        return survey
    survey.status = AlignmentSurvey.Status.CLOSED
    now = timezone.now()
    if survey.closes_at is None or survey.closes_at > now:
        survey.closes_at = now
    with transaction.atomic():
        survey.save(update_fields=["status", "closes_at"])
        cache.inputs_changed(cache.PULSES)
    return survey


def survey_is_accepting(survey: AlignmentSurvey, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return survey.status == AlignmentSurvey.Status.OPEN and (
        survey.closes_at is None or survey.closes_at > now
    )


@transaction.atomic
def pulse_answer(
    *,
    survey: AlignmentSurvey,
    person: Person,
    answers: Mapping[int, tuple[str, int | None]],
) -> int:
    """Store one person's answers (area id -> (believed owner, rating)); all or nothing.

    Answering again replaces the earlier answers while the pulse is open."""
    survey = AlignmentSurvey.objects.select_for_update().get(pk=survey.pk)
    if not survey_is_accepting(survey):
        raise ValidationError("This pulse is closed; answers are no longer accepted.")
    areas = set(ResponsibilityArea.objects.values_list("id", flat=True))
    if set(answers) != areas:
        raise ValidationError("Answer every area of the matrix.")
    for owner, rating in answers.values():
        if owner not in OwnerSide.values:
            raise ValidationError("Choose employer, shared or employee for every area.")
        if rating is not None and not 1 <= rating <= 5:
            raise ValidationError("Ratings go from 1 (badly) to 5 (very well).")
    AlignmentAnswer.objects.filter(survey=survey, person=person).delete()
    AlignmentAnswer.objects.bulk_create(
        AlignmentAnswer(
            survey=survey, person=person, area_id=area_id, believed_owner=owner, rating=rating
        )
        for area_id, (owner, rating) in answers.items()
    )
    cache.inputs_changed(cache.PULSES)
    return len(answers)
