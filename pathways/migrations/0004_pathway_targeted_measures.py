"""Which outcome measures a pathway targets becomes Pathway.targeted_measures (it was
the reverse side of metrics' OutcomeMeasure.pathways; the measure now lives in upskill).

State only: the join table metrics_outcomemeasure_pathways already has the columns this
side expects (id, pathway_id, outcomemeasure_id), so it is kept as the field's db_table
with its rows. metrics 0008 removes the old side from metrics' state after this runs.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0003_builder"),
        ("upskill", "0004_outcome_measure_from_metrics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AddField(
                    model_name="pathway",
                    name="targeted_measures",
                    field=models.ManyToManyField(
                        blank=True,
                        db_table="metrics_outcomemeasure_pathways",
                        help_text="Outcome measures this pathway aims to move.",
                        related_name="pathways",
                        to="upskill.outcomemeasure",
                    ),
                ),
            ],
        ),
    ]
