"""The reviewer's side (the review queue, one review), recognition and badges, and the
feedback summary L&D admins read.

Reviews are addressed by id and checked with access.can_review."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from pathways.forms import (
    RecognitionForm,
    ReviewForm,
)
from pathways.models import Pathway
from pathways.selectors import learning as selectors
from pathways.services import learning as services
from upskill import access, notifications
from upskill.decorators import ld_admin_required, person_required
from upskill.forms import validation_error_onto_form
from upskill.http import HtmxHttpRequest
from upskill.paging import page_of

# --- Review -------------------------------------------------------------------------------


def _reviewer_required(request: HtmxHttpRequest) -> None:
    if not access.is_reviewer(request.user):
        raise PermissionDenied


@require_GET
@login_required
def review_queue(request: HtmxHttpRequest):
    _reviewer_required(request)
    page = page_of(
        selectors.review_queue(request.user), request, per_page=selectors.REVIEWS_PER_PAGE
    )
    page.object_list = list(page.object_list)
    selectors.attach_rubrics(page.object_list)
    return render(
        request,
        "pathways/learning/review_queue.html",
        {
            "submissions": page.object_list,
            "page": page,
            "form": ReviewForm(),
            "is_reviewer": True,
            "section": "reviews",
        },
    )


@require_GET
@login_required
def review_count(request: HtmxHttpRequest):
    """The number beside "Reviews" in the top bar, loaded after the page (htmx) so no
    page spends queries on it. Nothing to review, or not a reviewer: no number.

    With `?bell=1` (what base.html asks on a reviewer's page) the notification bell
    comes along as an out-of-band swap, so the page's two counts cost one request."""
    count = selectors.review_count(request.user) if access.is_reviewer(request.user) else 0
    response = render(
        request, "pathways/learning/review_queue.html#review-count", {"review_count": count}
    )
    if request.GET.get("bell") == "1":
        response.write(notifications.bell_html(request, oob=True))
    return response


@require_http_methods(["GET", "POST"])
@login_required
def review(request: HtmxHttpRequest, pk: int):
    submission = selectors.submission_for_review(pk)
    if submission is None:
        raise Http404("No such submission.")
    if not access.can_review(request.user, submission.enrollment.person):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        reviewer = access.person_of(request.user)
        # A form without the version (an older page) is judged on the evidence as it is.
        seen = form.cleaned_data["evidence_version"] or None
        try:
            if form.cleaned_data["decision"] == ReviewForm.APPROVE:
                services.evidence_approve(
                    progress=submission,
                    reviewer=reviewer,
                    rubric_level=form.cleaned_data["rubric_level"],
                    comment=form.cleaned_data["comment"],
                    evidence_version=seen,
                )
                outcome = "approved"
            else:
                services.evidence_request_changes(
                    progress=submission,
                    reviewer=reviewer,
                    comment=form.cleaned_data["comment"],
                    evidence_version=seen,
                )
                outcome = "changes requested"
        except ValidationError as exc:
            validation_error_onto_form(form, exc)
        else:
            submission = selectors.submission_for_review(pk)
            if not request.htmx:
                learner = submission.enrollment.person.display_name
                messages.success(request, f"Review saved: {outcome} for {learner}.")
                return redirect("pathways:review_queue")
    context = {
        "submission": submission,
        "form": form,
        "outcome": outcome,
        "is_reviewer": True,
        "section": "reviews",
    }
    if request.htmx:
        return render(request, "pathways/learning/review_queue.html#review-item", context)
    return render(request, "pathways/learning/review.html", context)


# --- Recognition and badges ---------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@person_required
def recognition(request: HtmxHttpRequest):
    person = access.person_of(request.user)
    colleagues = selectors.recognition_colleagues(person)
    form = RecognitionForm(request.POST or None, colleagues=colleagues)
    if request.method == "POST" and form.is_valid():
        try:
            given = services.recognition_give(
                from_person=person,
                to_person=form.cleaned_data["to_person"],
                behaviour=form.cleaned_data["behaviour"],
                message=form.cleaned_data["message"],
            )
        except ValidationError as exc:
            validation_error_onto_form(form, exc)
        else:
            messages.success(
                request,
                f"You recognised {given.to_person.display_name} for "
                f"{given.get_behaviour_display().lower()}.",
            )
            return redirect("pathways:recognition")
    context = {
        "person": person,
        "form": form,
        "received": selectors.recognitions_received(person),
        "team_feed": selectors.team_recognition_feed(person),
        "badges": selectors.completed_enrollments(person),
        "is_reviewer": access.is_reviewer(request.user),
        "section": "recognition",
    }
    return render(request, "pathways/learning/recognition.html", context)


# --- Feedback summary (L&D admins) -------------------------------------------------------


@require_GET
@ld_admin_required
def feedback_summary(request: HtmxHttpRequest, slug: str):
    pathway = get_object_or_404(Pathway, slug=slug)
    summaries = selectors.step_feedback_summary(pathway)
    context = {"pathway": pathway, "summaries": summaries}
    if request.htmx:
        return render(request, "pathways/learning/_feedback_summary.html", context)
    # ?step=<pk>: every comment on that step, a page at a time (a shown step only).
    chosen = next((s for s in summaries if str(s.step.pk) == request.GET.get("step")), None)
    if chosen is not None and chosen.shown:
        context["chosen"] = chosen
        context["comments"] = page_of(
            selectors.step_feedback_comments(chosen), request, per_page=selectors.COMMENTS_PER_PAGE
        )
    return render(request, "pathways/learning/feedback_summary.html", context)
