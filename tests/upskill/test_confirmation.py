"""Destructive one-click actions act only when confirmed (upskill/confirmation.py): a POST
without the confirmation — a browser without JavaScript, or any client that skipped the
dialog — gets a page asking the same question, changes nothing, and that page's form
posts the same fields back with the confirmation, which acts. The dialog's question on
each form is the one the page asks."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.utils import timezone

from metrics.models import XapiKey
from metrics.services import xapi_key_create
from pathways.models import Pathway, PathwayAssignment, Product, Stage, Step
from responsibilities import services as responsibility_services
from responsibilities.models import AlignmentSurvey, Commitment, ResponsibilityArea
from tests.factories import (
    CONFIRMED,
    EnrollmentFactory,
    LDAdminFactory,
    ProductFactory,
    StageFactory,
    TeamFactory,
)
from tests.pathways.factories import PathwayAssignmentFactory, publishable_pathway
from upskill.confirmation import confirmation_for

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@dataclass
class Action:
    url: str  # where the form posts
    data: dict  # what the form posts, besides the confirmation
    page: str  # the page that shows the form (with the dialog's question)
    cancel: str  # where Cancel on the confirmation page goes
    name: str  # the URL name its question is registered under
    obj: object
    done: Callable[[], bool]  # has the action happened?


def archive_pathway() -> Action:
    pathway = publishable_pathway(status=Pathway.Status.PUBLISHED, title="Support with AI")
    return Action(
        f"/pathways/{pathway.pk}/archive/",
        {},
        f"/pathways/{pathway.pk}/",
        f"/pathways/{pathway.pk}/",
        "pathways:archive",
        pathway,
        lambda: Pathway.objects.get(pk=pathway.pk).status == Pathway.Status.ARCHIVED,
    )


def archive_product() -> Action:
    product = ProductFactory(name="Harbour Help Centre")
    return Action(
        f"/pathways/products/{product.pk}/archive/",
        {"archived": "1"},
        "/pathways/products/",
        f"/pathways/products/#product-{product.pk}",
        "pathways:product_archive",
        product,
        lambda: Product.objects.get(pk=product.pk).is_archived,
    )


def stop_rule() -> Action:
    pathway = publishable_pathway(status=Pathway.Status.PUBLISHED)
    rule = PathwayAssignmentFactory(pathway=pathway, team=TeamFactory(name="Help Centre"))
    return Action(
        f"/pathways/assignments/{rule.pk}/remove/",
        {},
        f"/pathways/{pathway.pk}/assign/",
        f"/pathways/{pathway.pk}/assign/",
        "pathways:assignment_remove",
        rule,
        lambda: not PathwayAssignment.objects.filter(pk=rule.pk).exists(),
    )


def delete_stage() -> Action:
    pathway = publishable_pathway()
    stage = pathway.stages.get(kind="coaching")
    return Action(
        f"/pathways/stages/{stage.pk}/delete/",
        {},
        f"/pathways/{pathway.pk}/",
        f"/pathways/{pathway.pk}/",
        "pathways:stage_delete",
        stage,
        lambda: not Stage.objects.filter(pk=stage.pk).exists(),
    )


def delete_step() -> Action:
    pathway = publishable_pathway()
    step = pathway.steps.get(key="ethics")
    return Action(
        f"/pathways/steps/{step.pk}/delete/",
        {},
        f"/pathways/{pathway.pk}/",
        f"/pathways/{pathway.pk}/",
        "pathways:step_delete",
        step,
        lambda: not Step.objects.filter(pk=step.pk).exists(),
    )


def retire_commitment() -> Action:
    area = ResponsibilityArea.objects.first()
    commitment = responsibility_services.commitment_create(
        area=area,
        party="manager",
        title="Protected learning time",
        target=4,
        unit="hours",
        period="week",
    )
    return Action(
        f"/responsibilities/commitments/{commitment.pk}/active/",
        {"active": "0"},
        "/responsibilities/",
        f"/responsibilities/#area-{area.pk}",
        "responsibilities:commitment_set_active",
        commitment,
        lambda: not Commitment.objects.get(pk=commitment.pk).is_active,
    )


def close_pulse() -> Action:
    survey = responsibility_services.survey_open(
        title="Spring pulse", closes_at=timezone.now() + dt.timedelta(days=3)
    )
    return Action(
        f"/responsibilities/pulse/{survey.pk}/close/",
        {},
        "/responsibilities/pulse/",
        "/responsibilities/pulse/",
        "responsibilities:pulse_close",
        survey,
        lambda: AlignmentSurvey.objects.get(pk=survey.pk).status == "closed",
    )


def revoke_xapi_key() -> Action:
    created = xapi_key_create(name="Moodle", created_by=None)
    xapi_key = XapiKey.objects.get(pk=created.xapi_key.pk)
    return Action(
        f"/imports/api-keys/{xapi_key.pk}/revoke/",
        {},
        "/imports/api-keys/",
        "/imports/api-keys/",
        "metrics:xapi_key_revoke",
        xapi_key,
        lambda: XapiKey.objects.get(pk=xapi_key.pk).revoked_at is not None,
    )


ACTIONS = {
    "archive a pathway": archive_pathway,
    "archive a product": archive_product,
    "stop an assignment rule": stop_rule,
    "delete a stage": delete_stage,
    "delete a step": delete_step,
    "retire a commitment": retire_commitment,
    "close a pulse now": close_pulse,
    "revoke an xAPI key": revoke_xapi_key,
}


@pytest.fixture
def admin(client):
    client.force_login(LDAdminFactory())
    return client


def hidden_fields(page: str) -> dict[str, str]:
    form = page.split('class="confirm-actions"', 1)[1].split("</form>", 1)[0]
    return {
        name: html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', form)
        if name != "csrfmiddlewaretoken"
    }


@pytest.mark.parametrize("action", ACTIONS)
def test_an_unconfirmed_post_asks_on_a_page_and_changes_nothing(admin, action):
    act = ACTIONS[action]()
    question = confirmation_for(act.name, act.obj)

    response = admin.post(act.url, act.data)

    assert response.status_code == 200
    page = response.text
    assert f'<h1 id="confirm-question">{html.escape(question.question)}</h1>' in page
    assert f"<p>{html.escape(question.detail)}</p>" in page
    assert f'<form method="post" action="{act.url}" class="confirm-actions">' in page
    assert hidden_fields(page) == {**act.data, **CONFIRMED}
    assert f'<button type="submit" class="button danger">{question.button}</button>' in page
    assert f'<a class="button" href="{act.cancel}">Cancel</a>' in page
    assert not act.done(), f"{action}: acted without confirmation"


@pytest.mark.parametrize("action", ACTIONS)
def test_the_confirmation_pages_form_acts(admin, action):
    act = ACTIONS[action]()
    page = admin.post(act.url, act.data).text

    response = admin.post(act.url, hidden_fields(page))

    assert response.status_code == 302
    assert act.done(), f"{action}: confirmed, yet not done"


@pytest.mark.parametrize("action", ACTIONS)
def test_the_dialog_on_the_page_asks_the_same_question(admin, action):
    act = ACTIONS[action]()
    question = confirmation_for(act.name, act.obj)

    page = admin.get(act.page).text

    form = page.split(f'action="{act.url}"', 1)[1].split(">", 1)[0]
    assert f'data-confirm="{html.escape(question.text)}"' in form
    assert f'data-confirm-button="{html.escape(question.button)}"' in form


@pytest.mark.parametrize("action", ["archive a product", "delete a step"])
def test_an_htmx_post_without_confirmation_shows_the_page_in_place_of_the_body(admin, action):
    act = ACTIONS[action]()

    response = admin.post(act.url, act.data, **HTMX)

    assert response["HX-Retarget"] == "body"
    assert response["HX-Reswap"] == "innerHTML"
    assert 'class="confirm-actions"' in response.text
    assert not act.done()
    assert admin.post(act.url, {**act.data, **CONFIRMED}, **HTMX).status_code == 200
    assert act.done()


def test_restoring_is_not_destructive_and_asks_nothing(admin):
    product = ProductFactory(is_archived=True)
    commitment = retire_commitment().obj
    Commitment.objects.filter(pk=commitment.pk).update(is_active=False)

    admin.post(f"/pathways/products/{product.pk}/archive/", {"archived": "0"})
    admin.post(f"/responsibilities/commitments/{commitment.pk}/active/", {"active": "1"})

    assert not Product.objects.get(pk=product.pk).is_archived
    assert Commitment.objects.get(pk=commitment.pk).is_active


def test_a_confirmation_other_than_yes_is_no_confirmation(admin):
    act = close_pulse()
    admin.post(act.url, {"confirmed": "1"})
    admin.post(act.url, {"confirmed": ""})
    assert not act.done()


def test_the_confirmation_page_runs_a_fixed_number_of_queries(admin, django_assert_num_queries):
    act = archive_pathway()
    # 1 session + 1 user + 1 groups (L&D admin?, reused by the top bar) + 1 the pathway
    # + 1 the signed-in person, for the top bar (a learner?) = 5. Nothing is written.
    with django_assert_num_queries(5):
        assert admin.post(act.url).status_code == 200

    for _ in range(5):
        EnrollmentFactory(pathway=act.obj)
        StageFactory(pathway=act.obj)
    with django_assert_num_queries(5):
        assert admin.post(act.url).status_code == 200
    assert not act.done()


def test_an_unregistered_action_is_a_programming_error():
    with pytest.raises(LookupError, match="No confirmation registered for 'nowhere:nothing'"):
        confirmation_for("nowhere:nothing", None)
