"""OutcomeMeasure moves from metrics to upskill: the organisation's vocabulary of
measures, which pathways target and metrics observes.

State only: the table metrics_outcomemeasure (created by metrics 0001 and seeded by
metrics 0002) stays where it is, rows and ids unchanged; the model keeps it as its
db_table. metrics 0008 then points its foreign key here and forgets its own copy.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("upskill", "0003_access_denials")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[],
            state_operations=[
                migrations.CreateModel(
                    name="OutcomeMeasure",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("key", models.SlugField(max_length=60, unique=True)),
                        ("name", models.CharField(max_length=120)),
                        ("unit", models.CharField(blank=True, max_length=40)),
                        (
                            "direction",
                            models.CharField(
                                choices=[
                                    ("lower", "Lower is better"),
                                    ("higher", "Higher is better"),
                                ],
                                max_length=8,
                            ),
                        ),
                        ("description", models.TextField(blank=True)),
                    ],
                    options={"db_table": "metrics_outcomemeasure", "ordering": ["name"]},
                ),
            ],
        ),
    ]
