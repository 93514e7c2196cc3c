from django.db.models import Count, F, Q, QuerySet

from pathways.models import Enrollment, Pathway, StepProgress
from upskill.models import Person


def pathway_list_with_counts() -> QuerySet[Pathway]:
    """Every pathway with its stage, step, enrolled and completed counts, in one query."""
    return Pathway.objects.annotate(
        stage_count=Count("stages", distinct=True),
        step_count=Count("steps", filter=Q(steps__is_archived=False), distinct=True),
        enrolled_count=Count("enrollments", distinct=True),
        completed_count=Count(
            "enrollments", filter=Q(enrollments__completed_at__isnull=False), distinct=True
        ),
    ).order_by("title")


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
