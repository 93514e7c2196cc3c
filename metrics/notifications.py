"""The metrics side's nudges, through upskill's notification service: an import
finished or failed (to the L&D admin who uploaded it), and the leaders' weekly digest
(with a summary per team for teams that post to a chat channel).

The digest's figures go through the privacy layer (upskill.privacy) as the pages do:
each per-team count of people is a cell, shown only when published (no totals are shown
beside the parts, so none can be worked out by subtraction), commitments come from the
fulfilment selector (which suppresses computed figures for small teams) and standoff
scores from the standoff selector (no perception gap for fewer respondents).
Registered as a due job in MetricsConfig.ready()."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from metrics.models import ImportRun
from pathways.models import Enrollment, StepProgress
from responsibilities.models import AlignmentSurvey
from responsibilities.selectors import commitments_for_teams, fulfilment_rows, standoff_scores
from upskill import access, notifications, privacy
from upskill.models import Notification, NotificationPreference, Team, TeamChatPost

Kind = Notification.Kind


def import_run_notify(*, import_run_id: int) -> int:
    """Tell the uploader their import finished, or failed or was refused, once per outcome."""
    run = ImportRun.objects.filter(pk=import_run_id).first()
    finished = (ImportRun.Status.DONE, ImportRun.Status.FAILED, ImportRun.Status.REJECTED)
    if run is None or run.created_by_id is None or run.status not in finished:
        return 0
    name = run.original_name or f"import #{run.pk}"
    if run.status == ImportRun.Status.DONE:
        subject = f"Import finished: {name}"
        body = f"{run.rows_inserted:,} rows imported, {run.rows_duplicate:,} already there."
    else:
        subject = f"Import {run.get_status_display().lower()}: {name}"
        body = "Open the import to see why; nothing was written."
    return int(
        notifications.notification_create(
            recipient_id=run.created_by_id,
            kind=Kind.IMPORT_FINISHED,
            key=f"import:{run.pk}:{run.status}",
            subject=subject,
            body=body,
            url=reverse("metrics:import_run", args=[run.pk]),
        )
    )


def _shown(people: int) -> str:
    return f"{people}" if privacy.is_published(people) else "fewer than the minimum group"


def digest_lines(*, team_ids: set[int], data: dict, reviews: bool = True) -> list[str]:
    """The digest's lines for a set of teams. `reviews=False` (a team's chat channel,
    read by the whole team, not only by reviewers) leaves out the evidence waiting."""
    lines = []
    for team in data["teams"]:
        if team.pk not in team_ids:
            continue
        learning = data["learning"].get(team.pk, 0)
        completed = data["completed"].get(team.pk, 0)
        parts = []
        if learning:
            parts.append(f"people learning: {_shown(learning)}")
        if completed:
            parts.append(f"pathways completed this week by: {_shown(completed)}")
        if parts:
            lines.append(f"{team.name} — " + "; ".join(parts))
    if reviews:
        waiting = sum(n for t, n in data["waiting"].items() if t in team_ids)
        lines.append(f"Evidence waiting for review: {waiting}")
    behind = [
        f"{row.commitment.title} ({row.team.name})"
        for row in data["fulfilment"]
        if row.team.pk in team_ids and row.latest.state == "behind"
    ]
    lines.append("Commitments behind: " + ("; ".join(behind) if behind else "none"))
    for team_pk, series in data["standoff"].items():
        if team_pk not in team_ids or len(series) < 2:
            continue
        before, now = series[-2].score, series[-1].score
        team = series[-1].team
        if before is None or now is None:
            lines.append(f"Standoff score, {team.name}: not enough answers to show a move")
        else:
            lines.append(f"Standoff score, {team.name}: {before} → {now} ({now - before:+d})")
    return lines


def _digest_data(now: dt.datetime) -> dict:
    """Everything every leader's digest needs, set-based: a constant number of queries."""
    week_ago = now - dt.timedelta(days=7)
    teams = list(Team.objects.order_by("name"))
    team_ids = [t.pk for t in teams]
    learning = dict(
        Enrollment.objects.filter(completed_at__isnull=True, person__user__is_active=True)
        .values("person__team_id")
        .annotate(n=Count("person", distinct=True))
        .order_by()
        .values_list("person__team_id", "n")
    )
    completed = dict(
        Enrollment.objects.filter(completed_at__gte=week_ago)
        .values("person__team_id")
        .annotate(n=Count("person", distinct=True))
        .order_by()
        .values_list("person__team_id", "n")
    )
    waiting = dict(
        StepProgress.objects.filter(status=StepProgress.Status.SUBMITTED)
        .values("enrollment__person__team_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("enrollment__person__team_id", "n")
    )
    commitments = list(commitments_for_teams(team_ids))
    fulfilment = fulfilment_rows(
        teams=teams, commitments=commitments, today=timezone.localdate(now), count=2
    )
    surveys = list(AlignmentSurvey.objects.exclude(status="draft").order_by("-created_at")[:2])
    standoff = standoff_scores(teams=teams, surveys=surveys[::-1]) if len(surveys) == 2 else {}
    return {
        "teams": teams,
        "learning": learning,
        "completed": completed,
        "waiting": waiting,
        "fulfilment": fulfilment,
        "standoff": standoff,
    }


def leader_digests_notify(now: dt.datetime) -> int:
    """The due job: each active leader's digest for this ISO week, unless they turned it
    off, and its team summary for each team posting to a chat channel. Computed only
    when someone does not have this week's yet."""
    year, week, _ = timezone.localdate(now).isocalendar()
    led: dict[int, set[int]] = defaultdict(set)
    for team_id, user_ids in access.leaders_by_team().items():
        for user_id in user_ids:
            led[user_id].add(team_id)
    off = set(
        NotificationPreference.objects.filter(user_id__in=list(led), digest=False).values_list(
            "user_id", flat=True
        )
    )
    keys = {
        user_id: f"digest:{user_id}:{year}-W{week:02d}" for user_id in led if user_id not in off
    }
    done = set(Notification.objects.filter(key__in=keys.values()).values_list("key", flat=True))
    due = {user_id: key for user_id, key in keys.items() if key not in done}
    team_keys = {
        team_id: f"digest:team:{team_id}:{year}-W{week:02d}"
        for team_id in notifications.chat_team_ids()
    }
    posted = set(
        TeamChatPost.objects.filter(key__in=team_keys.values()).values_list("key", flat=True)
    )
    team_due = {team_id: key for team_id, key in team_keys.items() if key not in posted}
    if not due and not team_due:
        return 0
    data = _digest_data(now)
    children: dict[int | None, list[int]] = defaultdict(list)
    names = {}
    for team in data["teams"]:
        children[team.parent_id].append(team.pk)
        names[team.pk] = team.name

    def lines(root_ids: set[int], *, reviews: bool = True) -> str:
        team_ids = set(access.descendants(root_ids, children))
        return "\n".join(digest_lines(team_ids=team_ids, data=data, reviews=reviews))

    url = reverse("metrics:dashboard")
    notifications.team_chat_posts_create(
        drafts=[
            notifications.TeamChatPostDraft(
                team_id=team_id,
                kind=Kind.DIGEST,
                key=key,
                subject=f"{names[team_id]}: the weekly Upskill digest (week {week})",
                body=lines({team_id}, reviews=False),
                url=url,
            )
            for team_id, key in team_due.items()
            if team_id in names
        ]
    )
    drafts = [
        notifications.NotificationDraft(
            recipient_id=user_id,
            kind=Kind.DIGEST,
            key=key,
            subject=f"Your weekly Upskill digest (week {week})",
            body=lines(led[user_id]),
            url=url,
        )
        for user_id, key in due.items()
    ]
    return notifications.notifications_create(drafts=drafts)
