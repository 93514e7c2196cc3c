from django.shortcuts import render
from django.views.decorators.http import require_GET

from upskill import access
from upskill.decorators import dashboard_required
from upskill.http import HtmxHttpRequest


@require_GET
@dashboard_required
def dashboard(request: HtmxHttpRequest):
    """Placeholder until the outcome-metrics issue: names the teams the user may see."""
    teams = access.visible_teams(request.user).order_by("name")
    return render(request, "metrics/dashboard.html", {"teams": teams})
