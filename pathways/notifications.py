"""The pathways side's nudges, created through upskill's notification service:
enrolled or assigned, due in 7 days, overdue (weekly, at most 3 times), evidence waiting
for review (to the reviewer), evidence reviewed, recognised by a colleague.

Bodies never quote evidence: they name the step and link to the page that acts on it.
Each key names its event, so a re-run, a redelivered task or a second worker creates
nothing new. Registered as a due job in PathwaysConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db.models import Q
from django.urls import reverse

from pathways.models import Enrollment, Recognition, StepProgress
from upskill import access, notifications
from upskill.models import Notification, Person, Team

Kind = Notification.Kind
DUE_SOON_DAYS = 7
OVERDUE_NOTICES = 3  # the day after the due date, then weekly: at most three
ENROLMENTS_PER_BATCH = 2000


def _my_learning() -> str:
    return reverse("pathways:my_learning")


def enrolments_notify(*, pathway_id: int, person_ids: Iterable[int]) -> int:
    """Tell each newly enrolled person (assigned or self-enrolled), with the due date."""
    rows = Enrollment.objects.filter(pathway_id=pathway_id, person_id__in=list(person_ids)).values(
        "pk", "due_date", "source", "person__user_id", "pathway__title"
    )
    drafts = []
    for row in rows:
        due = f" It is due on {row['due_date']:%-d %B %Y}." if row["due_date"] else ""
        how = "You were assigned" if row["source"] == Enrollment.Source.ASSIGNED else "You joined"
        drafts.append(
            notifications.NotificationDraft(
                recipient_id=row["person__user_id"],
                kind=Kind.ENROLLED,
                key=f"enrolled:{row['pk']}",
                subject=f"{how} the pathway “{row['pathway__title']}”",
                body=f"{how} “{row['pathway__title']}”.{due}",
                url=_my_learning(),
            )
        )
    return notifications.notifications_create(drafts=drafts)


def _reviewer_user_ids(person: Person) -> list[int]:
    """Who reviews a person's evidence: their manager; without one, the leaders of the
    nearest team up the tree that has active leaders (access.can_review lets both)."""
    if person.manager_id:
        manager = Person.objects.filter(pk=person.manager_id).values_list("user_id", flat=True)
        return list(manager)
    parents = dict(Team.objects.values_list("id", "parent_id"))
    leaders = access.leaders_by_team()
    team_id = person.team_id
    while team_id is not None:
        found = [u for u in leaders.get(team_id, []) if u != person.user_id]
        if found:
            return found
        team_id = parents.get(team_id)
    return []


def evidence_submitted_notify(*, progress: StepProgress) -> int:
    """Tell the reviewer evidence is waiting (a resubmission is a new event)."""
    enrollment = progress.enrollment
    person = enrollment.person
    url = reverse("pathways:review", args=[progress.pk])
    drafts = [
        notifications.NotificationDraft(
            recipient_id=user_id,
            kind=Kind.REVIEW_WAITING,
            key=f"review_waiting:{progress.pk}:{progress.submitted_at:%Y%m%dT%H%M%S%f}:{user_id}",
            subject=f"{person.display_name} submitted evidence for review",
            body=f"“{progress.step.title}” in “{enrollment.pathway.title}” is waiting for you.",
            url=url,
        )
        for user_id in _reviewer_user_ids(person)
    ]
    return notifications.notifications_create(drafts=drafts)


def evidence_reviewed_notify(*, progress: StepProgress) -> int:
    """Tell the learner the outcome: approved at a level, or changes requested with the
    reviewer's comment (the comment is the reviewer's words, not the evidence)."""
    enrollment = progress.enrollment
    step_url = reverse("pathways:step", args=[enrollment.pathway.slug, progress.step.key])
    if progress.status == StepProgress.Status.APPROVED:
        subject = f"Approved: “{progress.step.title}” at level {progress.rubric_level}"
        body = f"Your evidence was approved at rubric level {progress.rubric_level} of 4."
    else:
        subject = f"Changes requested: “{progress.step.title}”"
        body = f"Your reviewer asks for changes: {progress.review_comment}"
    return int(
        notifications.notification_create(
            recipient_id=enrollment.person.user_id,
            kind=Kind.REVIEW_OUTCOME,
            key=f"review_outcome:{progress.pk}:{progress.reviewed_at:%Y%m%dT%H%M%S%f}",
            subject=subject,
            body=body,
            url=step_url,
        )
    )


def recognition_notify(*, recognition: Recognition) -> int:
    return int(
        notifications.notification_create(
            recipient_id=recognition.to_person.user_id,
            kind=Kind.RECOGNISED,
            key=f"recognised:{recognition.pk}",
            subject=f"{recognition.from_person.display_name} recognised you for "
            f"{recognition.get_behaviour_display().lower()}",
            body="See it with your other recognitions.",
            url=reverse("pathways:recognition"),
        )
    )


def due_dates_notify(now: dt.datetime) -> int:
    """The due job: "due in 7 days" once per due date, and "overdue" the day after it and
    then weekly, at most three times; nothing once the pathway is completed, and a moved
    due date starts afresh (the keys name the due date). Dates are in each person's time
    zone. Queries per batch of enrolments are constant: the enrolments, their time
    zones, the active users and existing keys, one insert."""
    site_today = now.date()
    # Every zone is within a day of UTC's date, so this window holds every candidate.
    window = Q(due_date__lte=site_today + dt.timedelta(days=DUE_SOON_DAYS + 1)) & Q(
        due_date__gte=site_today - dt.timedelta(days=7 * OVERDUE_NOTICES + 1)
    )
    candidates = (
        Enrollment.objects.filter(window, completed_at__isnull=True, person__user__is_active=True)
        .order_by("pk")
        .values_list("pk", "due_date", "person__user_id", "pathway__title")
    )
    created, last_pk = 0, 0
    while True:
        batch = list(candidates.filter(pk__gt=last_pk)[:ENROLMENTS_PER_BATCH])
        if not batch:
            return created
        last_pk = batch[-1][0]
        zones = notifications.time_zones_of({row[2] for row in batch})
        drafts = []
        for pk, due_date, user_id, title in batch:
            today = notifications.local_date(now, zones[user_id])
            days_left = (due_date - today).days
            if 0 < days_left <= DUE_SOON_DAYS:
                drafts.append(
                    notifications.NotificationDraft(
                        recipient_id=user_id,
                        kind=Kind.DUE_SOON,
                        key=f"due_soon:{pk}:{due_date}",
                        subject=f"“{title}” is due on {due_date:%-d %B}",
                        body=f"{days_left} days left to finish “{title}”.",
                        url=_my_learning(),
                    )
                )
            elif days_left < 0:
                notice = (-days_left - 1) // 7  # 0 on days 1-7 overdue, 1 on 8-14, ...
                if notice < OVERDUE_NOTICES:
                    drafts.append(
                        notifications.NotificationDraft(
                            recipient_id=user_id,
                            kind=Kind.OVERDUE,
                            key=f"overdue:{pk}:{due_date}:{notice}",
                            subject=f"“{title}” is overdue",
                            body=f"It was due on {due_date:%-d %B %Y}.",
                            url=_my_learning(),
                        )
                    )
        created += notifications.notifications_create(drafts=drafts)
