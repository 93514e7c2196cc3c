import json

from django.core.management.base import BaseCommand, CommandError

from metrics import selectors, services
from metrics.models import RollupState
from pathways.models import Pathway
from upskill import access
from upskill.models import OutcomeMeasure, Team


class Command(BaseCommand):
    help = (
        "Print the impact estimates (staggered difference-in-differences) of the outcome "
        "measures: for every team, or the --team's subtree, and any pathway or --pathway. "
        "Uses the estimates cached for the current rollup state, computing them first if "
        "the job has not run yet."
    )

    def add_arguments(self, parser):
        parser.add_argument("--measure", help="One outcome measure's key (default: all).")
        parser.add_argument("--pathway", help="A pathway's slug (default: any pathway).")
        parser.add_argument("--team", help="A team's slug: it and the teams below it.")
        parser.add_argument(
            "--json",
            action="store_true",
            help="One JSON object per measure (an array when --measure is not given).",
        )

    def handle(self, *args, measure=None, pathway=None, team=None, json=False, **options):
        measures = list(OutcomeMeasure.objects.order_by("name"))
        if measure:
            measures = [m for m in measures if m.key == measure]
            if not measures:
                keys = ", ".join(
                    OutcomeMeasure.objects.order_by("key").values_list("key", flat=True)
                )
                raise CommandError(f"There is no measure {measure!r}; choose one of: {keys}.")
        chosen_pathway = None
        if pathway:
            chosen_pathway = Pathway.objects.filter(slug=pathway).first()
            if chosen_pathway is None:
                raise CommandError(f"There is no pathway {pathway!r}.")
        if team:
            root = Team.objects.filter(slug=team).first()
            if root is None:
                raise CommandError(f"There is no team {team!r}.")
            team_ids = set(access.subtree_team_ids([root.pk]))
        else:
            team_ids = set(Team.objects.values_list("id", flat=True))
        services.impact_estimates_compute(
            team_ids=sorted(team_ids), pathway_id=chosen_pathway.pk if chosen_pathway else None
        )
        state = RollupState.objects.filter(pk=1).first()
        estimates = selectors.impact_estimates(
            team_ids=team_ids,
            pathway=chosen_pathway,
            measures=measures,
            generation=state.generation if state else 0,
        )
        reports = [selectors.impact_report_json(v.result) for v in estimates.views.values()]
        if json:
            self.stdout.write(_dumps(reports[0] if measure else reports))
            return
        for view in estimates.views.values():
            if view.state == "ok":
                line = view.sentence
                if view.pre_trend_failed:
                    line += f" Warning: the pre-trend test failed (p = {view.pre_trend_text})."
                line += f" Smallest detectable effect: {view.mde_text}."
            else:
                line = f"{view.measure.name}: not enough data yet: {view.reason}."
            self.stdout.write(line)


def _dumps(value) -> str:
    return json.dumps(value, indent=2)
