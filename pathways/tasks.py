from celery import shared_task

from pathways.services import builder as services


@shared_task(acks_late=True)  # idempotent: a re-run only adds enrolments still missing
def pathway_assignments_apply() -> int:
    """Enrol people who joined an assigned team or took an assigned role since the last
    run (beat, hourly). Returns how many were enrolled."""
    return services.pathway_assignments_apply().enrolled
