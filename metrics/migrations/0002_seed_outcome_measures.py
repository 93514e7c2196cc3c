from django.db import migrations

MEASURES = [
    (
        "cycle_time_days",
        "Cycle time",
        "days",
        "lower",
        "Median days from starting a piece of work to delivering it.",
    ),
    (
        "quality_score",
        "Quality",
        "score 0-100",
        "higher",
        "Share of work passing review or QA first time, as a 0-100 score.",
    ),
    (
        "customer_satisfaction",
        "Customer outcomes",
        "CSAT 1-5",
        "higher",
        "Customer satisfaction with the team's work.",
    ),
    (
        "confidence",
        "Confidence using AI",
        "rating 1-5",
        "higher",
        "People's self-rated confidence using AI in their own work.",
    ),
]


def seed(apps, schema_editor):
    Measure = apps.get_model("metrics", "OutcomeMeasure")
    for key, name, unit, direction, description in MEASURES:
        Measure.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "unit": unit,
                "direction": direction,
                "description": description,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("metrics", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
