from django.conf import settings
from django.http import StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from metrics import selectors
from upskill.decorators import dashboard_required
from upskill.http import HtmxHttpRequest


@require_GET
@dashboard_required
def dashboard(request: HtmxHttpRequest):
    """Outcomes first, attendance second, for the teams the user may see (filters in the
    URL, so a view can be bookmarked and shared)."""
    filters, teams, pathways = selectors.dashboard_filters(request.user, request.GET)
    board = selectors.dashboard(request.user, filters, teams)
    template = "metrics/dashboard.html"
    if request.htmx:
        template += "#dashboard-body"
    return render(
        request,
        template,
        {
            "board": board,
            "filters": filters,
            "teams": teams,
            "pathways": pathways,
            "min_group_size": settings.MIN_GROUP_SIZE,
        },
    )


@require_GET
@dashboard_required
def dashboard_export(request: HtmxHttpRequest):
    """The dashboard's rollups as CSV: the chosen team's subtree (else every visible
    team), range and pathway; suppressed figures blanked."""
    filters, teams, _pathways = selectors.dashboard_filters(request.user, request.GET)
    team_ids = selectors.scope_team_ids(filters, teams)
    response = StreamingHttpResponse(
        selectors.rollup_export_lines(team_ids, filters), content_type="text/csv"
    )
    response["Content-Disposition"] = 'attachment; filename="upskill-rollups.csv"'
    return response
