"""The dashboard's filters (team, pathway, date range) and the team tree they pick from."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django import forms
from django.utils import timezone

from pathways.models import Pathway
from upskill import access
from upskill.models import Team

DEFAULT_WEEKS = 26
MAX_WEEKS = 156


class DashboardFilterForm(forms.Form):
    team = forms.SlugField(required=False)
    pathway = forms.SlugField(required=False)
    start = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    end = forms.DateField(required=False, input_formats=["%Y-%m-%d"])

    def __init__(self, *args, teams: dict[str, Team], pathways: dict[str, Pathway], **kwargs):
        super().__init__(*args, **kwargs)
        self.teams, self.pathways = teams, pathways

    def clean_team(self):
        slug = self.cleaned_data["team"]
        if slug and slug not in self.teams:
            raise forms.ValidationError(
                f"There is no team {slug!r} among the teams you can see; showing all of them."
            )
        return self.teams.get(slug)

    def clean_pathway(self):
        slug = self.cleaned_data["pathway"]
        if slug and slug not in self.pathways:
            raise forms.ValidationError(f"There is no pathway {slug!r}; showing all pathways.")
        return self.pathways.get(slug)

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError("The start date is after the end date; swap them.")
        if start and end and (end - start).days > MAX_WEEKS * 7:
            raise forms.ValidationError(f"Choose a range of at most {MAX_WEEKS} weeks.")
        return data


@dataclass
class DashboardFilters:
    team: Team | None
    pathway: Pathway | None
    start: dt.date
    end: dt.date
    errors: list[str] = field(default_factory=list)
    # The dates asked for, when they were snapped to whole ISO weeks (start to its
    # Monday, end to its Sunday): period figures are sums of whole published weeks, so
    # two ranges differ only by whole published weeks.
    asked: tuple[dt.date, dt.date] | None = None
    # The user sees every team (an L&D admin): queries then name no team ids (2,256 of
    # them bound into a statement cost more than the statement, at 50,000 people).
    all_teams: bool = False

    @property
    def snapped_note(self) -> str:
        if self.asked is None:
            return ""
        start, end = self.asked
        return (
            f"Showing whole weeks, {self.start:%-d %b %Y} to {self.end:%-d %b %Y} "
            f"(you chose {start:%-d %b %Y} to {end:%-d %b %Y}): figures are by week."
        )

    def query(self) -> dict[str, str]:
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.team:
            params["team"] = self.team.slug
        if self.pathway:
            params["pathway"] = self.pathway.slug
        return params


def dashboard_filters(user, params) -> tuple[DashboardFilters, list[Team], list[Pathway]]:
    """Parse the URL's filters against what the user may see. Bad values give a message
    and fall back to the default, never an error page. Two queries: teams, pathways."""
    teams = list(access.visible_teams(user).order_by("name"))
    pathways = list(Pathway.objects.exclude(status=Pathway.Status.DRAFT).order_by("title"))
    form = DashboardFilterForm(
        params,
        teams={t.slug: t for t in teams},
        pathways={p.slug: p for p in pathways},
    )
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    errors = [message for messages in form.errors.values() for message in messages]
    today = timezone.localdate()
    end = data.get("end") if "__all__" not in form.errors else None
    start = data.get("start") if "__all__" not in form.errors else None
    asked_for = bool(start or end)
    end = end or today
    start = start or end - dt.timedelta(weeks=DEFAULT_WEEKS)
    monday = start - dt.timedelta(days=start.weekday())
    sunday = end + dt.timedelta(days=6 - end.weekday())
    filters = DashboardFilters(
        team=data.get("team"),
        pathway=data.get("pathway"),
        start=monday,
        end=sunday,
        errors=errors,
        asked=(start, end) if asked_for and (monday, sunday) != (start, end) else None,
        all_teams=access.is_ld_admin(user),
    )
    return filters, teams, pathways


def team_children(teams: list[Team]) -> dict[int | None, list[Team]]:
    children: dict[int | None, list[Team]] = defaultdict(list)
    for team in teams:
        children[team.parent_id].append(team)
    return children


def team_subtree(root: Team, children: dict[int | None, list[Team]]) -> set[int]:
    ids = {parent: [team.pk for team in kids] for parent, kids in children.items()}
    return set(access.descendants([root.pk], ids))


def scope_team_ids(filters: DashboardFilters, teams: list[Team]) -> set[int]:
    """The chosen team's subtree among the visible teams, else every visible team."""
    if filters.team is None:
        return {t.pk for t in teams}
    return team_subtree(filters.team, team_children(teams))
