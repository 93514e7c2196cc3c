"""The audit trail writes ONE entry per user action — an import, an HR sync, a bulk
assignment, a duplicated pathway, a RACI row — however many rows it touched (before,
an import wrote four, a RACI edit four deletions and nothing of the new letters, and an
HR sync or a reorder nothing); it names people and objects (never an id, never
`AlignmentAnswer.None`); and it shows times in the site's zone to the minute."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from auditlog.models import LogEntry
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from metrics.models import ImportRun
from pathways import services as pathway_services
from pathways.models import Pathway, Stage
from responsibilities.models import ResponsibilityArea
from tests.factories import (
    CONFIRMED,
    JobRoleFactory,
    LDAdminFactory,
    PathwayFactory,
    PersonFactory,
    ProductFactory,
    StepFactory,
    TeamFactory,
)
from tests.metrics.csv_files import ACTIVITY_HEADER
from tests.pathways.factories import publishable_pathway
from tests.upskill.test_hr_sync import PEOPLE, TEAMS
from upskill.models import HrSyncRun
from upskill.selectors import PAGE_SIZE

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_celery")]

MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$")
# An object given by its id where its name belongs (how foreign keys were shown).
REFERENCE_AS_ID = (
    r"\b(pathway|stage|area|team|product|competency|created by|job role|measure|actor): #?\d+\b"
)


@pytest.fixture
def admin_client(client, ld_admin, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    client.force_login(ld_admin)
    return client


class Trail:
    """The entries one action wrote (compared with before it), and the audit page rows."""

    def __init__(self, client):
        self.client = client
        self.mark = self._last()

    @staticmethod
    def _last() -> int:
        return LogEntry.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    def since(self) -> list[LogEntry]:
        entries = list(LogEntry.objects.filter(pk__gt=self.mark).order_by("pk"))
        self.mark = self._last()
        return entries

    def one(self) -> LogEntry:
        entries = self.since()
        assert len(entries) == 1, [(e.object_repr, e.changes) for e in entries]
        return entries[0]

    def rows(self, **params) -> list[dict]:
        html = self.client.get("/audit/", params).content.decode()
        return [
            {"when": when, "datetime": iso, "who": who, "what": what, "detail": detail}
            for iso, when, who, what, detail in re.findall(
                r'<tr><td><time datetime="([^"]+)">([^<]+)</time></td><td>(.*?)</td>'
                r'<td>(.*?)</td><td class="small">(.*?)</td></tr>',
                html,
                flags=re.S,
            )
        ]

    def row(self) -> dict:
        return self.rows()[0]


@pytest.fixture
def trail(admin_client):
    return Trail(admin_client)


def assert_named(row: dict) -> None:
    """No id where a name belongs, no reverse relation, no microseconds."""
    text = row["what"] + " " + row["detail"]
    assert ".None" not in text
    assert not re.search(REFERENCE_AS_ID, row["detail"]), row["detail"]
    assert not re.search(r"\d{2}:\d{2}:\d{2}", text), text  # seconds (and so microseconds)
    assert MOMENT.match(row["when"]), row["when"]
    assert row["who"] == "Lena Admin"


# --- The pathway builder ------------------------------------------------------------------


def test_creating_a_pathway_with_products_and_roles_is_one_entry_naming_them(admin_client, trail):
    product = ProductFactory(name="Helpdesk")
    role = JobRoleFactory(name="Support agent")
    trail.since()
    admin_client.post(
        "/pathways/new/",
        {"title": "Support with AI", "products": [product.pk], "target_roles": [role.pk]},
    )
    entry = trail.one()  # was three: the pathway, then each many-to-many field
    assert entry.content_type.model == "pathway"
    row = trail.row()
    assert row["what"] == "Created pathway “Support with AI”"
    assert "products: added Helpdesk" in row["detail"]
    assert "target roles: added Support agent" in row["detail"]
    assert "status: Draft" in row["detail"]  # a choice by its label
    assert "created at" not in row["detail"]
    assert "id:" not in row["detail"]
    assert_named(row)


def test_duplicating_a_pathway_is_one_entry_listing_what_was_copied(admin_client, trail):
    pathway = publishable_pathway(title="Reply faster")
    trail.since()
    admin_client.post(f"/pathways/{pathway.pk}/duplicate/")
    copy = Pathway.objects.exclude(pk=pathway.pk).get()
    entry = trail.one()  # was 1 + every stage and step copied
    assert (entry.content_type.model, entry.object_pk) == ("pathway", str(copy.pk))
    row = trail.row()
    assert row["what"] == (
        f"Duplicated pathway “Reply faster” as “{copy.title}”: 3 stages, 4 steps"
    )
    assert f"created stages: {copy.title}: Foundations, {copy.title}: Practice" in row["detail"]
    assert_named(row)


def test_a_long_list_of_objects_shows_the_first_five_and_counts_the_rest(trail, ld_admin):
    pathway = PathwayFactory(title="Many steps")
    stage = Stage.objects.create(pathway=pathway, title="Only", kind="foundation", position=1)
    for n in range(8):
        StepFactory(stage=stage, key=f"s{n}", title=f"Step {n}")
    trail.since()
    pathway_services.pathway_duplicate(pathway=pathway)
    assert trail.one().changes["created steps"]["count"] == 8
    listed = ", ".join(f"s{n}: Step {n}" for n in range(5))
    assert f"created steps: {listed} and 3 more" in trail.row()["detail"]


def test_the_duplicate_service_writes_one_entry_outside_a_request_too(trail):
    pathway = publishable_pathway()
    trail.since()
    pathway_services.pathway_duplicate(pathway=pathway)
    entry = trail.one()
    assert entry.additional_data["merged"] == 1 + 3 + 4


def test_reordering_stages_and_steps_is_recorded_once_each(admin_client, trail):
    pathway = publishable_pathway(title="Order matters")
    practice = pathway.stages.get(kind=Stage.Kind.PRACTICE)
    StepFactory(stage=practice, key="second", title="Second practice")
    foundation = pathway.stages.get(kind=Stage.Kind.FOUNDATION)
    steps = list(foundation.steps.order_by("position").values_list("pk", flat=True))
    trail.since()
    admin_client.post(f"/pathways/stages/{foundation.pk}/steps/order/", {"step": steps[::-1]})
    entry = trail.one()  # was none: positions are bulk-updated
    assert entry.content_type.model == "stage"
    row = trail.row()
    assert row["what"] == "Reordered the steps of the stage “Order matters: Foundations”"
    assert row["detail"] == "new order: Ethics, The basics"
    stages = list(pathway.stages.order_by("position").values_list("pk", flat=True))
    admin_client.post(f"/pathways/{pathway.pk}/stages/order/", {"stage": stages})
    assert trail.one().object_pk == str(pathway.pk)
    assert trail.row()["what"] == "Reordered the stages of “Order matters”"


def test_a_step_with_prerequisites_and_a_stage_deleted_with_its_steps_are_one_entry_each(
    admin_client, trail
):
    pathway = publishable_pathway()
    practice = pathway.stages.get(kind=Stage.Kind.PRACTICE)
    basics = pathway.steps.get(key="basics")
    trail.since()
    admin_client.post(
        f"/pathways/stages/{practice.pk}/steps/new/",
        {"title": "Try it", "key": "try-it", "kind": "learn", "stage": practice.pk,
         "estimated_minutes": "20", "prerequisites": [basics.pk]},
    )  # fmt: skip
    trail.one()
    assert "prerequisites: added basics: The basics" in trail.row()["detail"]
    extra = Stage.objects.create(pathway=pathway, title="Extra", kind="coaching", position=9)
    StepFactory(stage=extra, key="x1", title="X1")
    StepFactory(stage=extra, key="x2", title="X2")
    trail.since()
    admin_client.post(f"/pathways/stages/{extra.pk}/delete/", CONFIRMED)
    entry = trail.one()
    assert entry.action == LogEntry.Action.DELETE
    row = trail.row()
    assert row["what"] == f"Deleted the stage “{pathway.title}: Extra” and its 2 steps"
    assert re.search(r"deleted steps: (x1: X1, x2: X2|x2: X2, x1: X1)$", row["detail"])
    assert "description" not in row["detail"]  # empty: nothing to say


def test_assigning_to_a_team_or_to_chosen_people_is_one_entry_with_the_counts(admin_client, trail):
    pathway = publishable_pathway(status="published", title="Prompting")
    team = TeamFactory(name="Help Centre")
    PersonFactory.create_batch(3, team=team)
    trail.since()
    admin_client.post(
        f"/pathways/{pathway.pk}/assign/",
        {"audience": "team", "team": team.pk, "include_subteams": "on"},
    )
    trail.one()
    row = trail.row()
    assert row["what"] == (
        "Assigned “Prompting” to the team Help Centre and its sub-teams: 3 enrolled, "
        "0 already enrolled"
    )
    assert "created pathway assignments: Prompting → team Help Centre" in row["detail"]
    people = [
        PersonFactory(user__first_name="Ada", user__last_name="Lovelace"),
        PersonFactory(user__first_name="Alan", user__last_name="Turing"),
    ]
    trail.since()
    admin_client.post(
        f"/pathways/{pathway.pk}/assign/",
        {"audience": "people", "people": [p.pk for p in people]},
    )
    trail.one()  # was none: enrolments are not tracked one by one
    row = trail.row()
    assert row["what"] == "Assigned “Prompting” to 2 chosen people: 2 enrolled, 0 already enrolled"
    assert "people: Ada Lovelace, Alan Turing" in row["detail"]
    assert_named(row)


# --- Shared responsibility ---------------------------------------------------------------


def test_a_raci_row_edit_is_one_entry_with_each_partys_letter_before_and_after(admin_client, trail):
    area = ResponsibilityArea.objects.get(key="strategic-direction")
    before = dict(area.raci_assignments.values_list("party", "letter"))
    assert (before["leadership"], before["ld"]) == ("A", "R")
    trail.since()
    admin_client.post(
        f"/responsibilities/areas/{area.pk}/raci/",
        {"leadership": "R", "ld": "A", "manager": before.get("manager", ""), "employee": ""},
    )
    entry = trail.one()  # was four: every row deleted (and the new ones not at all)
    assert entry.content_type.model == "responsibilityarea"
    row = trail.row()
    assert row["what"] == "Changed the RACI row of “Strategic direction”"
    assert "Leadership: A → R; L&amp;D: R → A" in row["detail"]
    assert_named(row)


def test_a_new_area_and_a_commitment_with_teams_are_one_entry_each(admin_client, trail):
    team = TeamFactory(name="Payments Ops")
    admin_client.post(
        "/responsibilities/areas/new/",
        {"name": "Sandbox safety", "owner_side": "shared", "leadership": "A", "ld": "R"},
    )
    trail.one()
    row = trail.row()
    assert row["what"] == "Added the area “Sandbox safety”"
    assert "RACI: Leadership A, L&amp;D R" in row["detail"]
    assert "raci assignments" not in row["detail"].lower()
    area = ResponsibilityArea.objects.get(name="Sandbox safety")
    admin_client.post(
        f"/responsibilities/areas/{area.pk}/commitments/new/",
        {"party": "ld", "title": "Sandbox hours", "target": "2", "unit": "hours",
         "period": "week", "direction": "at_least", "teams": [team.pk]},
    )  # fmt: skip
    trail.one()  # was two: the commitment, then its teams
    row = trail.row()
    assert "teams: added Payments Ops" in row["detail"]
    assert "area: Sandbox safety" in row["detail"]  # by name, not its id
    assert_named(row)


def test_a_pulse_names_its_author_and_gives_its_times_in_the_site_zone_to_the_minute(
    admin_client, trail, settings
):
    settings.TIME_ZONE = "Europe/London"
    closes = timezone.localtime() + dt.timedelta(days=3)
    admin_client.post(
        "/responsibilities/pulse/open/",
        {"title": "Spring pulse", "closes_at": closes.strftime("%Y-%m-%dT%H:%M")},
    )
    entry = trail.one()
    assert "answers" not in entry.changes  # a reverse relation: AlignmentAnswer.None before
    row = trail.row()
    assert f"closes at: {closes:%Y-%m-%d %H:%M}" in row["detail"]
    assert "created by: Lena Admin" in row["detail"]
    assert_named(row)


# --- Imports and HR sync --------------------------------------------------------------------


def upload(client, capture, body: str, name="activity.csv", kind="activity"):
    with capture(execute=True):
        client.post(
            reverse("metrics:imports"),
            {
                "kind": kind,
                "file": SimpleUploadedFile(name, body.encode(), content_type="text/csv"),
            },
        )
    return ImportRun.objects.latest("pk")


def test_an_import_is_one_entry_when_it_settles_whatever_it_went_through(
    admin_client, trail, team, django_capture_on_commit_callbacks
):
    PersonFactory(team=team, user__email="ana@example.com")
    good = "ana@example.com,2025-03-03,30,attended,,,"
    body = f"{ACTIVITY_HEADER}\n{good}a1\n{good}a2\nnobody@example.com,2025-03-03,30,attended,,,\n"
    run = upload(admin_client, django_capture_on_commit_callbacks, body)
    assert trail.since() == []  # checked and waiting: nothing settled yet
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("metrics:import_run_confirm", args=[run.pk]), {"rows_valid": 2})
    entry = trail.one()  # was four: created, validated, importing, done
    assert (entry.object_pk, entry.actor) == (str(run.pk), run.created_by)
    row = trail.row()
    assert row["what"] == (
        "Imported the activity file “activity.csv”: 2 of 3 rows imported, 0 already there, "
        "1 with errors left out"
    )
    assert row["detail"] == "rows: 3; valid: 2; with errors: 1; imported: 2"
    assert_named(row)

    cancelled = upload(admin_client, django_capture_on_commit_callbacks, body, "again.csv")
    other_admin = LDAdminFactory(first_name="Olga", last_name="Other")
    admin_client.force_login(other_admin)
    admin_client.post(reverse("metrics:import_run_cancel", args=[cancelled.pk]))
    entry = trail.one()
    assert entry.actor == other_admin  # who cancelled it
    assert entry.additional_data["summary"] == (
        "Cancelled the activity import of “again.csv”: nothing was imported"
    )

    upload(admin_client, django_capture_on_commit_callbacks, "team,oops\n", "wrong.csv")
    entry = trail.one()
    assert entry.additional_data["summary"].startswith(
        "Rejected: the activity file “wrong.csv”, nothing was imported. Wrong header"
    )


def test_an_identity_map_load_is_one_entry(admin_client, trail, team):
    PersonFactory(team=team, employee_id="E1")
    admin_client.post(
        reverse("metrics:identity_map"),
        {"file": SimpleUploadedFile("logins.csv", b"employee_id,system,login\nE1,jira,acc-1\n")},
    )
    trail.one()
    assert trail.row()["what"] == (
        "Loaded the identity map “logins.csv”: 1 rows, 1 logins added, 0 ended (passed to "
        "someone else), 0 already known."
    )


def test_an_hr_sync_is_one_entry_with_what_it_changed(
    admin_client, trail, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(
            "/organisation/",
            {"teams_file": SimpleUploadedFile("teams.csv", TEAMS.encode()),
             "people_file": SimpleUploadedFile("people.csv", PEOPLE.encode())},
        )  # fmt: skip
    run = HrSyncRun.objects.get()
    assert run.status == HrSyncRun.Status.PLANNED
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(f"/organisation/syncs/{run.pk}/confirm/")
    run.refresh_from_db()
    assert run.status == HrSyncRun.Status.DONE
    entry = trail.one()  # was none
    assert entry.object_pk == str(run.pk)
    row = trail.row()
    assert row["what"] == f"Applied HR sync #{run.pk} (teams.csv and people.csv)"
    assert "Joiners: 4" in row["detail"]
    assert "New teams: 3" in row["detail"]
    assert_named(row)


# --- The page: times, paging, queries -----------------------------------------------------


def test_times_are_the_site_zones_to_the_minute_in_every_column(
    admin_client, trail, settings, client
):
    settings.TIME_ZONE = "Europe/London"
    PathwayFactory(title="Summer")
    LogEntry.objects.update(timestamp=dt.datetime(2025, 7, 1, 8, 5, 33, 123456, tzinfo=dt.UTC))
    row = trail.row()
    assert row["when"] == "2025-07-01 09:05"  # British Summer Time, no seconds
    assert row["datetime"].startswith("2025-07-01T09:05:33")  # the machine-readable moment
    assert 'When <span class="muted">(Europe/London)</span>' in admin_client.get("/audit/").text


def test_the_trail_pages_fifty_entries_at_a_time(admin_client, trail):
    for n in range(PAGE_SIZE + 1):
        PathwayFactory(title=f"Pathway {n:02}")
    assert len(trail.rows()) == PAGE_SIZE
    html = admin_client.get("/audit/").text
    assert "Page 1 of 2" in html
    assert 'href="?page=2"' in html
    older = trail.rows(page=2)
    assert len(older) == 1
    assert older[0]["what"] == "Created pathway “Pathway 00”"


def test_the_sign_in_log_page_runs_a_constant_number_of_queries(
    admin_client, client, django_assert_num_queries
):
    from axes.models import AccessLog

    people = [PersonFactory() for _ in range(3)]
    for person in people:
        AccessLog.objects.create(username=person.user.username, ip_address="10.0.0.1")
    # session + user + groups (admin check) + person (nav) + count + the page's logs + the
    # names of their usernames (one query) = 7
    with django_assert_num_queries(7):
        page = admin_client.get("/audit/", {"kind": "sign-ins"}).text
    for person in [PersonFactory() for _ in range(20)]:
        AccessLog.objects.create(username=person.user.username, ip_address="10.0.0.2")
    with django_assert_num_queries(7):
        page = admin_client.get("/audit/", {"kind": "sign-ins"}).text
    assert people[0].user.get_full_name() in page


def test_merged_entries_keep_the_changes_page_at_six_queries(
    admin_client, trail, django_assert_num_queries
):
    pathway = publishable_pathway()
    for _ in range(3):
        pathway_services.pathway_duplicate(pathway=pathway)
    # session + user + groups (admin check) + person (nav) + count + the page of entries
    # (actor and content type joined; names stored at write time) = 6
    with django_assert_num_queries(6):
        admin_client.get("/audit/")
    for _ in range(10):
        pathway_services.pathway_duplicate(pathway=pathway)
    with django_assert_num_queries(6):
        rows = trail.rows()
    assert rows[0]["what"].startswith("Duplicated pathway")


def test_every_tracked_reference_to_a_person_is_shown_by_name(settings):
    """A tracked model's foreign key to a user is recorded as the username: it must be
    declared in AUDIT_PEOPLE_FIELDS for the trail to show the person's name."""
    from auditlog.registry import auditlog
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    references = {
        (model._meta.label, field.name)
        for model in auditlog.get_models()
        for field in model._meta.get_fields()
        if field.concrete and field.is_relation and field.related_model is user_model
    }
    declared = {
        (label, name) for label, names in settings.AUDIT_PEOPLE_FIELDS.items() for name in names
    }
    assert references == declared
