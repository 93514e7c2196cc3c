"""Paging for every list that grows with the organisation (people, teams, evidence to
review, syncs, keys): one Paginator page per request, and the pager partial
(templates/upskill/_pager.html) whose links keep the page's other filters.

A page of a queryset costs two queries however long the list: the count and the
page's rows. A bad or too-high page number shows the first or last page, never an
error (Paginator.get_page)."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest


def page_of(
    items: QuerySet | Sequence, request: HttpRequest, *, per_page: int, param: str = "page"
) -> Page:
    """The page of `items` the request's `?<param>=` asks for. The page also carries
    what its pager needs: `param`, and `link_query`, the request's other parameters
    (the filters) for the pager's links to keep."""
    page = Paginator(items, per_page).get_page(request.GET.get(param))
    others = request.GET.copy()
    others.pop(param, None)
    page.param = param
    page.link_query = others.urlencode()
    return page
