"""The pathway builder's pages and htmx endpoints, through the test client."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from pathways import services
from pathways.models import Enrollment, Pathway, PathwayAssignment, Product, RoleRubric, Step
from pathways.tasks import pathway_assignments_apply
from tests.factories import (
    CONFIRMED,
    CompetencyFactory,
    EnrollmentFactory,
    JobRoleFactory,
    PathwayFactory,
    PersonFactory,
    ProductFactory,
    RoleRubricFactory,
    StageFactory,
    StepFactory,
    StepProgressFactory,
    TeamFactory,
)
from tests.pathways.factories import PathwayAssignmentFactory, publishable_pathway

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def keys_in_order(stage) -> list[str]:
    return list(
        stage.steps.filter(is_archived=False).order_by("position").values_list("key", flat=True)
    )


@pytest.fixture
def admin_client(client, ld_admin):
    client.force_login(ld_admin)
    return client


# --- Access -----------------------------------------------------------------------------


def every_builder_request():
    """(method, url) for every builder URL and htmx endpoint, with rows to point at."""
    pathway = publishable_pathway(status=Pathway.Status.PUBLISHED)
    stage = pathway.stages.first()
    step = pathway.steps.first()
    product = ProductFactory()
    role, competency = JobRoleFactory(), CompetencyFactory()
    assignment = PathwayAssignmentFactory(pathway=pathway)
    requests = [
        ("get", reverse("pathways:list")),
        ("get", reverse("pathways:create")),
        ("post", reverse("pathways:create")),
        ("get", reverse("pathways:products")),
        ("post", reverse("pathways:products")),
        ("get", reverse("pathways:product_row", args=[product.pk])),
        ("get", reverse("pathways:product_edit", args=[product.pk])),
        ("post", reverse("pathways:product_edit", args=[product.pk])),
        ("post", reverse("pathways:product_archive", args=[product.pk])),
        ("get", reverse("pathways:rubrics")),
        ("post", reverse("pathways:competency_create")),
        ("get", reverse("pathways:rubric_cell", args=[role.pk, competency.pk])),
        ("get", reverse("pathways:rubric_edit", args=[role.pk, competency.pk])),
        ("post", reverse("pathways:rubric_edit", args=[role.pk, competency.pk])),
        ("post", reverse("pathways:assignment_remove", args=[assignment.pk])),
    ]
    for name in ("editor", "edit", "preview", "assign", "stage_create"):
        requests.append(("get", reverse(f"pathways:{name}", args=[pathway.pk])))
    for name in ("edit", "duplicate", "publish", "archive", "assign", "stage_create"):
        requests.append(("post", reverse(f"pathways:{name}", args=[pathway.pk])))
    requests.append(("post", reverse("pathways:stages_reorder", args=[pathway.pk])))
    for name in ("stage_edit", "step_create"):
        requests.append(("get", reverse(f"pathways:{name}", args=[stage.pk])))
    for name in ("stage_edit", "stage_delete", "step_create", "steps_reorder"):
        requests.append(("post", reverse(f"pathways:{name}", args=[stage.pk])))
    requests.append(("get", reverse("pathways:step_edit", args=[step.pk])))
    for name in ("step_edit", "step_delete", "step_restore"):
        requests.append(("post", reverse(f"pathways:{name}", args=[step.pk])))
    return requests


@pytest.mark.parametrize("who", ["employee", "leader"])
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx"])
def test_non_admins_get_403_on_every_builder_url_and_change_nothing(client, request, who, htmx):
    user = request.getfixturevalue(who)
    client.force_login(user.user if who == "employee" else user)
    requests = every_builder_request()
    before = (Step.objects.count(), Pathway.objects.count(), Product.objects.count())

    for method, url in requests:
        response = getattr(client, method)(url, **(HTMX if htmx else {}))
        assert response.status_code == 403, f"{method.upper()} {url}"

    assert (Step.objects.count(), Pathway.objects.count(), Product.objects.count()) == before
    assert PathwayAssignment.objects.count() == 1


def test_anonymous_users_are_sent_to_sign_in_from_every_builder_url(client):
    for method, url in every_builder_request():
        response = getattr(client, method)(url)
        assert response.status_code == 302, f"{method.upper()} {url}"
        assert response["Location"].startswith("/login/")


# --- Pathways ---------------------------------------------------------------------------


def test_admin_creates_a_draft_pathway_and_lands_in_its_editor(admin_client):
    product = ProductFactory(name="Help Centre")
    response = admin_client.post(
        "/pathways/new/", {"title": "Support with AI", "summary": "", "products": [product.pk]}
    )
    pathway = Pathway.objects.get(title="Support with AI")
    assert response["Location"] == f"/pathways/{pathway.pk}/"
    assert pathway.status == Pathway.Status.DRAFT
    assert list(pathway.products.all()) == [product]
    assert (
        "Created “Support with AI” as a draft"
        in admin_client.get(response["Location"]).content.decode()
    )


def test_creating_a_pathway_without_a_title_rerenders_the_form_and_creates_nothing(admin_client):
    response = admin_client.post("/pathways/new/", {"title": "", "products": ["999999"]})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not Pathway.objects.exists()


def test_admin_edits_the_details_including_targeted_measures(admin_client):
    pathway = PathwayFactory(title="Old", status="draft")
    measure = pathway.targeted_measures.model.objects.first()  # seeded by a migration
    role = JobRoleFactory()
    response = admin_client.post(
        f"/pathways/{pathway.pk}/details/",
        {
            "title": "New",
            "summary": "s",
            "target_roles": [role.pk],
            "targeted_measures": [measure.pk],
        },
    )
    assert response.status_code == 302
    pathway.refresh_from_db()
    assert pathway.title == "New"
    assert list(pathway.targeted_measures.all()) == [measure]
    assert list(pathway.target_roles.all()) == [role]


def test_publishing_an_incomplete_pathway_says_why_and_keeps_it_a_draft(admin_client):
    pathway = publishable_pathway()
    pathway.steps.filter(key="draft").update(product=None)
    response = admin_client.post(f"/pathways/{pathway.pk}/publish/", follow=True)
    html = response.content.decode()
    assert "can&#x27;t be published yet" in html
    assert "“Draft a reply” must name the product" in html
    pathway.refresh_from_db()
    assert pathway.status == Pathway.Status.DRAFT


def test_publishing_a_complete_pathway(admin_client):
    pathway = publishable_pathway()
    response = admin_client.post(f"/pathways/{pathway.pk}/publish/", follow=True)
    assert "Published" in response.content.decode()
    pathway.refresh_from_db()
    assert pathway.status == Pathway.Status.PUBLISHED


def test_duplicating_opens_the_new_draft(admin_client):
    pathway = publishable_pathway(status="published")
    response = admin_client.post(f"/pathways/{pathway.pk}/duplicate/")
    copy = Pathway.objects.exclude(pk=pathway.pk).get()
    assert response["Location"] == f"/pathways/{copy.pk}/"
    assert copy.status == Pathway.Status.DRAFT


def test_archiving_keeps_the_enrolments(admin_client):
    pathway = publishable_pathway(status="published")
    EnrollmentFactory(pathway=pathway)
    admin_client.post(f"/pathways/{pathway.pk}/archive/", CONFIRMED)
    pathway.refresh_from_db()
    assert pathway.status == Pathway.Status.ARCHIVED
    assert pathway.enrollments.count() == 1


# --- The editor -------------------------------------------------------------------------


def test_editor_shows_stages_in_order_with_their_steps_and_the_publishing_check(admin_client):
    pathway = publishable_pathway()
    pathway.steps.filter(key="draft").update(product=None)
    html = admin_client.get(f"/pathways/{pathway.pk}/").content.decode()
    assert html.index("Foundations") < html.index("Practice") < html.index("Coaching")
    assert "No product yet" in html
    assert "Before this pathway can be published" in html
    assert 'src="/static/js/pathway_editor.js"' in html


def test_editor_answers_htmx_with_the_structure_partial_only(admin_client):
    pathway = publishable_pathway()
    html = admin_client.get(f"/pathways/{pathway.pk}/", **HTMX).content.decode()
    assert html.lstrip().startswith('<div id="pathway-structure"')
    assert "<html" not in html


def test_builder_pages_have_no_inline_scripts_or_styles(admin_client):
    pathway = publishable_pathway(status="published")
    for url in (
        f"/pathways/{pathway.pk}/",
        f"/pathways/{pathway.pk}/preview/",
        f"/pathways/{pathway.pk}/assign/",
        "/pathways/",
        "/pathways/products/",
        "/pathways/rubrics/",
    ):
        html = admin_client.get(url).content.decode()
        assert "<script>" not in html
        assert " style=" not in html
        assert "<style" not in html
        assert " onclick=" not in html


def test_adding_a_stage_by_htmx_returns_the_refreshed_structure(admin_client):
    pathway = publishable_pathway()
    response = admin_client.post(
        f"/pathways/{pathway.pk}/stages/new/",
        {"title": "More coaching", "kind": "coaching", "is_sequential": "on"},
        **HTMX,
    )
    html = response.content.decode()
    assert "Added the stage “More coaching”" in html
    assert pathway.stages.filter(title="More coaching", is_sequential=True).exists()


def test_adding_a_stage_with_bad_input_rerenders_the_form_in_place(admin_client):
    pathway = publishable_pathway()
    response = admin_client.post(
        f"/pathways/{pathway.pk}/stages/new/", {"title": "", "kind": "nonsense"}, **HTMX
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#add-stage"
    assert "Select a valid choice" in response.content.decode()
    assert pathway.stages.count() == 3


def _add_step(admin_client, stage, headers, **fields):
    """Post the add-step form of `stage` (a learn step unless `fields` say otherwise)."""
    fields = {"kind": "learn", "stage": stage.pk, **fields}
    return admin_client.post(f"/pathways/stages/{stage.pk}/steps/new/", fields, **headers)


def _edit_basics(admin_client, basics, **changes):
    """Post the edit form of the "basics" step with its own values, changed by `changes`."""
    fields = {
        "title": "The basics",
        "key": "basics",
        "kind": "learn",
        "stage": basics.stage_id,
        "estimated_minutes": 30,
        **changes,
    }
    return admin_client.post(f"/pathways/steps/{basics.pk}/edit/", fields, **HTMX)


def test_adding_a_step_with_a_duplicate_key_shows_the_error_and_adds_nothing(admin_client):
    pathway = publishable_pathway()
    stage = pathway.stages.get(kind="foundation")
    response = _add_step(
        admin_client, stage, HTMX, title="Again", key="draft", estimated_minutes=10
    )
    assert response["HX-Retarget"] == f"#add-step-{stage.pk}"
    assert "already has the key “draft”" in response.content.decode()
    assert pathway.steps.count() == 4


def test_the_add_step_form_of_a_practice_stage_asks_for_the_product_and_refuses_none(
    admin_client,
):
    pathway = publishable_pathway()
    stage = pathway.stages.get(kind="practice")
    form = admin_client.get(f"/pathways/stages/{stage.pk}/steps/new/", **HTMX).text
    # A practice step by default here, with the product beside its kind, said required.
    assert '<option value="practice" selected>' in form
    assert form.index('name="kind"') < form.index('name="product"') < form.index('name="stage"')
    assert "Required for a practice step: the product, service or process" in form

    for headers in (HTMX, {}):
        response = _add_step(
            admin_client,
            stage,
            headers,
            title="Draft 20 real replies",
            kind="practice",
            estimated_minutes=30,
        )
        assert response.status_code == 200
        if headers:
            assert response["HX-Retarget"] == f"#add-step-{stage.pk}"  # the form, in place
        html = response.text
        product_field = html.split(f'for="add-step-{stage.pk}-product"', 1)[1]
        product_field = product_field.split('<div class="field', 1)[0]
        assert "A practice step must name the product, service or process" in product_field
        assert 'value="Draft 20 real replies"' in html  # what was typed is kept
    assert not pathway.steps.filter(title="Draft 20 real replies").exists()


def test_adding_a_step_without_javascript_redirects_back_to_the_editor(admin_client):
    pathway = publishable_pathway()
    stage = pathway.stages.get(kind="practice")
    product = ProductFactory()
    response = _add_step(
        admin_client,
        stage,
        {},
        title="Summarise a ticket",
        key="",
        kind="practice",
        product=product.pk,
        estimated_minutes=45,
        evidence_required="on",
    )
    assert response.status_code == 302
    step = pathway.steps.get(key="summarise-a-ticket")
    assert (step.product, step.evidence_required, step.estimated_minutes) == (product, True, 45)


@pytest.mark.parametrize(
    "data",
    [
        {"estimated_minutes": "lots"},
        {"target_level": "9"},
        {"prerequisites": ["not-a-number"]},
        {"stage": "999999"},
        {"product": "999999"},
    ],
)
def test_nonsense_in_a_step_form_rerenders_it_with_errors_never_a_500(admin_client, data):
    pathway = publishable_pathway()
    step = pathway.steps.get(key="basics")
    response = _edit_basics(admin_client, step, **({"title": "T", "estimated_minutes": 5} | data))
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    step.refresh_from_db()
    assert step.title == "The basics"


def test_editing_a_step_into_a_prerequisite_loop_is_refused_with_a_message(admin_client):
    pathway = publishable_pathway()
    basics, ethics = pathway.steps.get(key="basics"), pathway.steps.get(key="ethics")
    ethics.prerequisites.add(basics)
    response = _edit_basics(admin_client, basics, prerequisites=[ethics.pk])
    assert "That would make a loop" in response.content.decode()
    assert basics.prerequisites.count() == 0


def test_a_prerequisite_from_another_pathway_is_refused(admin_client):
    pathway = publishable_pathway()
    basics = pathway.steps.get(key="basics")
    foreign = StepFactory()
    response = _edit_basics(admin_client, basics, prerequisites=[foreign.pk])
    assert "is in another pathway" in response.content.decode()
    assert basics.prerequisites.count() == 0


def test_moving_a_step_to_another_pathways_stage_is_refused(admin_client):
    pathway = publishable_pathway()
    basics = pathway.steps.get(key="basics")
    response = _edit_basics(admin_client, basics, stage=StageFactory().pk)
    assert response.status_code == 200
    assert 'class="error"' in response.content.decode()
    basics.refresh_from_db()
    assert basics.stage.pathway_id == basics.pathway_id == pathway.pk


def test_the_down_button_moves_a_step_in_one_request(admin_client):
    pathway = publishable_pathway()
    stage = pathway.stages.get(kind="foundation")
    basics, ethics = stage.steps.get(key="basics"), stage.steps.get(key="ethics")
    response = admin_client.post(
        f"/pathways/stages/{stage.pk}/steps/order/",
        {"step": [basics.pk, ethics.pk], "move": f"{basics.pk}:down"},
        **HTMX,
    )
    assert "Saved the order" in response.content.decode()
    assert keys_in_order(stage) == ["ethics", "basics"]


def test_a_dragged_order_is_saved_and_works_without_javascript(admin_client):
    pathway = publishable_pathway()
    stage = pathway.stages.get(kind="foundation")
    ids = list(stage.steps.order_by("position").values_list("pk", flat=True))
    response = admin_client.post(
        f"/pathways/stages/{stage.pk}/steps/order/", {"step": list(reversed(ids))}
    )
    assert response.status_code == 302
    assert keys_in_order(stage) == ["ethics", "basics"]


@pytest.mark.parametrize("bad", ["missing", "foreign", "garbage"])
def test_a_reorder_that_does_not_list_exactly_the_current_steps_is_refused(admin_client, bad):
    pathway = publishable_pathway()
    stage = pathway.stages.get(kind="foundation")
    ids = list(stage.steps.order_by("position").values_list("pk", flat=True))
    posted = {
        "missing": ids[1:],
        "foreign": [*ids, StepFactory().pk],
        "garbage": ["x", *ids],
    }[bad]
    response = admin_client.post(
        f"/pathways/stages/{stage.pk}/steps/order/", {"step": posted[::-1]}, **HTMX
    )
    assert response.status_code == 200
    assert "The pathway changed since you loaded this page; reload it" in response.content.decode()
    assert keys_in_order(stage) == ["basics", "ethics"]


def test_stage_up_button_and_a_stage_reorder_that_breaks_a_published_pathway(admin_client):
    pathway = publishable_pathway(status="published")
    ids = list(pathway.stages.order_by("position").values_list("pk", flat=True))
    response = admin_client.post(
        f"/pathways/{pathway.pk}/stages/order/", {"stage": ids, "move": f"{ids[1]}:up"}, **HTMX
    )
    assert "published, so the change was not made" in response.content.decode()
    assert list(pathway.stages.order_by("position").values_list("pk", flat=True)) == ids


def test_deleting_a_step_with_progress_archives_it_and_says_so(admin_client):
    pathway = publishable_pathway()
    basics = pathway.steps.get(key="basics")
    StepProgressFactory(step=basics, enrollment__pathway=pathway)
    response = admin_client.post(f"/pathways/steps/{basics.pk}/delete/", CONFIRMED, **HTMX)
    html = response.content.decode()
    assert "archived, not deleted" in html
    assert "1 archived step" in html
    basics.refresh_from_db()
    assert basics.is_archived


def test_deleting_a_stage_with_progress_is_refused_with_the_reason(admin_client):
    pathway = publishable_pathway()
    StepProgressFactory(step=pathway.steps.get(key="basics"), enrollment__pathway=pathway)
    stage = pathway.stages.get(kind="foundation")
    response = admin_client.post(f"/pathways/stages/{stage.pk}/delete/", CONFIRMED, follow=True)
    assert "can&#x27;t be deleted" in response.content.decode()
    assert pathway.stages.count() == 3


def test_editing_a_stage_in_place(admin_client):
    pathway = publishable_pathway()
    stage = pathway.stages.get(kind="practice")
    form = admin_client.get(f"/pathways/stages/{stage.pk}/edit/", **HTMX)
    assert form["HX-Retarget"] == f"#stage-head-{stage.pk}"
    admin_client.post(
        f"/pathways/stages/{stage.pk}/edit/",
        {"title": "Practice, any order", "kind": "practice"},
        **HTMX,
    )
    stage.refresh_from_db()
    assert (stage.title, stage.is_sequential) == ("Practice, any order", False)


def test_full_page_fallbacks_for_the_inline_forms(admin_client):
    pathway = publishable_pathway()
    stage, step = pathway.stages.first(), pathway.steps.first()
    for url in (
        f"/pathways/stages/{stage.pk}/edit/",
        f"/pathways/stages/{stage.pk}/steps/new/",
        f"/pathways/steps/{step.pk}/edit/",
        f"/pathways/{pathway.pk}/stages/new/",
    ):
        html = admin_client.get(url).content.decode()
        assert "<html" in html
        assert "<form" in html


# --- Preview ----------------------------------------------------------------------------


def test_preview_shows_the_learner_view_with_lock_states(admin_client):
    pathway = publishable_pathway()
    review = pathway.steps.get(key="review")
    review.prerequisites.add(pathway.steps.get(key="draft"))
    html = admin_client.get(f"/pathways/{pathway.pk}/preview/").content.decode()
    assert html.count('class="outline-step open"') == 2  # basics, and draft (first of practice)
    assert "Unlocks after “The basics”." in html  # ethics: sequential stage
    assert "Unlocks after “Draft a reply”." in html  # review: its prerequisite
    assert "Practised on" in html


# --- Assignment -------------------------------------------------------------------------


def test_assigning_a_team_enrols_its_people_and_says_later_joiners_are_enrolled(admin_client):
    pathway = publishable_pathway(status="published")
    team = TeamFactory(name="Help Centre")
    PersonFactory(team=team)
    PersonFactory(team=TeamFactory(parent=team))
    due = timezone.localdate() + dt.timedelta(days=14)
    response = admin_client.post(
        f"/pathways/{pathway.pk}/assign/",
        {
            "audience": "team",
            "team": team.pk,
            "include_subteams": "on",
            "due_date": due.isoformat(),
        },
        follow=True,
    )
    html = response.content.decode()
    assert "Enrolled 2 new people. People who join later are enrolled too." in html
    assert "the team <strong>Help Centre</strong> and its sub-teams" in html
    assert "Enrolled (2)" in html
    assert pathway.enrollments.filter(due_date=due).count() == 2


def test_assigning_again_never_duplicates_enrolments(admin_client):
    pathway = publishable_pathway(status="published")
    role = JobRoleFactory()
    PersonFactory(job_role=role)
    for _ in range(2):
        response = admin_client.post(
            f"/pathways/{pathway.pk}/assign/",
            {"audience": "role", "job_role": role.pk},
            follow=True,
        )
    assert "Enrolled 0 new people; 1 already enrolled, unchanged." in response.content.decode()
    assert Enrollment.objects.filter(pathway=pathway).count() == 1


def test_assigning_without_choosing_who_rerenders_the_form(admin_client):
    pathway = publishable_pathway(status="published")
    response = admin_client.post(f"/pathways/{pathway.pk}/assign/", {"audience": "people"})
    assert response.status_code == 200
    assert "Choose who to assign the pathway to." in response.content.decode()


def test_a_draft_pathway_cannot_be_assigned(admin_client):
    pathway = publishable_pathway()
    html = admin_client.get(f"/pathways/{pathway.pk}/assign/").content.decode()
    assert "Only a published pathway can be assigned" in html
    response = admin_client.post(
        f"/pathways/{pathway.pk}/assign/", {"audience": "team", "team": TeamFactory().pk}
    )
    assert "publish it first" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_stopping_a_rule_keeps_the_people_it_enrolled(admin_client):
    pathway = publishable_pathway(status="published")
    rule = PathwayAssignmentFactory(pathway=pathway)
    EnrollmentFactory(pathway=pathway, person=PersonFactory(team=rule.team))
    admin_client.post(f"/pathways/assignments/{rule.pk}/remove/", CONFIRMED)
    assert not PathwayAssignment.objects.exists()
    assert pathway.enrollments.count() == 1


def test_enrolments_show_progress_against_live_steps(admin_client):
    pathway = publishable_pathway(status="published")
    enrollment = EnrollmentFactory(pathway=pathway)
    StepProgressFactory(
        enrollment=enrollment, step=pathway.steps.get(key="basics"), status="approved"
    )
    html = admin_client.get(f"/pathways/{pathway.pk}/assign/").content.decode()
    assert '<progress value="1" max="4"' in html


def test_the_command_and_the_task_enrol_people_who_joined_later(capsys):
    pathway = publishable_pathway(status="published")
    rule = PathwayAssignmentFactory(pathway=pathway)
    PersonFactory(team=rule.team)
    call_command("apply_pathway_assignments")
    assert "Enrolled 1 people" in capsys.readouterr().out
    PersonFactory(team=rule.team)
    # apply() runs the task here whatever the broker settings (delay() would wait for a
    # worker in the PostgreSQL + Redis run, where none consumes the default queue)
    assert pathway_assignments_apply.apply().get() == 1
    assert pathway.enrollments.count() == 2


def test_the_assignment_rule_runs_hourly_on_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["pathways-assignments-apply"]
    assert entry == {"task": "pathways.tasks.pathway_assignments_apply", "schedule": 3600.0}


# --- Products and rubrics ---------------------------------------------------------------


def test_admin_adds_edits_in_place_and_archives_a_product(admin_client):
    admin_client.post("/pathways/products/", {"name": "Ledger", "kind": "product"})
    product = Product.objects.get(name="Ledger")
    form = admin_client.get(f"/pathways/products/{product.pk}/edit/", **HTMX).content.decode()
    assert form.lstrip().startswith(f'<tr id="product-{product.pk}" class="editing"')
    row = admin_client.post(
        f"/pathways/products/{product.pk}/edit/",
        {"name": "Ledgerline", "kind": "service", "description": "Invoicing"},
        **HTMX,
    ).content.decode()
    assert "Ledgerline" in row
    assert "saved" in row
    admin_client.post(f"/pathways/products/{product.pk}/archive/", {"archived": "1", **CONFIRMED})
    product.refresh_from_db()
    assert (product.name, product.is_archived) == ("Ledgerline", True)


def test_a_duplicate_product_name_rerenders_the_form_with_the_error(admin_client):
    ProductFactory(name="Ledger")
    response = admin_client.post("/pathways/products/", {"name": "Ledger", "kind": "product"})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()
    assert Product.objects.count() == 1


def test_admin_describes_a_rubric_cell_in_place(admin_client):
    role, competency = JobRoleFactory(name="Agent"), CompetencyFactory(name="Prompting")
    grid = admin_client.get("/pathways/rubrics/").content.decode()
    assert f'id="rubric-{role.pk}-{competency.pk}"' in grid
    assert "Not described yet." in grid
    cell = admin_client.post(
        f"/pathways/rubrics/{role.pk}/{competency.pk}/edit/",
        {"level_1": "Knows the tool", "ethical_considerations": "No customer data"},
        **HTMX,
    ).content.decode()
    assert cell.lstrip().startswith(f'<td id="rubric-{role.pk}-{competency.pk}"')
    assert "Knows the tool" in cell
    rubric = RoleRubric.objects.get(job_role=role, competency=competency)
    assert rubric.ethical_considerations == "No customer data"


def test_admin_adds_a_competency_and_a_blank_name_is_refused(admin_client):
    admin_client.post("/pathways/competencies/new/", {"name": "Evaluating output"})
    response = admin_client.post("/pathways/competencies/new/", {"name": ""})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert list(
        RoleRubric.objects.none().model.competency.field.related_model.objects.values_list(
            "name", flat=True
        )
    ) == ["Evaluating output"]


# --- Query counts -----------------------------------------------------------------------
# Every builder page starts with 4 queries: the session, the user, the user's groups (is
# this an L&D admin?) and their Person record (for the navigation). An htmx partial
# renders no navigation, so starts with 3.


def test_editor_runs_a_fixed_number_of_queries(admin_client, django_assert_num_queries):
    pathway = publishable_pathway()
    url = f"/pathways/{pathway.pk}/"
    # 4 + the pathway + its stages + its steps with product and competency + the
    # prerequisite links = 8.
    with django_assert_num_queries(8):
        assert admin_client.get(url).status_code == 200
    # The htmx refresh of the structure: the same, less the navigation's Person = 7.
    with django_assert_num_queries(7):
        assert admin_client.get(url, **HTMX).status_code == 200
    stage = pathway.stages.first()
    for _ in range(20):
        step = StepFactory(stage=stage, competency=CompetencyFactory(), product=ProductFactory())
        step.prerequisites.add(pathway.steps.first())
    StageFactory(pathway=pathway)
    with django_assert_num_queries(8):
        assert admin_client.get(url).status_code == 200
    with django_assert_num_queries(7):
        assert admin_client.get(url, **HTMX).status_code == 200


def test_preview_runs_a_fixed_number_of_queries(admin_client, django_assert_num_queries):
    pathway = publishable_pathway()
    # The same 8 as the editor: 4 + pathway + stages + steps + prerequisite links.
    with django_assert_num_queries(8):
        admin_client.get(f"/pathways/{pathway.pk}/preview/")
    for _ in range(10):
        StepFactory(stage=pathway.stages.last(), product=ProductFactory())
    with django_assert_num_queries(8):
        admin_client.get(f"/pathways/{pathway.pk}/preview/")


def test_pathway_list_runs_a_fixed_number_of_queries(admin_client, django_assert_num_queries):
    publishable_pathway()
    # 4 + the pathways with their four counts annotated = 5.
    with django_assert_num_queries(5):
        admin_client.get("/pathways/")
    for _ in range(10):
        publishable_pathway()
    with django_assert_num_queries(5):
        admin_client.get("/pathways/")


def test_products_page_runs_a_fixed_number_of_queries(admin_client, django_assert_num_queries):
    StepFactory(product=ProductFactory())
    # 4 + the products with their step and pathway counts = 5.
    with django_assert_num_queries(5):
        admin_client.get("/pathways/products/")
    for _ in range(15):
        StepFactory(product=ProductFactory())
    with django_assert_num_queries(5):
        admin_client.get("/pathways/products/")


def test_rubric_grid_runs_a_fixed_number_of_queries(admin_client, django_assert_num_queries):
    RoleRubricFactory()
    # 4 + competencies + rubrics + job roles = 7.
    with django_assert_num_queries(7):
        admin_client.get("/pathways/rubrics/")
    for _ in range(5):
        role = JobRoleFactory()
        for _ in range(3):
            RoleRubricFactory(job_role=role)
    with django_assert_num_queries(7):
        admin_client.get("/pathways/rubrics/")


def test_assignment_page_runs_a_fixed_number_of_queries(admin_client, django_assert_num_queries):
    pathway = publishable_pathway(status="published")
    PathwayAssignmentFactory(pathway=pathway)
    EnrollmentFactory(pathway=pathway)
    # 4 + 1 the pathway + 2 the form's teams and job roles choices (people are found
    # with the search picker, never listed) + 1 the standing rules + 1 the enrolment
    # count (paginator) + 1 one page of enrolments + 1 their done steps + 1 the live
    # step count = 12.
    url = f"/pathways/{pathway.pk}/assign/"
    with django_assert_num_queries(12):
        assert admin_client.get(url).status_code == 200
    # The htmx page of enrolments renders neither the form nor the rules nor the
    # navigation: 3 + 1 the pathway + 1 the enrolment count + 1 the page + 1 its done
    # steps + 1 the live step count = 8.
    with django_assert_num_queries(8):
        assert admin_client.get(url + "?page=1", **HTMX).status_code == 200
    for _ in range(40):  # more than a page
        enrollment = EnrollmentFactory(pathway=pathway)
        StepProgressFactory(enrollment=enrollment, step=pathway.steps.first(), status="approved")
    PathwayAssignmentFactory(pathway=pathway)
    with django_assert_num_queries(12):
        assert admin_client.get(url).status_code == 200
    # The same 8 for the second page of 41 enrolments.
    with django_assert_num_queries(8):
        assert admin_client.get(url + "?page=2", **HTMX).status_code == 200
    shown = admin_client.get(url + "?page=2").context["page"].object_list
    assert len(shown) == 16
    assert {e.pk: e.done_steps for e in shown} == {
        e.pk: e.progress.filter(status="approved").count() for e in shown
    }


def test_inline_edit_forms_run_a_fixed_number_of_queries(admin_client, django_assert_num_queries):
    pathway = publishable_pathway()
    step = pathway.steps.get(key="draft")
    role, competency = JobRoleFactory(), CompetencyFactory()
    product = ProductFactory()
    urls = {
        # 3 (an htmx form: no navigation) + the step (with pathway and stage) + its
        # prerequisites (initial) + the choices: stages, products, competencies, offered
        # steps + the stages once more (Django's Select reads the first choice of a
        # required field to decide on the `required` attribute) = 10.
        f"/pathways/steps/{step.pk}/edit/": 10,
        # 3 + the job role + the competency + the rubric = 6.
        f"/pathways/rubrics/{role.pk}/{competency.pk}/edit/": 6,
        # 3 + the product = 4.
        f"/pathways/products/{product.pk}/edit/": 4,
    }
    for url, expected in urls.items():
        with django_assert_num_queries(expected):
            assert admin_client.get(url, **HTMX).status_code == 200
    for _ in range(10):
        extra = StepFactory(
            stage=step.stage, product=ProductFactory(), competency=CompetencyFactory()
        )
        step.prerequisites.add(extra)
        RoleRubricFactory(job_role=role)
    for url, expected in urls.items():
        with django_assert_num_queries(expected):
            assert admin_client.get(url, **HTMX).status_code == 200


def test_restoring_an_archived_step_that_would_break_a_published_pathway_is_refused(admin_client):
    pathway = publishable_pathway(status="published")
    stage = pathway.stages.get(kind="practice")
    archived = StepFactory(stage=stage, kind="practice", product=None, is_archived=True)
    response = admin_client.post(f"/pathways/steps/{archived.pk}/restore/", **HTMX)
    assert response.status_code == 200
    archived.refresh_from_db()
    assert archived.is_archived


# --- Stage order ----------------------------------------------------------------------------


def test_a_new_pathway_unlocks_its_stages_in_order_and_an_existing_one_keeps_its_locks(
    admin_client,
):
    admin_client.post("/pathways/new/", {"title": "Prompting for support", "stages_in_order": "on"})
    assert Pathway.objects.get(title="Prompting for support").stages_in_order is True
    # The form's box starts ticked; a pathway made before the option existed (the model's
    # and the migration's default) does not change its learners' locks.
    assert 'id="id_stages_in_order" checked' in admin_client.get("/pathways/new/").text
    assert PathwayFactory().stages_in_order is False
    assert services.pathway_create(title="By the service").stages_in_order is True


def test_the_stage_order_option_is_saved_from_details_and_shown_in_the_preview(admin_client):
    pathway = publishable_pathway()
    preview = admin_client.get(f"/pathways/{pathway.pk}/preview/").text
    assert "Stages are open at once:" in preview
    assert html_count_open(preview) == 3  # the first step of each stage

    admin_client.post(
        f"/pathways/{pathway.pk}/details/", {"title": pathway.title, "stages_in_order": "on"}
    )
    pathway.refresh_from_db()
    assert pathway.stages_in_order is True
    preview = admin_client.get(f"/pathways/{pathway.pk}/preview/").text
    assert "Stages unlock in order:" in preview
    assert html_count_open(preview) == 1  # only the first step of the first stage
    first_stage = pathway.stages.order_by("position").first()
    assert f"Unlocks after the stage “{first_stage.title}”." in preview
    assert "Stages unlock in order:" in admin_client.get(f"/pathways/{pathway.pk}/").text

    admin_client.post(f"/pathways/{pathway.pk}/details/", {"title": pathway.title})
    pathway.refresh_from_db()
    assert pathway.stages_in_order is False


def html_count_open(html: str) -> int:
    return html.count('class="outline-step open"')


def test_a_repeated_step_title_is_refused_with_the_error_under_the_title(admin_client):
    pathway = publishable_pathway()
    stage = pathway.stages.get(kind="foundation")
    existing = pathway.steps.get(key="basics")
    response = admin_client.post(
        f"/pathways/stages/{stage.pk}/steps/new/",
        {
            "title": existing.title,
            "key": "",
            "kind": "learn",
            "stage": stage.pk,
            "estimated_minutes": 10,
        },
        **HTMX,
    )
    html = response.content.decode()
    error = f"Another step in this pathway is already called “{existing.title}”"
    assert error in html
    before = html[: html.index(error)]
    # The field just before the error is the title, not the key.
    assert 'name="key"' not in before[before.rindex('name="title"') :]
    assert pathway.steps.count() == 4


def test_a_duplicate_pathway_title_is_refused_under_the_title_and_keeps_what_was_typed(
    admin_client,
):
    PathwayFactory(title="Support replies with AI")
    response = admin_client.post(
        "/pathways/new/", {"title": "Support replies with AI", "summary": "Typed summary"}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Another pathway is already called “Support replies with AI”" in html
    assert "Typed summary" in html
    assert Pathway.objects.filter(title="Support replies with AI").count() == 1


def test_an_empty_rubric_cell_is_refused_with_a_message(admin_client):
    role, competency = JobRoleFactory(), CompetencyFactory()
    response = admin_client.post(
        f"/pathways/rubrics/{role.pk}/{competency.pk}/edit/", {"level_1": " "}, **HTMX
    )
    assert "Describe at least one level" in response.content.decode()
    assert not RoleRubric.objects.exists()
