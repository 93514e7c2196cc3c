"""Immutable external keys on people and teams: `Person.employee_id`, `Team.external_id`.

Both are unique and never null. Existing rows get a placeholder (`unkeyed-…`, see
upskill.models.UNKEYED_PREFIX), derived from the primary key so the migration is
deterministic; the first HR sync or SCIM provisioning that names the same email (people)
or team name (teams) adopts the row and sets the real key. Added nullable, filled, then
made unique: a callable default on AddField is evaluated once for all rows."""

from django.db import migrations, models

import upskill.models


def fill_keys(apps, schema_editor):
    Person = apps.get_model("upskill", "Person")
    Team = apps.get_model("upskill", "Team")
    people = list(Person.objects.only("pk"))
    for person in people:
        person.employee_id = f"unkeyed-p{person.pk}"
    Person.objects.bulk_update(people, ["employee_id"], batch_size=1000)
    teams = list(Team.objects.only("pk"))
    for team in teams:
        team.external_id = f"unkeyed-t{team.pk}"
    Team.objects.bulk_update(teams, ["external_id"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("upskill", "0004_outcome_measure_from_metrics")]

    operations = [
        migrations.AddField(
            model_name="person",
            name="employee_id",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.AddField(
            model_name="team",
            name="external_id",
            field=models.CharField(max_length=64, null=True, verbose_name="team id"),
        ),
        migrations.AddField(
            model_name="person",
            name="left_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="team",
            name="removed_on",
            field=models.DateField(blank=True, null=True),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="person",
            name="employee_id",
            field=models.CharField(
                default=upskill.models.unkeyed_id,
                help_text="The HR system's immutable employee id; HR sync and SCIM key people on it, never on email (an email change keeps the same person).",
                max_length=64,
                unique=True,
            ),
        ),
        migrations.AlterField(
            model_name="team",
            name="external_id",
            field=models.CharField(
                default=upskill.models.unkeyed_id,
                help_text="The HR system's immutable team id; HR sync and SCIM key teams on it.",
                max_length=64,
                unique=True,
                verbose_name="team id",
            ),
        ),
    ]
