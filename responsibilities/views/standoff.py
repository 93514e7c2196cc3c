"""The standoff score, for leaders and admins."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from responsibilities import selectors
from upskill import access
from upskill.decorators import dashboard_required
from upskill.http import HtmxHttpRequest
from upskill.replica import reads_from_replica


@reads_from_replica
@require_GET
@dashboard_required
def standoff(request: HtmxHttpRequest):
    teams = list(access.visible_teams(request.user).order_by("name"))
    surveys = list(selectors.pulses_taken())
    scores = selectors.standoff_scores(teams=teams, surveys=surveys)
    return render(
        request,
        "responsibilities/standoff/standoff.html",
        {"series": [(team, scores[team.pk]) for team in teams], "surveys": surveys},
    )
