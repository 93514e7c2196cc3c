"""L&D admins see step feedback aggregated per step, anonymous, and only for steps
enough people answered."""

import re

import pytest

from pathways.selectors.learning import step_feedback_summary
from tests.factories import PathwayFactory, PersonFactory, StepFactory, StepFeedbackFactory

pytestmark = pytest.mark.django_db


def answers(step, count, *, useful=True, comment=""):
    for n in range(count):
        StepFeedbackFactory(
            step=step,
            useful=useful,
            comment=f"{comment} {n}" if comment else "",
            person=PersonFactory(user__first_name="Secret", user__last_name=f"Name{n}"),
        )


def test_a_step_with_enough_answers_shows_counts_share_useful_and_comments(settings):
    settings.MIN_GROUP_SIZE = 5
    step = StepFactory()
    answers(step, 4, useful=True, comment="Saved me time")
    answers(step, 1, useful=False)

    (summary,) = step_feedback_summary(step.pathway)

    assert (summary.answers, summary.useful, summary.useful_percent) == (5, 4, 80)
    assert sorted(summary.comments) == [f"Saved me time {n}" for n in range(4)]


def test_a_step_with_too_few_answers_shows_no_share_and_no_comments(settings):
    settings.MIN_GROUP_SIZE = 5
    step = StepFactory()
    answers(step, 4, comment="Identifiable remark")

    (summary,) = step_feedback_summary(step.pathway)

    assert not summary.shown
    assert summary.comments == []
    assert summary.useful_percent is None


def test_archived_steps_are_left_out(settings):
    step = StepFactory()
    StepFactory(stage=step.stage, is_archived=True)

    assert [s.step for s in step_feedback_summary(step.pathway)] == [step]


def test_the_page_shows_comments_without_names_and_hides_small_groups(client, ld_admin, settings):
    settings.MIN_GROUP_SIZE = 3
    pathway = PathwayFactory()
    big = StepFactory(stage__pathway=pathway, title="Big step")
    small = StepFactory(stage__pathway=pathway, title="Small step")
    answers(big, 3, comment="Useful on real tickets")
    answers(small, 2, comment="Only two of us")
    client.force_login(ld_admin)

    html = client.get(f"/pathways/{pathway.slug}/feedback/").content.decode()

    assert "Useful on real tickets 0" in html
    assert "Only two of us" not in html
    assert "Fewer than 3 answers" in html
    assert "Secret" not in html
    assert "Name0" not in html


def test_the_partial_is_served_to_htmx(client, ld_admin):
    pathway = PathwayFactory()
    StepFactory(stage__pathway=pathway)
    client.force_login(ld_admin)

    html = client.get(f"/pathways/{pathway.slug}/feedback/", HTTP_HX_REQUEST="true")
    html = html.content.decode()

    assert html.lstrip().startswith('<section id="feedback-summary"')


def test_the_feedback_page_is_for_ld_admins_only(client, employee, leader):
    pathway = PathwayFactory()
    for user in (employee.user, leader):
        client.force_login(user)
        assert client.get(f"/pathways/{pathway.slug}/feedback/").status_code == 403


def test_feedback_page_runs_a_fixed_number_of_queries(
    client, ld_admin, settings, django_assert_num_queries
):
    settings.MIN_GROUP_SIZE = 2
    pathway = PathwayFactory()
    answers(StepFactory(stage__pathway=pathway), 2, comment="Good")
    client.force_login(ld_admin)
    # 1 session + 1 user + 1 groups (the L&D admin check, cached for the navigation)
    # + 1 pathway + 1 live steps + 1 answers per step + 1 comments of shown steps
    # + 1 Person (navigation: is a learner?) = 8. (An admin sees the dashboard link
    # without asking which teams they lead.)
    with django_assert_num_queries(8):
        assert client.get(f"/pathways/{pathway.slug}/feedback/").status_code == 200
    for _ in range(5):
        answers(StepFactory(stage__pathway=pathway), 3, comment="More")
    with django_assert_num_queries(8):
        assert client.get(f"/pathways/{pathway.slug}/feedback/").status_code == 200


def test_the_pathway_editor_links_to_the_feedback_summary(client, ld_admin):
    from tests.factories import PathwayFactory

    pathway = PathwayFactory()
    client.force_login(ld_admin)
    page = client.get(f"/pathways/{pathway.pk}/")
    assert f'href="/pathways/{pathway.slug}/feedback/"' in page.text


def test_the_summary_shows_a_steps_newest_comments_and_pages_through_all_of_them(
    client, ld_admin, settings, django_assert_num_queries
):
    settings.MIN_GROUP_SIZE = 5
    step = StepFactory()
    answers(step, 60, comment="Remark")
    client.force_login(ld_admin)

    (summary,) = step_feedback_summary(step.pathway)
    assert (len(summary.comments), summary.comment_count) == (5, 60)
    url = f"/pathways/{step.pathway.slug}/feedback/"
    page = client.get(url).text
    assert page.count("<li>Remark ") == 5
    assert f'href="{url}?step={step.pk}#step-comments">All 60 comments' in page
    # the summary's 8 + the step's comments counted + a page of them = 10
    with django_assert_num_queries(10):
        first = client.get(f"{url}?step={step.pk}").text
    assert first.count("<li>Remark ") == 5 + 50
    with django_assert_num_queries(10):
        second = client.get(f"{url}?step={step.pk}&page=2").text
    listed = [
        re.findall(r"<li>(Remark \d+)</li>", html.split('id="step-comments"')[1])
        for html in (first, second)
    ]
    assert [len(comments) for comments in listed] == [50, 10]
    assert set(listed[0]) | set(listed[1]) == {f"Remark {n}" for n in range(60)}
    assert "Secret" not in first + second


def test_the_comments_of_a_step_too_few_answered_are_never_listed(client, ld_admin, settings):
    settings.MIN_GROUP_SIZE = 5
    step = StepFactory()
    answers(step, 4, comment="Identifiable remark")
    client.force_login(ld_admin)

    page = client.get(f"/pathways/{step.pathway.slug}/feedback/?step={step.pk}").text

    assert "Identifiable remark" not in page
    assert 'id="step-comments"' not in page
