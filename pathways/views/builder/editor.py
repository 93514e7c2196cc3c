"""The pathway editor: a pathway's stages and steps on one page, edited in place."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import reswap, retarget

from pathways.forms import (
    StageForm,
    StepForm,
)
from pathways.models import Pathway, Stage, Step
from pathways.selectors import builder as selectors
from pathways.services import builder as services
from pathways.views.builder.pathways import editor_url
from upskill.confirmation import confirmation_page, is_confirmed
from upskill.decorators import ld_admin_required
from upskill.forms import form_save
from upskill.http import HtmxHttpRequest

# --- The editor (stages and steps) ------------------------------------------------------


def _structure_context(pathway: Pathway, **extra) -> dict:
    return {
        "pathway": pathway,
        "structure": selectors.pathway_structure(pathway),
        "stage_form": extra.pop("stage_form", None) or StageForm(auto_id="new-stage-%s"),
        **extra,
    }


def _structure_response(request, pathway: Pathway, *, notice: str = "", error: str = ""):
    """After a structure change: htmx gets the refreshed structure with the notice or
    error in it; a full request goes back to the editor with a message."""
    if request.htmx:
        return render(
            request,
            "pathways/builder/pathway_editor.html#pathway-structure",
            _structure_context(pathway, notice=notice, error=error),
        )
    if error:
        messages.error(request, error)
    elif notice:
        messages.success(request, notice)
    return redirect(editor_url(pathway.pk))


def _structure_change_view(model, change, notice, *, confirm: str = ""):
    """A POST endpoint running one structure change (delete, restore) on a stage or step
    of `model`, answered with the structure: the service's refusal as the error, else
    `notice(row, result)` as the notice. With `confirm` (the URL name its question is
    registered under) it acts only once confirmed, and otherwise asks."""

    @require_POST
    @ld_admin_required
    def view(request: HtmxHttpRequest, pk: int):
        row = get_object_or_404(model.objects.select_related("pathway"), pk=pk)
        if confirm and not is_confirmed(request):
            return confirmation_page(request, confirm, row, cancel_url=editor_url(row.pathway_id))
        try:
            result = change(row)
        except ValidationError as exc:
            return _structure_response(request, row.pathway, error=" ".join(exc.messages))
        return _structure_response(request, row.pathway, notice=notice(row, result))

    return view


@require_GET
@ld_admin_required
def pathway_editor(request: HtmxHttpRequest, pk: int):
    pathway = get_object_or_404(Pathway, pk=pk)
    template = "pathways/builder/pathway_editor.html"
    if request.htmx:
        template += "#pathway-structure"
    return render(request, template, _structure_context(pathway, tab="structure"))


def _form_page(request, *, pathway, form, heading, action, submit="Save"):
    return render(
        request,
        "pathways/builder/form_page.html",
        {
            "pathway": pathway,
            "form": form,
            "heading": heading,
            "action": action,
            "submit": submit,
            "cancel_url": editor_url(pathway.pk),
        },
    )


@require_http_methods(["GET", "POST"])
@ld_admin_required
def stage_create(request: HtmxHttpRequest, pk: int):
    pathway = get_object_or_404(Pathway, pk=pk)
    form = StageForm(request.POST or None, auto_id="new-stage-%s")
    stage = request.method == "POST" and form_save(
        form, lambda data: services.stage_create(pathway=pathway, **data)
    )
    if stage:
        return _structure_response(request, pathway, notice=f"Added the stage “{stage.title}”.")
    if request.htmx and request.method == "POST":
        response = render(
            request,
            "pathways/builder/pathway_editor.html#add-stage",
            {"pathway": pathway, "stage_form": form},
        )
        return reswap(retarget(response, "#add-stage"), "outerHTML")
    return _form_page(
        request,
        pathway=pathway,
        form=form,
        heading="Add a stage",
        action=reverse("pathways:stage_create", args=[pathway.pk]),
        submit="Add stage",
    )


@require_http_methods(["GET", "POST"])
@ld_admin_required
def stage_edit(request: HtmxHttpRequest, pk: int):
    stage = get_object_or_404(Stage.objects.select_related("pathway"), pk=pk)
    pathway = stage.pathway
    auto_id = f"stage-{stage.pk}-%s"
    if request.method == "POST":
        form = StageForm(request.POST, auto_id=auto_id)
        if form_save(form, lambda data: services.stage_update(stage=stage, **data)):
            return _structure_response(request, pathway, notice=f"Saved the stage “{stage.title}”.")
    else:
        fields = ["title", "kind", "is_sequential", "description"]
        form = StageForm(auto_id=auto_id, initial=model_to_dict(stage, fields=fields))
    if request.htmx:
        response = render(
            request,
            "pathways/builder/pathway_editor.html#stage-edit",
            {"pathway": pathway, "stage": stage, "form": form},
        )
        return reswap(retarget(response, f"#stage-head-{stage.pk}"), "outerHTML")
    return _form_page(
        request,
        pathway=pathway,
        form=form,
        heading=f"Edit the stage “{stage.title}”",
        action=reverse("pathways:stage_edit", args=[stage.pk]),
    )


def _reorder(request: HtmxHttpRequest, pathway: Pathway, name: str, save, notice: str):
    """Drag and drop or the up/down buttons: the page posts the ids in the order it shows
    them under `name` (and, for a button, which one to move); `save(ids)` stores it in
    this one request. A stale or nonsense order is refused with the service's message."""
    try:
        order = services.apply_move(
            [int(i) for i in request.POST.getlist(name)], request.POST.get("move")
        )
        save(order)
    except (ValueError, ValidationError) as exc:
        error = " ".join(exc.messages) if isinstance(exc, ValidationError) else None
        return _structure_response(request, pathway, error=error or services.PATHWAY_CHANGED)
    return _structure_response(request, pathway, notice=notice)


@require_POST
@ld_admin_required
def stages_reorder(request: HtmxHttpRequest, pk: int):
    pathway = get_object_or_404(Pathway, pk=pk)
    return _reorder(
        request,
        pathway,
        "stage",
        lambda order: services.stages_reorder(pathway=pathway, stage_ids=order),
        "Saved the order of the stages.",
    )


@require_POST
@ld_admin_required
def steps_reorder(request: HtmxHttpRequest, pk: int):
    stage = get_object_or_404(Stage.objects.select_related("pathway"), pk=pk)
    return _reorder(
        request,
        stage.pathway,
        "step",
        lambda order: services.steps_reorder(stage=stage, step_ids=order),
        f"Saved the order of the steps in “{stage.title}”.",
    )


def _step_form_response(request, *, pathway, form, step=None, stage=None):
    """The step form with its errors: in place for htmx, as a page otherwise."""
    if request.htmx:
        if step is not None:
            partial, target = "step-edit", f"#step-{step.pk}"
        else:
            partial, target = "step-add", f"#add-step-{stage.pk}"
        response = render(
            request,
            f"pathways/builder/pathway_editor.html#{partial}",
            {"pathway": pathway, "form": form, "step": step, "stage": stage or step.stage},
        )
        return reswap(retarget(response, target), "outerHTML")
    if step is not None:
        heading, action = (
            f"Edit the step “{step.title}”",
            reverse("pathways:step_edit", args=[step.pk]),
        )
    else:
        heading = f"Add a step to “{stage.title}”"
        action = reverse("pathways:step_create", args=[stage.pk])
    return _form_page(request, pathway=pathway, form=form, heading=heading, action=action)


@require_http_methods(["GET", "POST"])
@ld_admin_required
def step_create(request: HtmxHttpRequest, pk: int):
    stage = get_object_or_404(Stage.objects.select_related("pathway"), pk=pk)
    pathway = stage.pathway
    form = StepForm(
        request.POST or None,
        pathway=pathway,
        auto_id=f"add-step-{stage.pk}-%s",
        initial={"stage": stage.pk, "kind": _default_step_kind(stage)},
    )
    step = request.method == "POST" and form_save(
        form,
        lambda data: services.step_create(
            stage=data["stage"],
            fields=form.step_fields(),
            prerequisites=list(data["prerequisites"]),
        ),
    )
    if step:
        return _structure_response(request, pathway, notice=f"Added the step “{step.title}”.")
    return _step_form_response(request, pathway=pathway, form=form, stage=stage)


def _default_step_kind(stage: Stage) -> str:
    return {
        Stage.Kind.FOUNDATION: Step.Kind.LEARN,
        Stage.Kind.PRACTICE: Step.Kind.PRACTICE,
        Stage.Kind.COACHING: Step.Kind.COACHING,
    }.get(stage.kind, Step.Kind.LEARN)


@require_http_methods(["GET", "POST"])
@ld_admin_required
def step_edit(request: HtmxHttpRequest, pk: int):
    step = get_object_or_404(Step.objects.select_related("pathway", "stage"), pk=pk)
    pathway = step.pathway
    auto_id = f"step-{step.pk}-%s"
    if request.method == "POST":
        form = StepForm(request.POST, pathway=pathway, step=step, auto_id=auto_id)
        saved = form_save(
            form,
            lambda data: services.step_update(
                step=Step.objects.select_related("pathway", "stage").get(pk=step.pk),
                fields=form.step_fields(),
                prerequisites=list(data["prerequisites"]),
                stage=data["stage"],
            ),
        )
        if saved:
            return _structure_response(request, pathway, notice=f"Saved the step “{saved.title}”.")
    else:
        initial = model_to_dict(step, fields=[*StepForm.base_fields])
        form = StepForm(pathway=pathway, step=step, auto_id=auto_id, initial=initial)
    return _step_form_response(request, pathway=pathway, form=form, step=step)


stage_delete = _structure_change_view(
    Stage,
    lambda stage: services.stage_delete(stage=stage),
    lambda stage, _: f"Deleted the stage “{stage.title}”.",
    confirm="pathways:stage_delete",
)
step_delete = _structure_change_view(
    Step,
    lambda step: services.step_delete(step=step),
    lambda _, removal: removal.message,  # deleted, or archived when it has progress
    confirm="pathways:step_delete",
)
step_restore = _structure_change_view(
    Step,
    lambda step: services.step_restore(step=step),
    lambda step, _: f"Restored the step “{step.title}”.",
)
