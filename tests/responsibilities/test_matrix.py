"""The responsibility matrix: the RACI rules, in-place editing and who may edit, and the
commitments configured from it."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from responsibilities import periods, services
from responsibilities.models import CommitmentCheckIn, RaciAssignment, ResponsibilityArea
from tests.factories import CONFIRMED, PersonFactory, TeamFactory

pytestmark = pytest.mark.django_db

GOOD_ROW = {"leadership": "A", "ld": "R", "manager": "C", "employee": "I"}


def _row(area):
    return dict(area.raci_assignments.values_list("party", "letter"))


@pytest.fixture
def area():
    return ResponsibilityArea.objects.get(key="strategic-direction")


def test_the_eight_areas_of_the_shared_model_are_seeded_with_one_accountable_each():
    areas = ResponsibilityArea.objects.all()
    assert areas.count() == 8
    assert sorted(set(areas.values_list("owner_side", flat=True))) == ["employee", "employer"]
    for each in areas:
        letters = list(_row(each).values())
        assert letters.count("A") == 1
        assert "R" in letters


@pytest.mark.parametrize(
    ("letters", "message"),
    [
        ({"leadership": "A", "ld": "A", "manager": "R", "employee": ""}, "Exactly one party"),
        ({"leadership": "R", "ld": "R", "manager": "C", "employee": "I"}, "none is"),
        ({"leadership": "A", "ld": "C", "manager": "C", "employee": "I"}, "Responsible (R)"),
        ({"leadership": "A", "ld": "R", "manager": "X", "employee": ""}, "R, A, C, I or empty"),
        ({"leadership": "A", "ld": "R", "board": "C"}, "Unknown party"),
    ],
)
def test_a_row_breaking_the_raci_rules_is_refused_and_changes_nothing(area, letters, message):
    before = _row(area)
    with pytest.raises(ValidationError, match=message.replace("(", r"\(").replace(")", r"\)")):
        services.raci_row_set(area=area, letters=letters)
    assert _row(area) == before


def test_moving_accountability_in_one_save_is_allowed(area):
    services.raci_row_set(
        area=area, letters={"leadership": "C", "ld": "A", "manager": "R", "employee": ""}
    )
    assert _row(area) == {"leadership": "C", "ld": "A", "manager": "R"}


def test_the_database_itself_refuses_a_second_accountable(area):
    holder = area.raci_assignments.exclude(letter="A").first()
    holder.letter = "A"
    with pytest.raises(IntegrityError), transaction.atomic():
        holder.save()


def test_an_admin_adds_a_shared_area_with_its_row():
    area = services.area_create(
        name="AI tooling budget",
        description="Who funds licences for the tools people practise with.",
        owner_side="shared",
        letters=GOOD_ROW,
    )
    assert area.key == "ai-tooling-budget"
    assert area.position == 9
    assert _row(area) == GOOD_ROW


def test_a_second_area_with_the_same_name_is_refused():
    with pytest.raises(ValidationError, match="already exists"):
        services.area_create(
            name="Strategic direction", description="", owner_side="shared", letters=GOOD_ROW
        )
    assert ResponsibilityArea.objects.count() == 8


# --- Views ---------------------------------------------------------------------------------


def test_everyone_reads_the_matrix_but_only_admins_get_edit_controls(client, employee, ld_admin):
    client.force_login(employee.user)
    page = client.get("/responsibilities/")
    assert page.status_code == 200
    assert "Strategic direction" in page.text
    assert "Add a shared area" not in page.text
    assert "/raci/" not in page.text

    client.force_login(ld_admin)
    page = client.get("/responsibilities/")
    assert "Add a shared area" in page.text
    assert "/raci/" in page.text


def test_htmx_edit_returns_the_row_form_in_place(client, ld_admin, area):
    client.force_login(ld_admin)
    response = client.get(
        f"/responsibilities/areas/{area.pk}/raci/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith(f'<tr id="area-{area.pk}"')
    assert "<select" in response.text
    assert "<html" not in response.text


def test_saving_a_bad_row_rerenders_it_with_the_rule_and_changes_nothing(client, ld_admin, area):
    client.force_login(ld_admin)
    before = _row(area)
    response = client.post(
        f"/responsibilities/areas/{area.pk}/raci/",
        {"leadership": "A", "ld": "A", "manager": "R", "employee": "I"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "Exactly one party must be Accountable" in response.text
    assert "<select" in response.text
    assert _row(area) == before


def test_saving_a_good_row_swaps_back_the_read_only_row(client, ld_admin, area):
    client.force_login(ld_admin)
    response = client.post(
        f"/responsibilities/areas/{area.pk}/raci/",
        {"leadership": "I", "ld": "A", "manager": "R", "employee": "C"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "<select" not in response.text
    assert _row(area) == {"leadership": "I", "ld": "A", "manager": "R", "employee": "C"}


def test_without_htmx_the_editor_is_a_page_and_saving_redirects(client, ld_admin, area):
    client.force_login(ld_admin)
    assert "<html" in client.get(f"/responsibilities/areas/{area.pk}/raci/").text
    response = client.post(
        f"/responsibilities/areas/{area.pk}/raci/",
        {"leadership": "A", "ld": "R", "manager": "", "employee": ""},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"#area-{area.pk}")


def test_non_admins_cannot_edit_the_matrix_even_by_asking_for_the_partial(
    client, employee, leader, area
):
    before = _row(area)
    for user in (employee.user, leader):
        client.force_login(user)
        url = f"/responsibilities/areas/{area.pk}/raci/"
        assert client.get(url, headers={"HX-Request": "true"}).status_code == 403
        assert client.post(url, GOOD_ROW, headers={"HX-Request": "true"}).status_code == 403
        assert client.post("/responsibilities/areas/new/", {"name": "X"}).status_code == 403
    assert _row(area) == before


def test_adding_an_area_through_the_form_shows_errors_for_a_bad_row(client, ld_admin):
    client.force_login(ld_admin)
    response = client.post(
        "/responsibilities/areas/new/",
        {"name": "Sandbox safety", "owner_side": "shared", "leadership": "R", "ld": "R"},
    )
    assert response.status_code == 200
    assert "Exactly one party must be Accountable" in response.text
    assert not ResponsibilityArea.objects.filter(name="Sandbox safety").exists()

    response = client.post(
        "/responsibilities/areas/new/",
        {"name": "Sandbox safety", "owner_side": "shared", "leadership": "A", "ld": "R"},
    )
    assert response.status_code == 302
    assert RaciAssignment.objects.filter(area__name="Sandbox safety").count() == 2


def test_the_printable_view_has_the_matrix_without_the_app_chrome(client, employee):
    client.force_login(employee.user)
    page = client.get("/responsibilities/print/")
    assert page.status_code == 200
    assert "Strategic direction" in page.text
    assert "print.css" in page.text
    assert "Sign out" not in page.text


def _add_areas_with_a_commitment(count: int) -> None:
    """`count` more areas, each with one commitment ("Promise 0", "Promise 1", ...)."""
    for n in range(count):
        area = services.area_create(
            name=f"Extra area {n}", description="", owner_side="shared", letters=GOOD_ROW
        )
        services.commitment_create(
            area=area, party="ld", title=f"Promise {n}", target=1, unit="sessions", period="month"
        )


def test_the_matrix_page_runs_a_constant_number_of_queries(
    client, ld_admin, django_assert_num_queries
):
    client.force_login(ld_admin)
    # session + user + groups (admin check) + person (navigation) + RACI letters + areas
    # + prefetched commitments = 7
    with django_assert_num_queries(7):
        client.get("/responsibilities/")
    _add_areas_with_a_commitment(10)
    with django_assert_num_queries(7):
        page = client.get("/responsibilities/")
    assert "Promise 9" in page.text


def test_the_printable_matrix_runs_a_constant_number_of_queries(
    client, employee, django_assert_num_queries
):
    client.force_login(employee.user)
    # session + user + RACI letters + areas + prefetched commitments = 5: the printable
    # page shows no navigation, so none of it is worked out
    with django_assert_num_queries(5):
        client.get("/responsibilities/print/")
    _add_areas_with_a_commitment(10)
    # The same 5 with ten more areas, each with a commitment.
    with django_assert_num_queries(5):
        page = client.get("/responsibilities/print/")
    assert "Promise 9" in page.text


# --- Commitments, configured from the matrix ---------------------------------------------


def test_admin_edits_and_retires_a_commitment_keeping_its_history(client, ld_admin, learning_time):
    team = TeamFactory()
    services.check_in_record(
        commitment=learning_time,
        team=team,
        period_start=periods.period_start(timezone.localdate(), "week"),
        value=Decimal("4"),
    )
    client.force_login(ld_admin)
    url = f"/responsibilities/commitments/{learning_time.pk}/edit/"
    form = {
        "party": "manager",
        "title": "Weekly learning hours",
        "target": "4",
        "unit": "hours per person",
        "period": "month",
        "direction": "at_least",
    }
    response = client.post(url, form)
    assert response.status_code == 200
    assert "period cannot change" in response.text
    learning_time.refresh_from_db()
    assert learning_time.period == "week"

    response = client.post(url, {**form, "period": "week", "target": "5"})
    assert response.status_code == 302
    learning_time.refresh_from_db()
    assert learning_time.target == Decimal("5")

    client.post(
        f"/responsibilities/commitments/{learning_time.pk}/active/",
        {"active": "0", **CONFIRMED},
    )
    learning_time.refresh_from_db()
    assert not learning_time.is_active
    assert CommitmentCheckIn.objects.filter(commitment=learning_time).count() == 1
    admin_view = client.get("/responsibilities/").text  # also shows the flash messages
    assert "Restore" in admin_view
    client.force_login(PersonFactory(team=team).user)
    assert "Weekly learning hours" not in client.get("/responsibilities/").text


def test_admin_adds_a_commitment_under_an_area_and_sees_field_errors(
    client, ld_admin, infrastructure
):
    client.force_login(ld_admin)
    url = f"/responsibilities/areas/{infrastructure.pk}/commitments/new/"
    response = client.post(url, {"party": "ld", "title": "", "target": "x", "period": "month"})
    assert response.status_code == 200
    assert response.text.count('class="error"') >= 2
    response = client.post(
        url,
        {
            "party": "ld",
            "title": "AI sandbox access within 5 working days of enrolment",
            "target": "5",
            "unit": "working days",
            "period": "month",
            "direction": "at_most",
        },
    )
    assert response.status_code == 302
    assert infrastructure.commitments.filter(title__startswith="AI sandbox").exists()
