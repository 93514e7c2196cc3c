"""Reads for learners and their reviewers."""

from django.db.models import Count, F, Q, QuerySet

from pathways.models import Enrollment, StepProgress
from upskill.models import Person


def enrollments_for_person(person: Person) -> QuerySet[Enrollment]:
    """The person's enrolments with steps done / total, in one query."""
    return (
        Enrollment.objects.filter(person=person)
        .select_related("pathway")
        .annotate(
            total_steps=Count(
                "pathway__steps", filter=Q(pathway__steps__is_archived=False), distinct=True
            ),
            done_steps=Count(
                "progress",
                filter=Q(
                    progress__status=StepProgress.Status.APPROVED,
                    progress__step__is_archived=False,
                ),
                distinct=True,
            ),
        )
        .order_by(F("due_date").asc(nulls_last=True), "pathway__title")
    )
