"""The demo's outcome story has an organisation-wide trend, better teams starting first
and a real staggered effect (demo/outcomes.py); the dashboard's impact estimate must
find what the seed planted, where a before/after comparison would not."""

import io
import json

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from demo.organisation import ADMIN_USERNAME
from demo.outcomes import PLANTED_CYCLE_TIME_EFFECT
from metrics import services
from metrics.services.impact_did import MIN_PRE_WEEKS
from upskill.models import OutcomeMeasure, Team

pytestmark = pytest.mark.usefixtures("eager_celery")


@pytest.fixture
def seeded(db, django_capture_on_commit_callbacks):
    # The seed's rollup queues the impact job after commit; it runs here, eagerly.
    with django_capture_on_commit_callbacks(execute=True):
        call_command("seed_demo", stdout=io.StringIO())


def planted_cycle_time_days() -> float:
    """What the seed planted, in days, averaged as the estimate averages it: over the
    team-weeks of treated teams from their treatment week (each cycle time there is
    (1 - effect) of what it would have been, so the effect is value x (1 - 1/(1 - e)))."""
    team_ids = list(Team.objects.values_list("id", flat=True))
    measure = OutcomeMeasure.objects.get(key="cycle_time_days")
    panel, weeks = services.impact_panels(team_ids, None, [measure])[measure.key]
    planted = []
    for row, adopted in zip(panel.outcome, panel.adoption, strict=True):
        if np.isfinite(adopted) and MIN_PRE_WEEKS <= adopted < len(weeks):
            after = row[int(adopted) :]
            planted.extend(after[np.isfinite(after)] * (1 - 1 / (1 - PLANTED_CYCLE_TIME_EFFECT)))
    return float(np.mean(planted))


def test_the_dashboard_shows_an_estimate_whose_interval_covers_what_the_seed_planted(
    client, seeded
):
    planted = planted_cycle_time_days()
    client.force_login(get_user_model().objects.get(username=ADMIN_USERNAME))

    response = client.get("/dashboard/")

    view = response.context["impact"].views["cycle_time_days"]
    assert view.state == "ok"
    low, high = view.estimate["ci95"]
    assert low <= planted <= high < 0
    assert view.estimate["treated_teams"] >= 3
    assert view.estimate["comparison_teams"] >= 3
    html = response.content.decode()
    assert "Cycle time fell by" in html
    assert 'data-impact-chart="cycle_time_days"' in html


def test_the_command_reports_the_same_interval(seeded):
    out = io.StringIO()
    call_command("impact_report", "--measure", "cycle_time_days", "--json", stdout=out)
    report = json.loads(out.getvalue())

    low, high = report["estimate"]["ci95"]
    assert low <= planted_cycle_time_days() <= high
