"""Standing assignment rules: "everyone in this team (and below) / with this role takes
this pathway". A rule is kept after it is applied so that people who join the team or
take the role later are enrolled by the next run of `pathway_assignments_apply`."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from pathways.models.structure import Pathway
from upskill.models import JobRole, Team


class PathwayAssignment(models.Model):
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="assignments")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="pathway_assignments"
    )
    include_subteams = models.BooleanField(
        default=True, help_text="Also enrol the people in every team below this one."
    )
    job_role = models.ForeignKey(
        JobRole,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="pathway_assignments",
    )
    due_date = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(team__isnull=False) & Q(job_role__isnull=True))
                | (Q(team__isnull=True) & Q(job_role__isnull=False)),
                name="assignment_team_xor_job_role",
            ),
            # One standing rule per team or role per pathway: re-assigning updates it.
            models.UniqueConstraint(
                fields=["pathway", "team"],
                condition=Q(team__isnull=False),
                name="assignment_unique_team",
            ),
            models.UniqueConstraint(
                fields=["pathway", "job_role"],
                condition=Q(job_role__isnull=False),
                name="assignment_unique_job_role",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pathway} → {self.audience}"

    @property
    def audience(self) -> str:
        if self.team_id:
            return f"team {self.team}" + (" and its sub-teams" if self.include_subteams else "")
        return f"everyone with the role {self.job_role}"
