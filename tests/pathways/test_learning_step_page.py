"""The step page and its in-place (htmx) actions: start, mark done, submit, edit or
withdraw evidence, feedback and confidence — and that nobody reaches another person's
records."""

import re

import pytest

from metrics.models import ActivityRecord
from pathways.models import ConfidenceRating, StepFeedback, StepProgress
from pathways.services import learning as services
from tests.factories import PersonFactory, StepFactory
from tests.pathways.factories import a_journey, finish_foundation, submitted

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
EXPECTED_ACTION_QUERIES = 32


def step_url(journey, step, action=""):
    return f"/learning/{journey.pathway.slug}/steps/{step.key}/{action + '/' if action else ''}"


def signed_in(client, person):
    client.force_login(person.user)
    return client


def status_of(journey, step):
    progress = StepProgress.objects.filter(enrollment=journey.enrollment, step=step).first()
    return progress.status if progress else "not_started"


def test_step_page_shows_what_to_do_the_product_and_the_rubric_for_my_role(client):
    journey = a_journey()
    journey.practise.instructions = "Draft five replies to real tickets."
    journey.practise.save()
    finish_foundation(journey)

    html = signed_in(client, journey.learner).get(step_url(journey, journey.practise)).content
    html = html.decode()

    assert "Draft five replies to real tickets." in html
    assert "Practised on <strong>Help Centre</strong>" in html
    assert "What good looks like" in html
    assert "Drafts unaided and checks." in html  # level 3 of the learner's role rubric
    assert "Never paste customer personal data into a prompt." in html
    assert "A person approves every customer-facing answer." in html
    assert "Submit for review" in html
    assert "Mark as done" not in html  # evidence is required


def test_a_locked_step_says_which_step_unlocks_it(client):
    journey = a_journey()

    html = signed_in(client, journey.learner).get(step_url(journey, journey.reflect)).content
    html = html.decode()

    assert "this step unlocks when you finish" in html
    assert f'href="{step_url(journey, journey.learn)}">Learn the basics</a>' in html
    assert "Mark as done" not in html
    assert "Start this step" not in html


def test_start_then_mark_done_update_the_progress_panel_in_place(client):
    journey = a_journey()
    client = signed_in(client, journey.learner)

    started = client.post(step_url(journey, journey.learn, "start"), **HTMX)
    done = client.post(step_url(journey, journey.learn, "done"), **HTMX)

    assert started.status_code == done.status_code == 200
    assert '<section class="card step-progress" id="step-progress"' in done.content.decode()
    assert "<html" not in done.content.decode()  # the partial only
    assert "1 of 4 steps done" in done.content.decode()
    assert "Next up:" in done.content.decode()
    assert "Reflect" in done.content.decode()
    assert status_of(journey, journey.learn) == "approved"
    assert list(ActivityRecord.objects.order_by("pk").values_list("kind", flat=True)) == [
        "attended",
        "completed",
    ]


def test_without_htmx_an_action_redirects_back_to_the_step_page(client):
    journey = a_journey()

    response = signed_in(client, journey.learner).post(step_url(journey, journey.learn, "done"))

    assert response.status_code == 302
    assert response.url == step_url(journey, journey.learn)


def test_a_double_submit_gets_a_message_and_changes_nothing(client):
    journey = a_journey()
    client = signed_in(client, journey.learner)
    client.post(step_url(journey, journey.learn, "done"), **HTMX)

    again = client.post(step_url(journey, journey.learn, "done"), **HTMX)

    assert again.status_code == 200
    assert "This step is already done; nothing was changed." in again.content.decode()
    assert ActivityRecord.objects.filter(kind="completed").count() == 1


def test_submitting_evidence_in_place_shows_it_waiting_for_review(client):
    journey = a_journey()
    finish_foundation(journey)

    response = signed_in(client, journey.learner).post(
        step_url(journey, journey.practise, "evidence"),
        {"evidence": "Drafted 12 replies; kept 9.", "evidence_url": "https://example.com/t/1"},
        **HTMX,
    )

    html = response.content.decode()
    assert "Your evidence is waiting for review" in html
    assert "Drafted 12 replies; kept 9." in html
    assert status_of(journey, journey.practise) == "submitted"


@pytest.mark.parametrize(
    ("evidence", "link", "message"),
    [
        ("", "", "evidence cannot be empty"),
        ("x" * 10_001, "", "at most 10,000 characters"),
        ("Did it.", "javascript:alert(1)", "starting with http:// or https://"),
        ("Did it.", "ftp://example.com/f", "starting with http:// or https://"),
        ("Did it.", "somewhere", "starting with http:// or https://"),
    ],
)
def test_bad_evidence_is_shown_next_to_the_form_and_kept_for_correction(
    client, evidence, link, message
):
    journey = a_journey()
    finish_foundation(journey)
    client = signed_in(client, journey.learner)

    for extra in (HTMX, {}):
        response = client.post(
            step_url(journey, journey.practise, "evidence"),
            {"evidence": evidence, "evidence_url": link},
            **extra,
        )
        assert response.status_code == 200
        assert message in response.content.decode()
    assert status_of(journey, journey.practise) == "not_started"


def test_after_changes_are_requested_the_learner_sees_the_comment_and_can_resubmit(client):
    journey = a_journey()
    progress = submitted(journey, evidence="First try.")
    services.evidence_request_changes(
        progress=progress, reviewer=journey.manager, comment="Add before/after times."
    )

    html = signed_in(client, journey.learner).get(step_url(journey, journey.practise)).content
    html = html.decode()

    assert "Your reviewer asked for changes." in html
    assert "Add before/after times." in html
    assert "Resubmit your evidence" in html
    assert "First try.</textarea>" in html


def test_the_approved_outcome_and_level_show_on_the_step_page(client):
    journey = a_journey()
    progress = submitted(journey, evidence="Did it.")
    services.evidence_approve(
        progress=progress, reviewer=journey.manager, rubric_level=3, comment="Solid."
    )

    html = signed_in(client, journey.learner).get(step_url(journey, journey.practise)).content
    html = html.decode()

    assert "Approved at rubric level 3 — Proficient</strong> by Tom Okafor" in html
    assert "Solid." in html


def test_feedback_is_saved_in_place_and_answering_again_updates_it(client):
    journey = a_journey()
    client = signed_in(client, journey.learner)
    url = step_url(journey, journey.learn, "feedback")

    first = client.post(url, {"useful": "yes"}, **HTMX)
    client.post(url, {"useful": "no", "comment": "Needs our own examples."}, **HTMX)

    assert "your feedback is saved" in first.content.decode()
    assert '<section class="card step-feedback" id="step-feedback"' in first.content.decode()
    (feedback,) = StepFeedback.objects.all()
    assert (feedback.useful, feedback.comment) == (False, "Needs our own examples.")


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Answer yes or no."),
        ({"useful": "maybe"}, "Answer yes or no."),
        ({"useful": "yes", "comment": "x" * 2_001}, "at most 2,000 characters"),
    ],
)
def test_bad_feedback_gets_a_clear_message_and_saves_nothing(client, data, message):
    journey = a_journey()

    response = signed_in(client, journey.learner).post(
        step_url(journey, journey.learn, "feedback"), data, **HTMX
    )

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not StepFeedback.objects.exists()


def test_confidence_is_rated_in_place_and_a_bad_rating_changes_nothing(client):
    journey = a_journey()
    client = signed_in(client, journey.learner)
    url = f"/learning/{journey.pathway.slug}/confidence/"

    bad = client.post(url, {"moment": "start", "rating": "9"}, **HTMX)
    good = client.post(url, {"moment": "start", "rating": "4"}, **HTMX)
    double = client.post(url, {"moment": "start", "rating": "1"}, **HTMX)

    assert "from 1 (not at all) to 5" in bad.content.decode()
    assert "your confidence rating is saved" in good.content.decode()
    assert "already rated your confidence" in double.content.decode()
    assert list(ConfidenceRating.objects.values_list("rating", flat=True)) == [4]


def test_the_stage_confidence_prompt_appears_when_the_stage_is_finished(client):
    journey = a_journey()
    services.confidence_rate(enrollment=journey.enrollment, moment="start", rating=3)
    services.step_mark_done(enrollment=journey.enrollment, step=journey.learn)
    client = signed_in(client, journey.learner)

    response = client.post(step_url(journey, journey.reflect, "done"), **HTMX)

    html = response.content.decode()
    assert "You finished “Foundations”. How confident are you now" in html
    assert f'name="stage" value="{journey.foundation.pk}"' in html


# --- Access: nobody reaches another person's records -----------------------------------


def test_another_person_gets_404_for_every_step_url_of_a_pathway_they_are_not_on(client):
    journey = a_journey()
    colleague = PersonFactory(team=journey.learner.team)
    client = signed_in(client, colleague)

    assert client.get(step_url(journey, journey.learn)).status_code == 404
    for action in ("start", "done", "evidence", "feedback"):
        response = client.post(
            step_url(journey, journey.learn, action), {"evidence": "x", "useful": "yes"}
        )
        assert response.status_code == 404, action
    response = client.post(
        f"/learning/{journey.pathway.slug}/confidence/", {"moment": "start", "rating": 3}
    )
    assert response.status_code == 404
    assert not StepProgress.objects.exists()
    assert not StepFeedback.objects.exists()
    assert not ConfidenceRating.objects.exists()


def test_my_actions_touch_only_my_own_enrolment_on_a_shared_pathway(client):
    journey = a_journey()
    colleague = PersonFactory(team=journey.learner.team, job_role=journey.learner.job_role)
    services.enrollment_self_enrol(person=colleague, pathway=journey.pathway)

    signed_in(client, colleague).post(step_url(journey, journey.learn, "done"))

    assert status_of(journey, journey.learn) == "not_started"  # the learner's own
    assert StepProgress.objects.get().enrollment.person == colleague


def test_archived_steps_and_steps_of_other_pathways_are_404(client):
    journey = a_journey()
    journey.learn.is_archived = True
    journey.learn.save()
    other = StepFactory(key="elsewhere")
    client = signed_in(client, journey.learner)

    assert client.get(step_url(journey, journey.learn)).status_code == 404
    assert client.get(f"/learning/{journey.pathway.slug}/steps/{other.key}/").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in_and_actions_need_post(client):
    journey = a_journey()

    assert client.get(step_url(journey, journey.learn)).status_code == 302
    client.force_login(journey.learner.user)
    assert client.get(step_url(journey, journey.learn, "done")).status_code == 405


# --- Query counts ------------------------------------------------------------------------


def test_step_page_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    journey = a_journey()
    client = signed_in(client, journey.learner)
    url = step_url(journey, journey.practise)
    # 1 session + 1 user + 1 person (team, job role) + 1 enrolment by slug + 1 step
    # (stage, product, competency) + 1 led teams for "may review?" in the subnav
    # (whether they have reports rides on the Person query) + 5 the pathway plan
    # (stages, live steps, prerequisites, progress, confidence) + 1 own feedback
    # + 1 rubric + 1 groups (navigation) = 14.
    with django_assert_num_queries(14) as first:
        assert client.get(url).status_code == 200

    for n in range(10):
        StepFactory(stage=journey.practice, position=10 + n).prerequisites.add(journey.learn)
    services.step_mark_done(enrollment=journey.enrollment, step=journey.learn)
    with django_assert_num_queries(len(first.captured_queries)):
        assert client.get(url).status_code == 200


def test_step_action_partial_runs_a_fixed_number_of_queries(client, django_assert_num_queries):
    journey = a_journey()
    client = signed_in(client, journey.learner)
    for n in range(3):
        StepFactory(stage=journey.foundation, position=10 + n)
    # 3 session, user, person + 2 enrolment and step; the service in its transaction:
    # 2 savepoint and release + 5 the plan (unlock check) + 4 get-or-create the progress
    # row (select, savepoint, insert, release) + 1 lock it + 3 its check constraints
    # (savepoint, check, release) + 1 update + 4 the activity record (select, savepoint,
    # insert, release) + 1 its rollup bucket marker; then the panel: 5 the plan + 1 own
    # feedback (a learn step has no competency, so no rubric query) = 32 (the panel
    # renders no navigation, so its groups and led teams are never asked).
    with django_assert_num_queries(EXPECTED_ACTION_QUERIES):
        client.post(step_url(journey, journey.learn, "done"), **HTMX)

    for n in range(10):
        StepFactory(stage=journey.practice, position=10 + n)
    with django_assert_num_queries(EXPECTED_ACTION_QUERIES):
        client.post(step_url(journey, journey.reflect, "done"), **HTMX)


def test_confidence_without_htmx_goes_back_only_to_a_page_of_this_site(client, db):
    journey = a_journey()
    client = signed_in(client, journey.learner)
    url = f"/learning/{journey.pathway.slug}/confidence/"

    inside = client.post(url, {"moment": "start", "rating": "3", "back": "/learning/x/"})
    outside = client.post(url, {"moment": "start", "rating": "3", "back": "https://evil.example"})

    assert inside.url == "/learning/x/"
    assert outside.url == "/learning/"


def test_submitting_evidence_twice_shows_it_is_already_waiting_for_review(client, db):
    journey = a_journey()
    finish_foundation(journey)
    client = signed_in(client, journey.learner)
    url = step_url(journey, journey.practise, "evidence")
    client.post(url, {"evidence": "First."}, **HTMX)

    again = client.post(url, {"evidence": "Second."}, **HTMX)
    plain = client.post(url, {"evidence": "Third."}, follow=True)

    assert "already waiting for review; nothing was changed" in again.content.decode()
    assert "already waiting for review; nothing was changed" in plain.content.decode()
    progress = StepProgress.objects.get(step=journey.practise)
    assert progress.evidence == "First."


def test_a_step_action_refreshes_the_step_list_out_of_band(client):
    journey = a_journey()
    client = signed_in(client, journey.learner)

    done = client.post(step_url(journey, journey.learn, "done"), **HTMX).content.decode()

    panel, step_list = done.split('<section class="card" id="step-list"', 1)
    assert 'id="step-progress"' in panel
    assert 'hx-swap-oob="true"' in step_list.split(">", 1)[0]
    learn_item, reflect_item = step_list.split("<li")[1:3]
    assert "Learn the basics" in learn_item
    assert 'class="done current"' in "<li" + learn_item
    assert "Done" in learn_item  # beside the step, without a reload
    assert "Reflect" in reflect_item
    assert "Not started" in reflect_item  # unlocked now, no longer "Locked"
    # The next action takes the focus, and what happened is announced.
    assert "data-focus-after-swap>Reflect</a>" in panel
    assert "data-announce" in panel


def test_a_full_step_page_has_the_step_list_in_place_not_out_of_band(client):
    journey = a_journey()
    html = signed_in(client, journey.learner).get(step_url(journey, journey.learn)).text
    assert '<section class="card" id="step-list" aria-labelledby="steps-heading">' in html
    assert "hx-swap-oob" not in html
    assert "data-focus-after-swap" not in html


def test_the_confidence_ratings_given_are_shown(client):
    journey = a_journey()
    services.confidence_rate(enrollment=journey.enrollment, moment="start", stage=None, rating=2)
    services.step_mark_done(enrollment=journey.enrollment, step=journey.learn)
    services.step_mark_done(enrollment=journey.enrollment, step=journey.reflect)
    services.confidence_rate(
        enrollment=journey.enrollment, moment="stage", stage=journey.foundation, rating=4
    )

    html = signed_in(client, journey.learner).get(step_url(journey, journey.practise)).text
    mine = html.split('class="muted small ratings-given">')[1].split("</p>")[0]
    assert mine == "Your confidence: 2 out of 5 at the start · 4 out of 5 after “Foundations”."
    assert "Your confidence: 2 out of 5" in client.get("/learning/").text


# --- Editing or withdrawing evidence until it is reviewed --------------------------------


def test_the_learner_edits_evidence_waiting_for_review_in_place(client):
    journey = a_journey()
    submitted(journey, evidence="First version.")
    client = signed_in(client, journey.learner)
    page = client.get(step_url(journey, journey.practise)).text
    assert "Edit your evidence" in page
    assert "First version.</textarea>" in page  # the edit form starts from what was sent
    assert "Withdraw from review" in page

    response = client.post(
        step_url(journey, journey.practise, "evidence/edit"),
        {"evidence": "Second version.", "evidence_url": "https://example.com/t/2"},
        **HTMX,
    )

    html = response.text
    assert response.status_code == 200
    assert "<html" not in html
    panel = html.split('<section class="card" id="step-list"', 1)[0]
    assert (
        '<p class="action-done" data-announce tabindex="-1" data-focus-after-swap>'
        "Your changes are saved; your evidence is still waiting for review.</p>"
    ) in panel
    assert panel.count("data-focus-after-swap") == 1
    assert "<p>Second version.</p>" in panel
    assert "(edited " in panel
    progress = StepProgress.objects.get(step=journey.practise)
    assert (progress.status, progress.evidence, progress.evidence_url) == (
        "submitted",
        "Second version.",
        "https://example.com/t/2",
    )


@pytest.mark.parametrize(
    ("evidence", "link", "field", "message"),
    [
        ("", "", "evidence", "evidence cannot be empty"),
        ("x" * 10_001, "", "evidence", "at most 10,000 characters"),
        ("Kept text.", "somewhere", "evidence_url", "starting with http:// or https://"),
    ],
)
def test_a_bad_edit_is_shown_under_its_field_keeping_what_was_typed(
    client, evidence, link, field, message
):
    journey = a_journey()
    submitted(journey, evidence="First version.")
    client = signed_in(client, journey.learner)
    url = step_url(journey, journey.practise, "evidence/edit")

    in_place = client.post(url, {"evidence": evidence, "evidence_url": link}, **HTMX)
    full_page = client.post(url, {"evidence": evidence, "evidence_url": link})

    for response in (in_place, full_page):
        assert response.status_code == 200
        assert message in response.text
        assert '<details class="edit-evidence" open>' in response.text  # the form stays open
        assert f"\n{evidence}</textarea>" in response.text
        assert f'value="{link}"' in response.text or not link
    # In place, the field to correct takes the focus and says it is invalid.
    (invalid,) = re.findall(r"<(?:textarea|input)[^>]*aria-invalid[^>]*>", in_place.text)
    assert f'name="{field}"' in invalid
    assert "data-focus-after-swap" in invalid
    assert in_place.text.count("data-focus-after-swap") == 1
    progress = StepProgress.objects.get(step=journey.practise)
    assert (progress.evidence, progress.evidence_edited_at) == ("First version.", None)


def test_without_htmx_an_edit_or_withdrawal_goes_back_to_the_step_page_with_a_message(client):
    journey = a_journey()
    submitted(journey, evidence="First version.")
    client = signed_in(client, journey.learner)

    edited = client.post(
        step_url(journey, journey.practise, "evidence/edit"),
        {"evidence": "Second version."},
        follow=True,
    )
    withdrawn = client.post(step_url(journey, journey.practise, "evidence/withdraw"), follow=True)

    assert edited.redirect_chain == [(step_url(journey, journey.practise), 302)]
    assert "Your changes are saved; your evidence is still waiting for review." in edited.text
    assert "You withdrew your evidence: it is no longer waiting for review." in withdrawn.text
    assert "Second version.</textarea>" in withdrawn.text  # the draft, to submit again
    assert "Submit your draft evidence again" in withdrawn.text
    assert StepProgress.objects.get(step=journey.practise).status == "in_progress"


def test_withdrawing_in_place_refreshes_the_panel_and_the_step_list(client):
    journey = a_journey()
    submitted(journey, evidence="Drafted 12 replies.")
    client = signed_in(client, journey.learner)

    response = client.post(step_url(journey, journey.practise, "evidence/withdraw"), **HTMX)

    panel, step_list = response.text.split('<section class="card" id="step-list"', 1)
    assert "You withdrew your evidence" in panel
    assert panel.count("data-focus-after-swap") == 1
    assert "Your evidence is waiting for review" not in panel
    assert "Withdraw from review" not in panel
    assert "Drafted 12 replies.</textarea>" in panel
    assert "Submit for review" in panel
    practise_item = step_list.split("Draft five real replies", 1)[1].split("</li>")[0]
    assert "In progress" in practise_item
    assert 'hx-swap-oob="true"' in step_list.split(">", 1)[0]


def test_reviewed_evidence_offers_no_edit_and_a_stale_edit_is_told_why(client):
    journey = a_journey()
    progress = submitted(journey, evidence="Did it.")
    client = signed_in(client, journey.learner)
    stale_page = client.get(step_url(journey, journey.practise)).text
    assert "Edit your evidence" in stale_page
    services.evidence_approve(progress=progress, reviewer=journey.manager, rubric_level=3)

    page = client.get(step_url(journey, journey.practise)).text
    edit = client.post(
        step_url(journey, journey.practise, "evidence/edit"), {"evidence": "Better."}, **HTMX
    )
    withdraw = client.post(step_url(journey, journey.practise, "evidence/withdraw"), **HTMX)

    assert "Edit your evidence" not in page
    assert "Withdraw from review" not in page
    for response in (edit, withdraw):
        assert response.status_code == 200
        assert (
            '<ul class="errorlist" role="alert" tabindex="-1" data-focus-after-swap><li>'
            "Your evidence has been reviewed and approved, so it can no longer be edited or "
            "withdrawn; nothing was changed.</li></ul>"
        ) in response.text
    progress.refresh_from_db()
    assert (progress.status, progress.evidence) == ("approved", "Did it.")


def test_nobody_else_reaches_the_edit_or_withdraw_of_my_evidence(client):
    journey = a_journey()
    submitted(journey, evidence="Mine.")
    colleague = PersonFactory(team=journey.learner.team, job_role=journey.learner.job_role)
    services.enrollment_self_enrol(person=colleague, pathway=journey.pathway)
    actions = ("evidence/edit", "evidence/withdraw")

    # The manager is not on the pathway: no step of it is theirs to act on.
    client = signed_in(client, journey.manager)
    for action in actions:
        response = client.post(step_url(journey, journey.practise, action), {"evidence": "x"})
        assert response.status_code == 404, action
    # A colleague on the same pathway reaches only their own enrolment, with nothing
    # submitted: a message, and nothing changes.
    client = signed_in(client, colleague)
    for action in actions:
        response = client.post(
            step_url(journey, journey.practise, action), {"evidence": "x"}, follow=True
        )
        assert "No evidence of yours is waiting for review here" in response.text, action
    client.logout()
    for action in actions:
        response = client.post(step_url(journey, journey.practise, action), {"evidence": "x"})
        assert (response.status_code, "/login/" in response.url) == (302, True), action

    progress = StepProgress.objects.get(enrollment=journey.enrollment, step=journey.practise)
    assert (progress.status, progress.evidence) == ("submitted", "Mine.")
    assert StepProgress.objects.count() == 3  # the learner's two foundation steps and this


def test_evidence_edit_and_withdraw_partials_run_a_fixed_number_of_queries(
    client, django_assert_num_queries
):
    journey = a_journey()
    submitted(journey, evidence="First version.")
    client = signed_in(client, journey.learner)
    # 3 session, user, person + 2 enrolment and step; the service in its transaction:
    # 2 savepoint and release + 1 the progress row, locked + 3 its check constraints
    # (savepoint, check, release) + 1 update; then the panel: 5 the plan + 1 own
    # feedback + 1 rubric (the practice step has a competency) = 19 (no navigation).
    with django_assert_num_queries(19):
        client.post(
            step_url(journey, journey.practise, "evidence/edit"), {"evidence": "Two."}, **HTMX
        )
    with django_assert_num_queries(19):
        client.post(step_url(journey, journey.practise, "evidence/withdraw"), **HTMX)

    for n in range(10):
        StepFactory(stage=journey.practice, position=10 + n)
    services.evidence_submit(enrollment=journey.enrollment, step=journey.practise, evidence="3")
    with django_assert_num_queries(19):
        client.post(
            step_url(journey, journey.practise, "evidence/edit"), {"evidence": "Four."}, **HTMX
        )
    with django_assert_num_queries(19):
        client.post(step_url(journey, journey.practise, "evidence/withdraw"), **HTMX)
