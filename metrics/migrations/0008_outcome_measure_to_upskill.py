"""OutcomeMeasure now belongs to upskill (upskill 0004) and the pathways it is targeted
by to Pathway.targeted_measures (pathways 0004). Metrics forgets its own copy.

State only for the schema: the tables metrics_outcomemeasure and
metrics_outcomemeasure_pathways stay, with their rows, as the new models' tables, and
the observation's foreign key column (measure_id) already points at that table.

One data step: the content type of the measure is renamed from metrics to upskill, so
its permissions (and L&D admins' grants of them) and its audit-trail entries follow the
model instead of being orphaned. On a fresh database there is nothing to rename yet
(content types are created after migrating). If the new label's content type
exists already (`migrate upskill` run first), the one with the history replaces it.
"""

import django.db.models.deletion
from django.db import migrations, models


def _content_type_move(apps, *, old: str, new: str) -> None:
    ContentType = apps.get_model("contenttypes", "ContentType")
    moving = ContentType.objects.filter(app_label=old, model="outcomemeasure")
    if not moving.exists():
        return  # a fresh database: content types are created after migrating
    # A `migrate upskill` run on its own (or a reversal) may already have created the
    # new label's content type after migrating; the old one carries the history, so it
    # replaces the empty newcomer.
    ContentType.objects.filter(app_label=new, model="outcomemeasure").delete()
    moving.update(app_label=new)


def content_type_to_upskill(apps, schema_editor):
    _content_type_move(apps, old="metrics", new="upskill")


def content_type_to_metrics(apps, schema_editor):
    _content_type_move(apps, old="upskill", new="metrics")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("metrics", "0007_activity_created_at_btree"),
        ("pathways", "0004_pathway_targeted_measures"),
        ("upskill", "0004_outcome_measure_from_metrics"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.AlterField(
                    model_name="outcomeobservation",
                    name="measure",
                    field=models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="observations",
                        to="upskill.outcomemeasure",
                    ),
                ),
                migrations.RemoveField(model_name="outcomemeasure", name="pathways"),
                migrations.DeleteModel(name="OutcomeMeasure"),
            ],
        ),
        migrations.RunPython(content_type_to_upskill, content_type_to_metrics),
    ]
