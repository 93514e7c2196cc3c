"""The learner's own pages: my learning, a step (start, done, evidence — submitted,
then edited or withdrawn until it is reviewed —, feedback) and confidence ratings. A
learner reaches their records only through their own enrolment (looked up by pathway
slug for the signed-in person)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from pathways.forms import (
    ConfidenceForm,
    EvidenceForm,
    FeedbackForm,
)
from pathways.models import Pathway, Stage, Step, StepProgress
from pathways.selectors import learning as selectors
from pathways.services import learning as services
from upskill import access
from upskill.decorators import person_required
from upskill.forms import form_save, validation_error_onto_form
from upskill.http import HtmxHttpRequest

Status = StepProgress.Status


# --- My learning --------------------------------------------------------------------------


@require_GET
@person_required
def my_learning(request: HtmxHttpRequest):
    person = access.person_of(request.user)
    enrollments = list(selectors.enrollments_for_person(person))
    plans = selectors.pathway_plans(enrollments)
    return render(
        request,
        "pathways/learning/my_learning.html",
        {
            "person": person,
            "plans": [plans[e.pk] for e in enrollments],
            "available": selectors.self_enrol_pathways(person),
            "is_reviewer": access.is_reviewer(request.user),
            "section": "learning",
            # the commitments panel's request brings the bell (base.html loads it otherwise)
            "bell_comes_along": True,
        },
    )


@require_POST
@person_required
def enrol(request: HtmxHttpRequest, slug: str):
    person = access.person_of(request.user)
    pathway = get_object_or_404(Pathway.objects.published(), slug=slug)
    try:
        services.enrollment_self_enrol(person=person, pathway=pathway)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, f"You are enrolled in “{pathway.title}”. Here is where to start.")
    return redirect("pathways:my_learning")


# --- A step -------------------------------------------------------------------------------


def _own_enrollment(request: HtmxHttpRequest, slug: str):
    """The signed-in person and their enrolment in the pathway, or 404."""
    person = access.person_of(request.user)
    enrollment = selectors.own_enrollment(person, slug)
    if enrollment is None:
        raise Http404("You are not enrolled in this pathway.")
    return person, enrollment


def _own_step(request: HtmxHttpRequest, slug: str, key: str):
    """The signed-in person's enrolment and the live step, or 404 (also for a pathway
    they are not enrolled in: its steps are not theirs to act on)."""
    person, enrollment = _own_enrollment(request, slug)
    step = (
        Step.objects.filter(pathway_id=enrollment.pathway_id, key=key, is_archived=False)
        .select_related("stage", "product", "competency")
        .first()
    )
    if step is None:
        raise Http404("No such step in this pathway.")
    return person, enrollment, step


def _step_context(person, enrollment, step, **forms) -> dict:
    plan = selectors.pathway_plan(enrollment)
    state = plan.state_of(step)
    feedback = selectors.feedback_of(person, step)
    feedback_initial = (
        {"useful": "yes" if feedback.useful else "no", "comment": feedback.comment}
        if feedback
        else {}
    )
    evidence_form = forms.get("evidence_form")
    if evidence_form is None:
        # The learner's own words come back to them: to resubmit after changes were
        # requested, to improve a withdrawn draft, or to edit what waits for review.
        previous = state.progress if state and state.status != Status.APPROVED else None
        initial = (
            {"evidence": previous.evidence, "evidence_url": previous.evidence_url}
            if previous and previous.evidence
            else {}
        )
        evidence_form = EvidenceForm(initial=initial)
    return {
        "person": person,
        "enrollment": enrollment,
        "pathway": enrollment.pathway,
        "plan": plan,
        "state": state,
        "step": step,
        "rubric": selectors.rubric_for(person.job_role_id, step.competency_id),
        "feedback": feedback,
        "evidence_form": evidence_form,
        "feedback_form": forms.get("feedback_form") or FeedbackForm(initial=feedback_initial),
        "confidence_form": forms.get("confidence_form"),
        "is_reviewer": forms.get("is_reviewer", False),
        "section": "learning",
    }


@require_GET
@person_required
def step_detail(request: HtmxHttpRequest, slug: str, key: str):
    person, enrollment, step = _own_step(request, slug, key)
    context = _step_context(person, enrollment, step, is_reviewer=access.is_reviewer(request.user))
    return render(request, "pathways/learning/step.html", context)


def _after_step_action(request, person, enrollment, step, action, *, done_message="", **forms):
    """Run a progress service; htmx gets the step's progress panel back (with the error
    or the confidence prompt in it), a plain form post goes back to the step page.
    `done_message`, if any, says what was done: in the panel (where the focus goes), or
    as the page's message. Errors about a field (the evidence, its link) go next to the
    field, which takes the focus; others (a double submit, a locked step, evidence
    reviewed meanwhile) above the panel's actions."""
    error = None
    try:
        action()
    except ValidationError as exc:
        error = exc
    evidence_form = forms.get("evidence_form")
    field_error = error is not None and hasattr(error, "error_dict") and evidence_form
    if field_error:
        validation_error_onto_form(evidence_form, error)
        if request.htmx:
            _focus_first_error(evidence_form)
    if not request.htmx:
        if field_error:
            context = _step_context(person, enrollment, step, **forms)
            return render(request, "pathways/learning/step.html", context)
        if error is not None:
            for message in error.messages:
                messages.error(request, message)
        elif done_message:
            messages.success(request, done_message)
        return redirect("pathways:step", slug=enrollment.pathway.slug, key=step.key)
    context = _step_context(person, enrollment, step, **forms)
    context["action_errors"] = error.messages if error is not None and not field_error else []
    context["just_acted"] = error is None
    context["done_message"] = done_message if error is None else ""
    # The panel, and the step list beside it out of band (statuses and locks changed).
    panel = render_to_string("pathways/learning/step.html#step-progress", context, request)
    steps = render_to_string(
        "pathways/learning/step.html#step-list", context | {"oob": True}, request
    )
    return HttpResponse(panel + steps)


def _focus_first_error(form) -> None:
    """After an htmx swap the first field in error takes the focus (static/js/upskill.js)
    and says it is invalid, so the learner lands where the correction is needed."""
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs.update(
                {"data-focus-after-swap": "", "aria-invalid": "true"}
            )
            return


# What a learner says about a step's progress, by URL: the one view serves both.
PROGRESS_ACTIONS = {"start": services.step_start, "done": services.step_mark_done}


@require_POST
@person_required
def step_progress(request: HtmxHttpRequest, slug: str, key: str, action: str):
    """Start a step, or mark it done (`action` comes from the URL, not the client)."""
    person, enrollment, step = _own_step(request, slug, key)
    service = PROGRESS_ACTIONS[action]
    return _after_step_action(
        request, person, enrollment, step, lambda: service(enrollment=enrollment, step=step)
    )


@require_POST
@person_required
def evidence_submit(request: HtmxHttpRequest, slug: str, key: str):
    person, enrollment, step = _own_step(request, slug, key)
    form = EvidenceForm(request.POST)
    form.is_valid()  # text fields: always valid; the service checks the content

    def submit():
        services.evidence_submit(
            enrollment=enrollment,
            step=step,
            evidence=form.cleaned_data.get("evidence", ""),
            evidence_url=form.cleaned_data.get("evidence_url", ""),
        )

    return _after_step_action(request, person, enrollment, step, submit, evidence_form=form)


@require_POST
@person_required
def evidence_edit(request: HtmxHttpRequest, slug: str, key: str):
    """Change evidence still waiting for review (the author's own only: the enrolment
    is the signed-in person's)."""
    person, enrollment, step = _own_step(request, slug, key)
    form = EvidenceForm(request.POST)
    form.is_valid()  # text fields: always valid; the service checks the content

    def edit():
        services.evidence_edit(
            person=person,
            enrollment=enrollment,
            step=step,
            evidence=form.cleaned_data.get("evidence", ""),
            evidence_url=form.cleaned_data.get("evidence_url", ""),
        )

    return _after_step_action(
        request,
        person,
        enrollment,
        step,
        edit,
        done_message="Your changes are saved; your evidence is still waiting for review.",
        evidence_form=form,
    )


WITHDRAWN_MESSAGE = (
    "You withdrew your evidence: it is no longer waiting for review. It is kept below as "
    "your draft; change it and submit it again when you are ready."
)


@require_POST
@person_required
def evidence_withdraw(request: HtmxHttpRequest, slug: str, key: str):
    person, enrollment, step = _own_step(request, slug, key)
    return _after_step_action(
        request,
        person,
        enrollment,
        step,
        lambda: services.evidence_withdraw(person=person, enrollment=enrollment, step=step),
        done_message=WITHDRAWN_MESSAGE,
    )


@require_POST
@person_required
def step_feedback(request: HtmxHttpRequest, slug: str, key: str):
    person, enrollment, step = _own_step(request, slug, key)
    form = FeedbackForm(request.POST)
    saved = form_save(
        form,
        lambda data: services.step_feedback_give(
            person=person, step=step, useful=data["useful"], comment=data["comment"]
        ),
    )
    if not request.htmx and saved:
        messages.success(request, "Thank you — your feedback on this step is saved.")
        return redirect("pathways:step", slug=enrollment.pathway.slug, key=step.key)
    context = _step_context(person, enrollment, step, feedback_form=form)
    if saved:
        context["feedback_form"] = form
        context["feedback_saved"] = True
    if request.htmx:
        return render(request, "pathways/learning/step.html#step-feedback", context)
    return render(request, "pathways/learning/step.html", context)


# --- Confidence ---------------------------------------------------------------------------


@require_POST
@person_required
def confidence_rate(request: HtmxHttpRequest, slug: str):
    _, enrollment = _own_enrollment(request, slug)
    form = ConfidenceForm(request.POST)
    error_messages: list[str] = []
    if form.is_valid():
        stage = None
        if form.cleaned_data["stage"]:
            stage = Stage.objects.filter(
                pk=form.cleaned_data["stage"], pathway_id=enrollment.pathway_id
            ).first()
        try:
            services.confidence_rate(
                enrollment=enrollment,
                moment=form.cleaned_data["moment"],
                stage=stage,
                rating=form.cleaned_data["rating"],
            )
        except ValidationError as exc:
            error_messages = exc.messages
    else:
        error_messages = ["Choose a rating from 1 (not at all) to 5 (very)."]
    if not request.htmx:
        for message in error_messages:
            messages.error(request, message)
        if not error_messages:
            messages.success(request, "Thank you — your confidence rating is saved.")
        back = request.POST.get("back", "")
        if not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            back = reverse("pathways:my_learning")
        return redirect(back)
    plan = selectors.pathway_plan(enrollment)
    return render(
        request,
        "pathways/learning/_confidence.html",
        {
            "plan": plan,
            "confidence_errors": error_messages,
            "confidence_saved": not error_messages,
            "back": request.POST.get("back", ""),
        },
    )
