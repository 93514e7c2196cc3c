"""Commitment fulfilment and the check-ins that feed it."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from responsibilities import periods, selectors, services
from responsibilities.forms import (
    CheckInForm,
    FulfilmentFilterForm,
)
from responsibilities.models import Commitment
from responsibilities.views.pulse import nudge_context
from upskill import access, notifications
from upskill.forms import validation_error_onto_form
from upskill.http import HtmxHttpRequest
from upskill.models import Team
from upskill.paging import page_of, page_of_counted
from upskill.replica import reads_from_replica


@reads_from_replica
@require_GET
@login_required
def fulfilment(request: HtmxHttpRequest):
    """Delivered / target per commitment and period. Leaders and admins start from an
    overview of their teams (a page of them, found by name when there are many) and
    open one; employees see their own team's."""
    team_ids = selectors.fulfilment_team_ids(request.user)
    if not team_ids:
        raise PermissionDenied
    form = FulfilmentFilterForm(request.GET)
    data = form.cleaned_data if form.is_valid() else {}
    query = data.get("q", "")
    # A handful of teams is a choice in a list (one query for them all); more are found
    # by name, a page of the overview at a time.
    choices = None
    if len(team_ids) <= selectors.TEAM_CHOICES_MAX:
        choices = list(selectors.fulfilment_teams(request.user))
    slug = data.get("team")
    team = None
    if slug and choices is not None:
        team = next((t for t in choices if t.slug == slug), None)
    elif slug:
        team = selectors.fulfilment_teams(request.user).filter(slug=slug).first()
    today = timezone.localdate()
    context = {"team_count": len(team_ids), "team_choices": choices, "team": team, "query": query}
    if team is None and len(team_ids) > 1:
        # Either way one query, for the same page of any organisation: the teams listed
        # already (a name search in Python), or a page of all with its count.
        if choices is not None:
            found = [t for t in choices if query.casefold() in t.name.casefold()]
            page = page_of(found, request, per_page=selectors.TEAMS_PER_PAGE)
        else:
            page = page_of_counted(
                selectors.fulfilment_teams(request.user, name_contains=query),
                request,
                per_page=selectors.TEAMS_PER_PAGE,
            )
        commitments, overview = selectors.fulfilment_overview(list(page.object_list), today=today)
        context |= {
            "is_overview": True,
            "commitments": commitments,
            "overview": overview,
            "page": page,
        }
    else:
        team = team or choices[0]
        context |= {
            "team": team,
            "rows": selectors.team_fulfilment(team, today=today),
            "can_record": access.can_act_for_team(request.user, team),
        }
    if request.htmx:
        response = render(
            request, "responsibilities/fulfilment/fulfilment.html#fulfilment-table", context
        )
        _along_with(request, response)
        return response
    return render(request, "responsibilities/fulfilment/fulfilment.html", context)


def _along_with(request: HtmxHttpRequest, response) -> None:
    """What My learning's commitments panel brings along as out-of-band swaps, so the
    page makes one request after it loads instead of three: with `nudge=1` the pulse
    nudge, with `bell=1` the notification bell."""
    if request.GET.get("nudge") == "1":
        response.write(
            render_to_string(
                "responsibilities/pulse/_nudge_oob.html", nudge_context(request), request=request
            )
        )
    if request.GET.get("bell") == "1":
        response.write(notifications.bell_html(request, oob=True))


def _team_fulfilment_url(team: Team, commitment: Commitment) -> str:
    """Back to the team the check-in was recorded from (not the all-teams overview),
    at the commitment's row."""
    query = urlencode({"team": team.slug})
    return f"{reverse('responsibilities:fulfilment')}?{query}#c{commitment.pk}-t{team.pk}"


def _check_in_context(commitment: Commitment, team: Team, form: CheckInForm):
    starts = periods.recent_period_starts(commitment.period, 6, timezone.localdate())
    return {
        "commitment": commitment,
        "team": team,
        "back_url": _team_fulfilment_url(team, commitment),
        "form": form,
        "period_choices": [(s, periods.period_label(s, commitment.period)) for s in starts],
    }


@require_http_methods(["GET", "POST"])
@login_required
def check_in_record(request: HtmxHttpRequest, pk: int, team_pk: int):
    """The accountable party records what was delivered for one team and period."""
    commitment = get_object_or_404(Commitment.objects.prefetch_related("teams"), pk=pk)
    team = get_object_or_404(Team, pk=team_pk)
    if not access.can_act_for_team(request.user, team):
        raise PermissionDenied
    if commitment.computed_from or not services.commitment_applies_to(commitment, team):
        raise Http404("This commitment takes no check-ins for this team.")
    teams = Team.objects.filter(pk=team.pk)
    if request.method == "POST":
        form = CheckInForm(request.POST, teams=teams)
        if form.is_valid():
            try:
                services.check_in_record(
                    commitment=commitment,
                    team=form.cleaned_data["team"],
                    period_start=form.cleaned_data["period_start"],
                    value=form.cleaned_data["value"],
                    note=form.cleaned_data["note"],
                    recorded_by=request.user,
                )
            except ValidationError as exc:
                validation_error_onto_form(form, exc)
            else:
                messages.success(request, f"Recorded {commitment.title} for {team}.")
                return redirect(_team_fulfilment_url(team, commitment))
    else:
        start = periods.period_start(timezone.localdate(), commitment.period)
        form = CheckInForm(teams=teams, initial={"team": team, "period_start": start})
    return render(
        request,
        "responsibilities/fulfilment/check_in_form.html",
        _check_in_context(commitment, team, form),
    )
