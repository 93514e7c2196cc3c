"""The one pager: a page of any list, the filters kept in its links, bad page numbers
answered with a page rather than an error, and the one-query form giving the same page."""

import pytest
from django.test import RequestFactory

from tests.factories import TeamFactory
from upskill.models import Team
from upskill.paging import page_of, page_of_counted

pytestmark = pytest.mark.django_db


def _request(query: str):
    return RequestFactory().get(f"/teams/?{query}")


@pytest.fixture
def teams():
    return [TeamFactory(name=f"Team {n:02d}") for n in range(23)]


@pytest.mark.parametrize(
    ("query", "number", "names"),
    [
        ("", 1, [f"Team {n:02d}" for n in range(10)]),
        ("page=3", 3, ["Team 20", "Team 21", "Team 22"]),
        ("page=99", 3, ["Team 20", "Team 21", "Team 22"]),  # past the end: the last
        ("page=abc", 1, [f"Team {n:02d}" for n in range(10)]),
        ("page=-2", 3, ["Team 20", "Team 21", "Team 22"]),  # as Paginator.get_page
    ],
)
def test_both_pagers_give_the_same_page_for_any_page_number(teams, query, number, names):
    ordered = Team.objects.order_by("name")
    for paged in (
        page_of(ordered, _request(query), per_page=10),
        page_of_counted(ordered, _request(query), per_page=10),
    ):
        assert paged.number == number
        assert [team.name for team in paged.object_list] == names
        assert (paged.paginator.count, paged.paginator.num_pages) == (23, 3)


def test_the_pager_links_keep_the_other_filters(teams, django_assert_num_queries):
    request = _request("q=team&kind=all&page=2")
    with django_assert_num_queries(1):
        paged = page_of_counted(Team.objects.order_by("name"), request, per_page=10)
    assert (paged.param, paged.link_query) == ("page", "q=team&kind=all")
    assert page_of(Team.objects.order_by("name"), request, per_page=10).link_query == (
        "q=team&kind=all"
    )


def test_an_empty_list_is_one_empty_page(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        paged = page_of_counted(Team.objects.order_by("name"), _request(""), per_page=10)
    assert list(paged.object_list) == []
    assert (paged.number, paged.paginator.num_pages, paged.has_other_pages()) == (1, 1, False)
