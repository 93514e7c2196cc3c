"""The L&D admins' pathway list page."""

import re

from django.utils import timezone

from pathways.models import Pathway
from tests.factories import (
    EnrollmentFactory,
    PathwayFactory,
    StageFactory,
    StepFactory,
    StepProgressFactory,
)


def row_numbers(html: str, title: str) -> list[int]:
    """The numeric cells of the pathway list's row for `title`."""
    row = re.search(
        rf"<tr>\s*<td><strong><a [^>]*>{re.escape(title)}</a></strong>.*?</tr>", html, re.S
    )
    assert row, f"no row for {title!r}"
    return [int(n) for n in re.findall(r'<td class="num">(\d+)</td>', row.group(0))]


def a_full_pathway(**kwargs) -> Pathway:
    """A pathway with two stages, three steps, two enrolments (one completed) and progress."""
    pathway = PathwayFactory(**kwargs)
    foundation = StageFactory(pathway=pathway)
    practice = StageFactory(pathway=pathway, kind="practice")
    steps = [StepFactory(stage=foundation), StepFactory(stage=practice)]
    steps.append(StepFactory(stage=practice, kind="practice"))
    for completed_at in (None, timezone.now()):
        enrollment = EnrollmentFactory(pathway=pathway, completed_at=completed_at)
        StepProgressFactory(enrollment=enrollment, step=steps[0], status="approved")
    return pathway


# The pathway list (L&D admins) --------------------------------------------------------


def test_pathway_list_shows_every_pathway_with_its_counts_and_status(client, ld_admin):
    a_full_pathway(title="Support replies with AI")
    PathwayFactory(title="Draft pathway", status=Pathway.Status.DRAFT)
    client.force_login(ld_admin)

    response = client.get("/pathways/")

    html = response.content.decode()
    assert response.status_code == 200
    # stages, steps, enrolled, completed
    assert row_numbers(html, "Support replies with AI") == [2, 3, 2, 1]
    assert row_numbers(html, "Draft pathway") == [0, 0, 0, 0]
    assert "status-draft" in html


def test_pathway_list_says_so_when_there_are_no_pathways(client, ld_admin):
    client.force_login(ld_admin)

    assert "No pathways yet." in client.get("/pathways/").content.decode()


def test_pathway_list_links_each_pathway_to_its_editor_and_offers_a_new_one(client, ld_admin):
    pathway = PathwayFactory(title="Support replies with AI")
    client.force_login(ld_admin)

    html = client.get("/pathways/").content.decode()

    assert f'href="/pathways/{pathway.pk}/"' in html
    assert 'href="/pathways/new/"' in html
    assert "Coming soon" not in html
    assert "/admin/" not in html.split("<main", 1)[1]


def test_pathway_list_runs_a_fixed_number_of_queries(client, ld_admin, django_assert_num_queries):
    a_full_pathway()
    client.force_login(ld_admin)
    # 1 session + 1 user + 1 the user's groups (L&D admin?) + 1 their Person, for the
    # navigation + 1 pathways with all four counts annotated = 5.
    with django_assert_num_queries(5):
        assert client.get("/pathways/").status_code == 200

    for _ in range(15):
        a_full_pathway()
    with django_assert_num_queries(5):
        assert client.get("/pathways/").status_code == 200


# My learning (employees) --------------------------------------------------------------
