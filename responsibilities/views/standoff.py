"""The standoff score, for leaders and admins."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from responsibilities import selectors
from responsibilities.forms import TeamSearchForm
from upskill import access
from upskill.decorators import dashboard_required
from upskill.http import HtmxHttpRequest
from upskill.paging import page_of
from upskill.replica import reads_from_replica


@reads_from_replica
@require_GET
@dashboard_required
def standoff(request: HtmxHttpRequest):
    """Each of the user's teams' score at each pulse: a page of teams at a time (an L&D
    admin's 2,000 at 50,000 people), found by name."""
    form = TeamSearchForm(request.GET)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    teams = access.visible_teams(request.user).order_by("name", "pk")
    if query:
        teams = teams.filter(name__icontains=query)
    page = page_of(teams, request, per_page=selectors.TEAMS_PER_PAGE)
    teams = list(page.object_list)
    surveys = list(selectors.pulses_taken())
    scores = selectors.standoff_scores(teams=teams, surveys=surveys)
    return render(
        request,
        "responsibilities/standoff/standoff.html",
        {
            "series": [(team, scores[team.pk]) for team in teams],
            "surveys": surveys,
            "page": page,
            "query": query,
        },
    )
