"""Paging for every list that grows with the organisation (people, teams, evidence to
review, syncs, keys): one Paginator page per request, and the pager partial
(templates/upskill/_pager.html) whose links keep the page's other filters.

A page of a queryset costs two queries however long the list: the count and the
page's rows. A bad or too-high page number shows the first or last page, never an
error (Paginator.get_page)."""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
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


def page_of_counted(queryset: QuerySet, request: HttpRequest, *, per_page: int) -> Page:
    """As `page_of` for a queryset, in one query rather than two: each row of the page
    carries the whole list's count (COUNT(*) OVER ()), so nothing else is asked. For a
    page that must run the same number of queries as its other form, which counts a list
    it has already loaded. A page past the end shows the last page (one more query)."""
    # As Paginator.get_page: not a number is the first page, out of range the last.
    try:
        number = int(request.GET.get("page") or 1)
    except ValueError:
        number = 1
    if number < 1:
        number = 2**31  # past any end
    counted = queryset.annotate(list_count=Window(Count("pk")))
    rows = list(counted[(number - 1) * per_page : number * per_page])
    if not rows and number > 1:
        number = max(1, math.ceil(queryset.count() / per_page))
        rows = list(counted[(number - 1) * per_page : number * per_page])
    paginator = Paginator(range(rows[0].list_count if rows else 0), per_page)
    page = Page(rows, number, paginator)
    others = request.GET.copy()
    others.pop("page", None)
    page.param = "page"
    page.link_query = others.urlencode()
    return page
