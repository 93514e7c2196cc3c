"""The eight areas of the shared model, with a starting RACI (admins refine it in the app)."""

from django.db import migrations

AREAS = [
    # key, name, owner side, description, {party: letter}
    (
        "strategic-direction",
        "Strategic direction",
        "employer",
        "Why the company is investing in AI skills, which outcomes matter, and where AI fits the strategy.",
        {"leadership": "A", "ld": "R", "manager": "C", "employee": "I"},
    ),
    (
        "foundational-enablement",
        "Foundational enablement",
        "employer",
        "AI literacy for everyone, ethics guidance, and learning pathways for each role.",
        {"leadership": "I", "ld": "A", "manager": "R", "employee": "C"},
    ),
    (
        "learning-infrastructure",
        "Learning infrastructure",
        "employer",
        "Protected learning time, tools, coaching and safe sandboxes to practise in.",
        {"leadership": "A", "ld": "R", "manager": "R", "employee": "I"},
    ),
    (
        "organisational-context",
        "Organisational context",
        "employer",
        "How AI fits our products, services and value streams, so learning lands on real work.",
        {"leadership": "C", "ld": "R", "manager": "A", "employee": "C"},
    ),
    (
        "active-participation",
        "Active participation",
        "employee",
        "Taking part in the pathway: doing the steps, practising on your own product, asking for coaching.",
        {"leadership": "I", "ld": "C", "manager": "R", "employee": "A"},
    ),
    (
        "continuous-learning",
        "Continuous learning mindset",
        "employee",
        "Experimenting, keeping skills current, and improving how the team works with AI.",
        {"leadership": "I", "ld": "C", "manager": "R", "employee": "A"},
    ),
    (
        "feedback-and-insight",
        "Feedback and insight",
        "employee",
        "Telling L&D and leaders what helps on real work and what does not; sharing what you learn.",
        {"leadership": "I", "ld": "R", "manager": "C", "employee": "A"},
    ),
    (
        "career-alignment",
        "Career alignment",
        "employee",
        "Connecting AI skills to your own role, ambitions and development plan.",
        {"leadership": "I", "ld": "C", "manager": "R", "employee": "A"},
    ),
]


def seed(apps, schema_editor):
    Area = apps.get_model("responsibilities", "ResponsibilityArea")
    Raci = apps.get_model("responsibilities", "RaciAssignment")
    for position, (key, name, side, description, letters) in enumerate(AREAS, start=1):
        area, created = Area.objects.get_or_create(
            key=key,
            defaults={
                "name": name,
                "owner_side": side,
                "description": description,
                "position": position,
            },
        )
        if created:
            Raci.objects.bulk_create(
                Raci(area=area, party=party, letter=letter) for party, letter in letters.items()
            )


class Migration(migrations.Migration):
    dependencies = [("responsibilities", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
