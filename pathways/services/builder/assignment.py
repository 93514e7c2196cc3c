"""Assigning published pathways to teams, job roles and people; standing rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from pathways import notifications as pathway_notifications
from pathways.models import (
    Enrollment,
    Pathway,
    PathwayAssignment,
)
from upskill.models import JobRole, Person, Team
from upskill.services.audit import MAX_LISTED, audit_action, audit_record

# --- Assignment -------------------------------------------------------------------------


@dataclass(frozen=True)
class AssignmentResult:
    enrolled: int
    already_enrolled: int
    due_dates_moved: int = 0


def _enrol(
    pathway: Pathway, person_ids: Iterable[int], *, due_date, assigned_by, move_due_dates=False
) -> AssignmentResult:
    """Enrol whoever of `person_ids` is not enrolled yet. Set-based, and safe to re-run:
    existing enrolments (and their progress) are left as they are, and so are their due
    dates unless `move_due_dates` (then unfinished ones take the new due date)."""
    person_ids = set(person_ids)
    existing = set(
        Enrollment.objects.filter(pathway=pathway, person_id__in=person_ids).values_list(
            "person_id", flat=True
        )
    )
    Enrollment.objects.bulk_create(
        [
            Enrollment(
                person_id=person_id,
                pathway=pathway,
                source=Enrollment.Source.ASSIGNED,
                assigned_by=assigned_by,
                due_date=due_date,
            )
            for person_id in sorted(person_ids - existing)
        ],
        ignore_conflicts=True,  # a concurrent run may enrol the same person first
    )
    pathway_notifications.enrolments_notify(pathway_id=pathway.pk, person_ids=person_ids - existing)
    moved = 0
    if move_due_dates and existing:
        moved = (
            Enrollment.objects.filter(
                pathway=pathway, person_id__in=existing, completed_at__isnull=True
            )
            .exclude(due_date=due_date)
            .update(due_date=due_date)
        )
    return AssignmentResult(
        enrolled=len(person_ids - existing), already_enrolled=len(existing), due_dates_moved=moved
    )


def _require_published(pathway: Pathway) -> None:
    if pathway.status != Pathway.Status.PUBLISHED:
        raise ValidationError("Only a published pathway can be assigned; publish it first.")


@transaction.atomic
def pathway_assign(
    *,
    pathway: Pathway,
    assigned_by: AbstractBaseUser | None,
    team: Team | None = None,
    include_subteams: bool = True,
    job_role: JobRole | None = None,
    people: Iterable[Person] = (),
    due_date: dt.date | None = None,
    move_due_dates: bool = False,
) -> AssignmentResult:
    """Assign a published pathway to a team (standing rule), a job role (standing rule)
    or chosen people (one-off), and enrol everyone it covers now. With `move_due_dates`,
    people it covers who are already enrolled (and not finished) take the new due date.
    One audit entry, with the counts."""
    people = list(people)
    with audit_action(subject=pathway):
        result = _assign(
            pathway, assigned_by, team, include_subteams, job_role, people, due_date,
            move_due_dates,
        )  # fmt: skip
        changes = {"due date": [None, due_date.isoformat() if due_date else "none"]}
        if team:
            whom = f"the team {team}" + (" and its sub-teams" if include_subteams else "")
        elif job_role:
            whom = f"the job role {job_role}"
        else:
            whom = f"{len(people)} chosen {'person' if len(people) == 1 else 'people'}"
            changes["people"] = [None, _names(people)]
        moved = f", {result.due_dates_moved} due dates moved" if result.due_dates_moved else ""
        audit_record(
            pathway,
            summary=f"Assigned “{pathway}” to {whom}: {result.enrolled} enrolled, "
            f"{result.already_enrolled} already enrolled{moved}",
            changes=changes,
        )
    return result


def _names(people: list[Person]) -> str:
    names = sorted(str(person) for person in people)
    more = len(names) - MAX_LISTED
    return ", ".join(names[:MAX_LISTED]) + (f" and {more} more" if more > 0 else "")


def _assign(
    pathway, assigned_by, team, include_subteams, job_role, people, due_date, move_due_dates
) -> AssignmentResult:
    _require_published(pathway)
    people = list(people)
    chosen = sum(1 for target in (team, job_role, people) if target)
    if chosen != 1:
        raise ValidationError("Choose one of: a team, a job role, or some people.")
    if due_date is not None and due_date < timezone.localdate():
        raise ValidationError({"due_date": "The due date has already passed."})
    if people:
        return _enrol(
            pathway,
            (p.pk for p in people),
            due_date=due_date,
            assigned_by=assigned_by,
            move_due_dates=move_due_dates,
        )
    lookup = {"team": team} if team else {"job_role": job_role}
    rule, created = PathwayAssignment.objects.get_or_create(
        pathway=pathway,
        **lookup,
        defaults={
            "include_subteams": include_subteams,
            "due_date": due_date,
            "created_by": assigned_by,
        },
    )
    if not created:
        rule.include_subteams = include_subteams
        rule.due_date = due_date
        rule.save(update_fields=["include_subteams", "due_date"])
    return pathway_assignments_apply(assignments=[rule], move_due_dates=move_due_dates)


def pathway_assignment_remove(*, assignment: PathwayAssignment) -> None:
    """Stop the standing rule; people it already enrolled stay enrolled."""
    assignment.delete()


def pathway_assignments_apply(
    *,
    assignments: Iterable[PathwayAssignment] | None = None,
    person_ids: Iterable[int] | None = None,
    move_due_dates: bool = False,
) -> AssignmentResult:
    """Enrol everyone the standing rules cover (all rules of published pathways, or the
    given ones). Safe to re-run at any time: it only adds missing enrolments. Run hourly
    by beat (pathways.tasks) and by `manage.py apply_pathway_assignments`, so people who
    join a team or take a role later — through the app or the Django admin — are
    enrolled by the next run. With `person_ids`, only those people are considered: HR
    sync and SCIM call it so for the people they provision, in their own transaction
    (a query per rule, whatever the number of people)."""
    if assignments is None:
        assignments = PathwayAssignment.objects.filter(
            pathway__status=Pathway.Status.PUBLISHED
        ).select_related("pathway")
    assignments = list(assignments)
    tree_needed = any(a.team_id and a.include_subteams for a in assignments)
    team_rows = list(Team.objects.values_list("id", "parent_id")) if tree_needed else []
    enrolled = already = moved = 0
    for rule in assignments:
        if rule.pathway.status != Pathway.Status.PUBLISHED:
            continue
        if rule.team_id:
            team_ids = (
                _subtree(rule.team_id, team_rows) if rule.include_subteams else {rule.team_id}
            )
            people = Person.objects.filter(team_id__in=team_ids)
        else:
            people = Person.objects.filter(job_role_id=rule.job_role_id)
        if person_ids is not None:
            people = people.filter(pk__in=person_ids)
        people = people.filter(user__is_active=True)  # never enrol a leaver
        result = _enrol(
            rule.pathway,
            people.values_list("id", flat=True),
            due_date=rule.due_date,
            assigned_by=rule.created_by,
            move_due_dates=move_due_dates,
        )
        enrolled += result.enrolled
        already += result.already_enrolled
        moved += result.due_dates_moved
    return AssignmentResult(enrolled=enrolled, already_enrolled=already, due_dates_moved=moved)


def _subtree(root_id: int, team_rows: list[tuple[int, int | None]]) -> set[int]:
    children: dict[int | None, list[int]] = {}
    for team_id, parent_id in team_rows:
        children.setdefault(parent_id, []).append(team_id)
    seen, stack = set(), [root_id]
    while stack:
        team_id = stack.pop()
        if team_id not in seen:
            seen.add(team_id)
            stack.extend(children.get(team_id, ()))
    return seen
