"""The leaders' outcome dashboard, its CSV export and the impact planner."""

import csv
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from metrics import forms, selectors, services
from upskill.decorators import dashboard_required, ld_admin_required
from upskill.http import HtmxHttpRequest
from upskill.paging import page_of
from upskill.replica import reads_from_replica

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
ROLLOUT_ROWS_PER_PAGE = 100


@reads_from_replica
@require_GET
@dashboard_required
def dashboard(request: HtmxHttpRequest):
    """Outcomes first, attendance second, for the teams the user may see (filters in the
    URL, so a view can be bookmarked and shared)."""
    filters, teams, pathways = selectors.dashboard_filters(request.user, request.GET)
    board = selectors.dashboard(filters, teams)
    impact = selectors.impact_estimates(
        team_ids=selectors.scope_team_ids(filters, teams),
        pathway=filters.pathway,
        measures=[card.measure for card in board.cards],
        generation=board.freshness.generation,
    )
    if impact.missing:  # never computed inline: the job is queued, the page says so
        services.impact_estimates_request(team_ids=impact.team_ids, pathway=filters.pathway)
    template = "metrics/dashboard/dashboard.html"
    if request.htmx:
        template += "#dashboard-body"
    return render(
        request,
        template,
        {
            "board": board,
            "impact": impact,
            "impact_cards": list(zip(board.cards, impact.views.values(), strict=True)),
            "filters": filters,
            "teams": teams,
            "pathways": pathways,
            "min_group_size": settings.MIN_GROUP_SIZE,
        },
    )


@reads_from_replica
@require_GET
@dashboard_required
def dashboard_export(request: HtmxHttpRequest):
    """The dashboard's rollups as CSV: the chosen team's subtree (else every visible
    team), range and pathway; suppressed figures blanked."""
    filters, teams, _pathways = selectors.dashboard_filters(request.user, request.GET)
    team_ids = selectors.scope_team_ids(filters, teams)
    response = StreamingHttpResponse(
        selectors.rollup_export_lines(team_ids, filters), content_type=CSV_CONTENT_TYPE
    )
    response["Content-Disposition"] = 'attachment; filename="upskill-rollups.csv"'
    return response


@require_GET
@ld_admin_required
def impact_planner(request: HtmxHttpRequest):
    """For L&D admins planning a rollout: per measure, the teams and weeks of history and
    the smallest effect a staggered rollout could detect; and a randomised rollout
    order for an assignment wave (a seeded shuffle), as a table or CSV (?format=csv)."""
    form = forms.RolloutOrderForm(request.GET or None)
    pathway, seed = None, 1
    if form.is_bound and form.is_valid():
        pathway = form.cleaned_data["pathway"]
        seed = form.cleaned_data["seed"] if form.cleaned_data["seed"] is not None else 1
    team_ids = selectors.all_team_ids()
    rows, missing = selectors.impact_planner(
        team_ids=team_ids,
        measures=selectors.outcome_measures(),
        generation=selectors.rollup_generation(),
    )
    if missing:  # never computed inline: the job is queued, the page says so
        services.impact_estimates_request(team_ids=team_ids, pathway=None)
    order = selectors.rollout_order(
        team_names=selectors.rollout_candidates(team_ids=team_ids, pathway=pathway), seed=seed
    )
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="upskill-rollout-order.csv"'
        writer = csv.writer(response)
        writer.writerow(["position", "team", "wave"])
        writer.writerows(
            (position, selectors.spreadsheet_safe(team), wave) for position, team, wave in order
        )
        return response
    return render(
        request,
        "metrics/planner/impact_planner.html",
        {
            "form": form,
            "rows": rows,
            "missing": missing,
            "order": order,
            # The table shows a page of the order (2,000 teams at 50,000 people); the CSV
            # has all of it.
            "order_page": page_of(order, request, per_page=ROLLOUT_ROWS_PER_PAGE),
            "seed": seed,
            "pathway": pathway,
            "csv_query": urlencode(
                {"seed": seed, "format": "csv", **({"pathway": pathway.slug} if pathway else {})}
            ),
            "min_group_size": settings.MIN_GROUP_SIZE,
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )
