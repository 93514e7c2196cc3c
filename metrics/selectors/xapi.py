"""Reads for the xAPI mapping page: the mapping tables and what the receiver made of the
statements it stored."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count

from metrics.models import XapiActivityMapping, XapiStatement, XapiVerbMapping

SHOWN_UNMAPPED = 20


@dataclass(frozen=True)
class XapiReport:
    by_outcome: list[tuple[str, int]]  # (outcome label, statements), largest first
    unmapped: list[tuple[str, str, int]]  # (outcome, verb or activity IRI, statements)


def xapi_verb_mappings():
    return XapiVerbMapping.objects.order_by("kind", "verb_iri")


def xapi_activity_mappings():
    return XapiActivityMapping.objects.select_related("step__pathway").order_by("activity_iri")


def xapi_report() -> XapiReport:
    """Statements by outcome, and the verbs and activity ids most often left uncounted
    (what to map next): two grouped queries."""
    labels = dict(XapiStatement.Outcome.choices)
    by_outcome = [
        (labels.get(row["outcome"], row["outcome"]), row["statements"])
        for row in XapiStatement.objects.values("outcome")
        .annotate(statements=Count("pk"))
        .order_by("-statements", "outcome")
    ]
    unmapped = [
        (row["outcome"], row["detail"], row["statements"])
        for row in XapiStatement.objects.filter(
            outcome__in=(
                XapiStatement.Outcome.VERB_NOT_COUNTED,
                XapiStatement.Outcome.ACTIVITY_NOT_MAPPED,
            )
        )
        .values("outcome", "detail")
        .annotate(statements=Count("pk"))
        .order_by("-statements", "detail")[:SHOWN_UNMAPPED]
    ]
    return XapiReport(by_outcome=by_outcome, unmapped=unmapped)
