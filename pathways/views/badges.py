"""Verifiable Open Badges 3.0: the owner's badge page and download, the public pages a
verifier reaches without signing in (issuer profile, status lists, the verification
page and credential of a badge its owner shared, achievements and their image), and
the L&D admin's revocation page.

Public pages answer a private or unknown credential with the same 404, so they say
nothing about a badge its owner has not shared."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from pathways.forms.badges import BadgeRevokeForm, BadgeSharingForm
from pathways.models import BadgeStatusList, IssuedBadge
from pathways.selectors import badges as selectors
from pathways.services import badges as services
from upskill import access
from upskill.decorators import ld_admin_required, person_required
from upskill.forms import validation_error_onto_form
from upskill.http import HtmxHttpRequest

BADGES_PER_PAGE = 50
NOT_SHARED = "No badge here: its owner has not shared it, or the link is wrong."


def _json_ld(document: dict | str, *, filename: str | None = None) -> HttpResponse:
    """A JSON-LD response; a signed document is passed as the text it was stored as."""
    if not isinstance(document, str):
        document = json.dumps(document, indent=2, ensure_ascii=False)
    response = HttpResponse(document, content_type="application/ld+json; charset=utf-8")
    # Verifiers run in browsers too (wallets, 1EdTech's validator): public documents
    # carry nothing private and may be read from any origin.
    response["Access-Control-Allow-Origin"] = "*"
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _own_badge(request: HtmxHttpRequest, pk: int) -> IssuedBadge:
    person = access.person_of(request.user)
    enrollment = selectors.own_badge_enrollment(person, pk)
    if enrollment is None:
        raise Http404("No badge here: it is issued to its owner once the pathway is complete.")
    return services.badge_issue(enrollment=enrollment)


# --- The owner ----------------------------------------------------------------------------


@require_GET
@person_required
def badge_mine(request: HtmxHttpRequest, pk: int):
    badge = _own_badge(request, pk)
    context = {
        "badge": badge,
        "pathway": badge.enrollment.pathway,
        "form": BadgeSharingForm(initial={"is_public": not badge.is_public}),
        "public_url": selectors.credential_url(badge.public_id),
        "issuer_did": badge.signing_key.did,
        "section": "recognition",
    }
    return render(request, "pathways/badges/mine.html", context)


@require_GET
@person_required
def badge_download(request: HtmxHttpRequest, pk: int):
    """The owner's signed credential, as issued, to keep or add to a wallet."""
    badge = _own_badge(request, pk)
    return _json_ld(badge.signed_json, filename=f"badge-{badge.enrollment.pathway.slug}.json")


@require_POST
@person_required
def badge_sharing(request: HtmxHttpRequest, pk: int):
    badge = _own_badge(request, pk)
    form = BadgeSharingForm(request.POST)
    if form.is_valid():
        services.badge_sharing_set(
            badge=badge,
            person=access.person_of(request.user),
            is_public=form.cleaned_data["is_public"],
        )
        if badge.is_public:
            messages.success(request, "Your badge's verification page is public.")
        else:
            messages.success(request, "Your badge's verification page is off.")
    return redirect("pathways:badge_mine", pk=pk)


# --- Public: what a verifier fetches ------------------------------------------------------


@require_GET
def badge_issuer(request: HtmxHttpRequest):
    return _json_ld(selectors.issuer_profile(selectors.signing_keys()))


@require_GET
def badge_status_list(request: HtmxHttpRequest, pk: int):
    status_list = get_object_or_404(BadgeStatusList, signing_key_id=pk)
    return _json_ld(status_list.signed_json)


@require_GET
def badge_public(request: HtmxHttpRequest, public_id: str):
    badge = selectors.public_badge(public_id)
    if badge is None:
        raise Http404(NOT_SHARED)
    context = {
        "badge": badge,
        "pathway": badge.enrollment.pathway,
        "recipient": badge.enrollment.person,
        "credential": badge.document,
    }
    return render(request, "pathways/badges/public.html", context)


@require_GET
def badge_public_credential(request: HtmxHttpRequest, public_id: str):
    badge = selectors.public_badge(public_id)
    if badge is None:
        raise Http404(NOT_SHARED)
    return _json_ld(badge.signed_json)


@require_GET
def achievement(request: HtmxHttpRequest, slug: str):
    pathway = selectors.achievement_pathway(slug)
    if pathway is None:
        raise Http404("No such achievement.")
    return render(request, "pathways/badges/achievement.html", {"pathway": pathway})


@require_GET
def achievement_image(request: HtmxHttpRequest, slug: str):
    pathway = selectors.achievement_pathway(slug)
    if pathway is None:
        raise Http404("No such achievement.")
    response = render(
        request,
        "pathways/badges/badge.svg",
        {"pathway": pathway},
        content_type="image/svg+xml; charset=utf-8",
    )
    response["Access-Control-Allow-Origin"] = "*"
    return response


# --- L&D admins: revocation ---------------------------------------------------------------


@require_GET
@ld_admin_required
def badge_admin(request: HtmxHttpRequest):
    # get_page answers a missing, malformed or out-of-range ?page= with the nearest page.
    page = Paginator(selectors.issued_badges_for_admin(), BADGES_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(request, "pathways/badges/admin.html", {"page": page, "form": BadgeRevokeForm()})


def _badge_admin_page(request: HtmxHttpRequest):
    """Back to the list page the revocation was made from."""
    url = reverse("pathways:badge_admin")
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() and page != "1" else url)


@require_POST
@ld_admin_required
def badge_revoke(request: HtmxHttpRequest, pk: int):
    badge = get_object_or_404(IssuedBadge.objects.select_related("enrollment__pathway"), pk=pk)
    form = BadgeRevokeForm(request.POST)
    if form.is_valid():
        try:
            services.badge_revoke(badge=badge, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            validation_error_onto_form(form, exc)
        else:
            messages.success(
                request,
                f"Revoked the “{badge.enrollment.pathway.title}” badge: verifiers now "
                "see it as revoked.",
            )
            return _badge_admin_page(request)
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
    return _badge_admin_page(request)
