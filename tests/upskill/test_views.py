"""Signing in and out, the role-aware home, the layout every page shares, the health
check and the admin. Page-specific tests live with their app (tests/<app>/test_views.py).
"""

import json
import re

import pytest
from django.contrib import admin
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from pathways.models import ConfidenceRating, PathwayAssignment
from tests.factories import (
    PASSWORD,
    ActivityRecordFactory,
    AlignmentAnswerFactory,
    CommitmentCheckInFactory,
    CompetencyFactory,
    EnrollmentFactory,
    ImportRunFactory,
    OutcomeObservationFactory,
    PersonFactory,
    ProductFactory,
    RaciAssignmentFactory,
    RecognitionFactory,
    RoleRubricFactory,
    StepFactory,
    StepFeedbackFactory,
    StepProgressFactory,
    TeamFactory,
    UserFactory,
    WeeklyRollupFactory,
)
from upskill.models import TeamChatPost
from upskill.services import LD_ADMIN_APPS

PAGES = ["/", "/pathways/", "/learning/", "/dashboard/", "/responsibilities/"]


def nav_links(response) -> set[str]:
    """The hrefs in the main navigation of a rendered page."""
    html = response.content.decode()
    nav = re.search(r'<nav aria-label="Main">(.*?)</nav>', html, re.S)
    return set(re.findall(r'href="([^"]+)"', nav.group(1))) if nav else set()


def hx_csrf_token(response) -> str:
    """The CSRF token htmx sends with every request, from <body hx-headers='...'>."""
    body = re.search(r"<body[^>]*\shx-headers='([^']*)'", response.content.decode())
    assert body, "<body> has no hx-headers attribute"
    return json.loads(body.group(1))["X-CSRFToken"]


@pytest.fixture
def role_user(request, ld_admin, leader, employee):
    return {"ld_admin": ld_admin, "leader": leader, "employee": employee.user}[request.param]


# Signing in ---------------------------------------------------------------------------


def test_login_page_renders_the_sign_in_form(client, db):
    response = client.get(reverse("login"))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sign in to Upskill" in html
    assert 'name="username"' in html
    assert 'name="password"' in html
    assert 'name="csrfmiddlewaretoken"' in html


def test_wrong_password_re_renders_the_form_with_an_error_and_no_session(client, employee):
    response = client.post(
        reverse("login"), {"username": employee.user.username, "password": "not-it"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html
    assert "correct username and password" in html
    # The username is kept so the user only retypes the password.
    assert f'value="{employee.user.username}"' in html
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("role_user", "home"),
    [("ld_admin", "/pathways/"), ("leader", "/dashboard/"), ("employee", "/learning/")],
    indirect=["role_user"],
)
def test_signing_in_lands_on_the_home_page_of_the_users_role(client, role_user, home):
    response = client.post(
        reverse("login"), {"username": role_user.username, "password": PASSWORD}, follow=True
    )

    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == home
    assert int(client.session["_auth_user_id"]) == role_user.pk


def test_signing_in_returns_to_the_page_that_asked_for_it(client, employee):
    response = client.post(
        reverse("login"),
        {"username": employee.user.username, "password": PASSWORD, "next": "/responsibilities/"},
    )

    assert response.status_code == 302
    assert response["Location"] == "/responsibilities/"


def test_signing_in_ignores_a_next_url_on_another_site(client, employee):
    response = client.post(
        reverse("login"),
        {
            "username": employee.user.username,
            "password": PASSWORD,
            "next": "https://evil.example/phish",
        },
        follow=True,
    )

    assert response.redirect_chain[-1][0] == "/learning/"


def test_signed_in_user_opening_the_login_page_is_sent_home(client, leader):
    client.force_login(leader)

    response = client.get(reverse("login"), follow=True)

    assert response.redirect_chain[-1][0] == "/dashboard/"


def test_inactive_user_cannot_sign_in(client, employee):
    employee.user.is_active = False
    employee.user.save()

    response = client.post(
        reverse("login"), {"username": employee.user.username, "password": PASSWORD}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


# Signing out --------------------------------------------------------------------------


def test_signing_out_by_post_ends_the_session_and_returns_to_login(client, employee):
    client.force_login(employee.user)

    response = client.post(reverse("logout"))

    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert "_auth_user_id" not in client.session
    assert client.get("/learning/").status_code == 302


def test_signing_out_by_get_is_refused_and_keeps_the_session(client, employee):
    # A GET that signs you out could be triggered by any <img src> on another site.
    client.force_login(employee.user)

    response = client.get(reverse("logout"))

    assert response.status_code == 405
    assert client.get("/learning/").status_code == 200


# Who may open what --------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_anonymous_visitor_is_sent_to_login_from_every_page(client, db, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next={url}"


def test_anonymous_visitor_is_sent_to_the_admin_login_from_the_admin(client, db):
    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("url", ["/pathways/", "/dashboard/"])
def test_employee_is_forbidden_from_admin_and_leader_pages(client, employee, url):
    client.force_login(employee.user)

    assert client.get(url).status_code == 403


def test_leader_is_forbidden_from_the_pathway_list(client, leader):
    client.force_login(leader)

    assert client.get("/pathways/").status_code == 403


def test_leader_without_a_person_record_is_forbidden_from_my_learning(client, leader):
    # Nothing to show: my learning is one person's enrolments, and a leader who is not
    # an employee has none. The navigation does not offer the link either.
    client.force_login(leader)

    response = client.get("/learning/")

    assert response.status_code == 403


def test_ld_admin_may_open_the_dashboard(client, ld_admin):
    client.force_login(ld_admin)

    assert client.get("/dashboard/").status_code == 200


def test_user_without_person_or_role_is_refused_rather_than_shown_an_error(client, db):
    # Such a user lands on "my learning" (the employee home) and is refused: no 500,
    # no redirect loop.
    client.force_login(UserFactory())

    response = client.get("/", follow=True)

    assert response.redirect_chain == [("/learning/", 302)]
    assert response.status_code == 403


# The layout every page shares ---------------------------------------------------------


@pytest.mark.parametrize(
    ("role_user", "links"),
    [
        ("employee", {"/learning/", "/responsibilities/"}),
        ("leader", {"/dashboard/", "/learning/reviews/", "/responsibilities/"}),
        (
            "ld_admin",
            {"/dashboard/", "/pathways/", "/responsibilities/", "/organisation/", "/audit/"},
        ),
    ],
    indirect=["role_user"],
)
def test_navigation_offers_the_links_of_the_users_role(client, role_user, links):
    client.force_login(role_user)

    response = client.get("/", follow=True)

    assert nav_links(response) == links


def test_navigation_offers_both_learning_and_dashboard_to_an_employee_who_leads(
    client, employee, team
):
    team.leaders.add(employee.user)
    PersonFactory(team=team)  # someone whose evidence they review
    client.force_login(employee.user)

    assert nav_links(client.get("/learning/")) == {
        "/learning/",
        "/dashboard/",
        "/learning/reviews/",
        "/responsibilities/",
    }


def test_navigation_offers_reviews_exactly_when_the_review_queue_opens(client, employee, team):
    """The one meaning of "reviewer" (upskill.access.is_reviewer): the link shows for a
    manager with a report even if they lead nothing, and not for a leader of a team with
    nobody in it but themselves, whom the queue turns away too."""
    client.force_login(employee.user)
    team.leaders.add(employee.user)
    assert "/learning/reviews/" not in nav_links(client.get("/learning/"))
    assert client.get("/learning/reviews/").status_code == 403

    team.leaders.remove(employee.user)
    PersonFactory(team=TeamFactory(), manager=employee)
    assert "/learning/reviews/" in nav_links(client.get("/learning/"))
    assert client.get("/learning/reviews/").status_code == 200

    below = TeamFactory(parent=team)
    employee.reports.update(manager=None, team=below)
    team.leaders.add(employee.user)  # a report-less leader of a team with someone below
    assert "/learning/reviews/" in nav_links(client.get("/learning/"))
    assert client.get("/learning/reviews/").status_code == 200


def test_navigation_offers_the_admin_site_to_staff_only(client, db):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)

    assert "/admin/" in nav_links(client.get("/pathways/"))


def test_signed_in_pages_name_the_user_and_offer_sign_out_by_post(client, employee):
    client.force_login(employee.user)

    html = client.get("/learning/").content.decode()

    assert "Emma Employee" in html
    assert re.search(r'<form class="signout" method="post" action="/logout/">', html)


def test_login_page_shows_no_navigation_or_sign_out(client, db):
    response = client.get(reverse("login"))

    assert nav_links(response) == set()
    assert "Sign out" not in response.content.decode()


def test_layout_loads_htmx_from_our_own_static_files(client, employee):
    client.force_login(employee.user)

    html = client.get("/learning/").content.decode()

    assert '<script src="/static/vendor/htmx.min.js" defer></script>' in html
    # `make setup` copies it from node_modules; without it every htmx attribute is dead.
    assert finders.find("vendor/htmx.min.js"), "static/vendor/htmx.min.js missing: make setup"


def test_layout_names_an_icon_so_browsers_do_not_log_a_missing_favicon(client, db):
    # Without <link rel="icon">, browsers fetch /favicon.ico, get a 404 and log it as a
    # console error on the first page of every visit.
    html = client.get(reverse("login")).content.decode()

    assert re.search(r'<link rel="(shortcut )?icon"', html) or (
        client.get("/favicon.ico").status_code == 200
    )


def test_htmx_requests_carry_a_csrf_token_that_the_server_accepts(employee):
    client = Client(enforce_csrf_checks=True)
    client.force_login(employee.user)
    token = hx_csrf_token(client.get("/learning/"))

    refused = client.post(reverse("logout"))
    accepted = client.post(reverse("logout"), headers={"X-CSRFToken": token})

    assert refused.status_code == 403
    assert accepted.status_code == 302
    assert "_auth_user_id" not in client.session


def test_login_page_also_sets_the_htmx_csrf_header(client, db):
    assert hx_csrf_token(client.get(reverse("login")))


# Health check -------------------------------------------------------------------------


def test_health_check_answers_ok_without_signing_in(client, db):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_health_check_only_answers_get(client, db):
    assert client.post("/healthz").status_code == 405


# Admin --------------------------------------------------------------------------------


def _a_row_in_every_model():
    lead = UserFactory()
    parent = TeamFactory()
    team = TeamFactory(parent=parent, leaders=[lead])
    manager = PersonFactory(team=team)
    person = PersonFactory(team=team, manager=manager)
    product = ProductFactory()
    competency = CompetencyFactory()
    RoleRubricFactory(job_role=person.job_role, competency=competency)
    step = StepFactory(kind="practice", product=product, competency=competency, target_level=2)
    step.prerequisites.add(StepFactory(stage=step.stage))
    step.pathway.products.add(product)
    enrollment = EnrollmentFactory(person=person, pathway=step.pathway)
    StepProgressFactory(enrollment=enrollment, step=step, reviewer=manager, status="approved")
    StepFeedbackFactory(person=person, step=step)
    ConfidenceRating.objects.create(enrollment=enrollment, moment="start", rating=3)
    RecognitionFactory(from_person=manager, to_person=person)
    RaciAssignmentFactory()  # a new area beside the eight seeded ones
    CommitmentCheckInFactory(team=team)
    AlignmentAnswerFactory(person=person)
    ActivityRecordFactory(person=person, pathway=step.pathway, step=step)
    OutcomeObservationFactory(team=team)
    ImportRunFactory()
    WeeklyRollupFactory(team=team, pathway=step.pathway)
    PathwayAssignment.objects.create(pathway=step.pathway, team=team)
    TeamChatPost.objects.create(
        team=team, kind="digest", key="digest:team", subject="Digest", url="/"
    )


def test_superuser_can_open_the_list_and_a_row_of_every_admin_model(client, db):
    _a_row_in_every_model()
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    assert client.get(reverse("admin:index")).status_code == 200
    for model in admin.site._registry:
        if model._meta.app_label not in LD_ADMIN_APPS:
            continue  # third-party and auth models are theirs to test
        label = f"{model._meta.app_label}_{model._meta.model_name}"
        row = model._default_manager.order_by("pk").first()
        assert row is not None, f"add a {model.__name__} to _a_row_in_every_model()"

        listing = client.get(reverse(f"admin:{label}_changelist"))
        detail = client.get(reverse(f"admin:{label}_change", args=[row.pk]))

        assert listing.status_code == 200, label
        assert detail.status_code == 200, label


def test_favicon_ico_redirects_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
