"""Cached impact estimates: what the impact job (metrics.services.impact) writes and
the dashboard and planner read."""

from django.db import models
from django.db.models import Q

from pathways.models import Pathway
from upskill.models import OutcomeMeasure


class ImpactEstimate(models.Model):
    """A cached impact estimate: one outcome measure, one pathway (null = any pathway),
    one team scope, one rollup state. Written only by the impact job
    (metrics.services.impact); pages read it and never compute one.

    `fingerprint` names the rollup state and the settings the estimate was made from
    (metrics.services.impact.impact_fingerprint): after the next rollup the page looks
    for a new fingerprint, says "being computed" until the job has written it, and the
    job then drops the rows of older fingerprints. `result` is the JSON of
    `python manage.py impact_report --json` for this measure."""

    scope_key = models.CharField(max_length=64, help_text="SHA-256 of the scope's team ids")
    team_ids = models.JSONField(help_text="The scope's teams, so a refresh can recompute it")
    pathway = models.ForeignKey(
        Pathway, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    measure = models.ForeignKey(OutcomeMeasure, on_delete=models.CASCADE, related_name="+")
    fingerprint = models.CharField(max_length=64)
    result = models.JSONField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # Two partial indexes because NULLs are distinct in a plain unique index.
            models.UniqueConstraint(
                fields=["scope_key", "pathway", "measure", "fingerprint"],
                condition=Q(pathway__isnull=False),
                name="impact_unique_pathway_estimate",
            ),
            models.UniqueConstraint(
                fields=["scope_key", "measure", "fingerprint"],
                condition=Q(pathway__isnull=True),
                name="impact_unique_any_pathway_estimate",
            ),
        ]
        indexes = [models.Index(fields=["scope_key", "fingerprint"], name="impact_scope_state")]

    def __str__(self) -> str:
        pathway = self.pathway or "any pathway"
        return f"impact of {pathway} on {self.measure.key} ({self.scope_key[:8]})"
