"""Forms for the pathway builder. They parse and check input; the services in
pathways.services.builder decide and write."""

from django import forms

from pathways.models import RUBRIC_LEVELS, Competency, Pathway, Product, Stage, Step
from pathways.services.builder import StepFields
from upskill.forms import PlainSelect
from upskill.models import JobRole, OutcomeMeasure, Person, Team


class ProductForm(forms.Form):
    name = forms.CharField(max_length=120)
    kind = forms.ChoiceField(choices=Product.Kind.choices)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class CompetencyForm(forms.Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class RubricForm(forms.Form):
    level_1 = forms.CharField(
        label="Level 1 — aware", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    level_2 = forms.CharField(
        label="Level 2 — practising", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    level_3 = forms.CharField(
        label="Level 3 — proficient", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    level_4 = forms.CharField(
        label="Level 4 — leading", required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    ethical_considerations = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    decision_boundaries = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="What AI may do on its own and where a person decides.",
    )


class PathwayForm(forms.Form):
    title = forms.CharField(max_length=160)
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    products = forms.ModelMultipleChoiceField(
        queryset=Product.objects.filter(is_archived=False),
        required=False,
        help_text="The real products, services or processes this pathway is built around.",
    )
    target_roles = forms.ModelMultipleChoiceField(
        queryset=JobRole.objects.all(), required=False, label="Target roles"
    )
    targeted_measures = forms.ModelMultipleChoiceField(
        queryset=OutcomeMeasure.objects.all(),
        required=False,
        label="Targeted outcome measures",
        help_text="The outcomes this pathway should move (judged on outcomes, not attendance).",
    )
    stages_in_order = forms.BooleanField(
        required=False,
        initial=True,
        label=Pathway._meta.get_field("stages_in_order").verbose_name,
        help_text=Pathway._meta.get_field("stages_in_order").help_text,
    )

    def __init__(self, *args, pathway: Pathway | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if pathway is not None:
            # Keep an archived product selectable while the pathway still names it.
            self.fields["products"].queryset = Product.objects.filter(
                is_archived=False
            ) | Product.objects.filter(pathways=pathway)
            self.fields["products"].queryset = self.fields["products"].queryset.distinct()


class StageForm(forms.Form):
    title = forms.CharField(max_length=160)
    kind = forms.ChoiceField(choices=Stage.Kind.choices)
    is_sequential = forms.BooleanField(
        required=False,
        initial=True,
        label="Steps unlock in order",
        help_text="Untick to let learners do this stage's steps in any order.",
    )
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StepForm(forms.Form):
    title = forms.CharField(max_length=160)
    key = forms.SlugField(
        max_length=80,
        required=False,
        help_text="Unique in the pathway; letters, digits and hyphens. Left blank, it comes "
        "from the title.",
    )
    kind = forms.ChoiceField(choices=Step.Kind.choices)
    # Beside the kind it depends on: the service refuses a practice step without one
    # (the form cannot know the kind is practice before it is posted).
    product = forms.ModelChoiceField(
        queryset=Product.objects.none(),
        required=False,
        help_text="Required for a practice step: the product, service or process it is "
        "practised on.",
    )
    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), empty_label=None)
    instructions = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    competency = forms.ModelChoiceField(queryset=Competency.objects.all(), required=False)
    target_level = forms.TypedChoiceField(
        choices=[("", "—")] + RUBRIC_LEVELS,
        coerce=int,
        empty_value=None,
        required=False,
        label="Target rubric level",
    )
    estimated_minutes = forms.IntegerField(min_value=1, max_value=10_000, initial=30)
    evidence_required = forms.BooleanField(required=False)
    prerequisites = forms.ModelMultipleChoiceField(
        queryset=Step.objects.none(),
        required=False,
        help_text="Steps that must be done before this one unlocks.",
    )

    def __init__(self, *args, pathway: Pathway, step: Step | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = pathway.stages.order_by("position")
        self.fields["stage"].label_from_instance = lambda stage: stage.title
        products = Product.objects.filter(is_archived=False)
        if step is not None and step.product_id:
            products = products | Product.objects.filter(pk=step.product_id)
        self.fields["product"].queryset = products.distinct()
        # Any step of any pathway is accepted here so that the service, not the form,
        # refuses a foreign prerequisite with its clear message; only this pathway's
        # live steps are offered.
        self.fields["prerequisites"].queryset = Step.objects.all()
        offered = pathway.steps.filter(is_archived=False).order_by("stage__position", "position")
        if step is not None:
            offered = offered.exclude(pk=step.pk)
        self.fields["prerequisites"].choices = [(s.pk, f"{s.title} ({s.key})") for s in offered]

    def step_fields(self) -> StepFields:
        data = self.cleaned_data
        return StepFields(
            title=data["title"],
            key=data["key"] or "",
            kind=data["kind"],
            instructions=data["instructions"],
            product=data["product"],
            competency=data["competency"],
            target_level=data["target_level"],
            estimated_minutes=data["estimated_minutes"],
            evidence_required=data["evidence_required"],
        )


class AssignForm(forms.Form):
    class Audience:
        TEAM = "team"
        ROLE = "role"
        PEOPLE = "people"

    audience = forms.ChoiceField(
        choices=[("team", "A team"), ("role", "A job role"), ("people", "Chosen people")],
        widget=forms.RadioSelect,
        initial="team",
        label="Assign to",
    )
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=PlainSelect,  # every team: 2,000 in a 50,000-person organisation
    )
    include_subteams = forms.BooleanField(
        required=False, initial=True, label="Include its sub-teams"
    )
    job_role = forms.ModelChoiceField(
        queryset=JobRole.objects.all(), required=False, label="Job role"
    )
    # Chosen with the searchable picker (pathway_assign.html): only the ids come back,
    # validated in one query; the form never renders a list of everyone.
    people = forms.ModelMultipleChoiceField(
        queryset=Person.objects.filter(user__is_active=True),  # leavers are not assigned
        required=False,
        widget=forms.MultipleHiddenInput,
    )
    due_date = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}), label="Due date"
    )
    move_due_dates = forms.BooleanField(
        required=False,
        label="Also move the due date of people already enrolled",
        help_text="Their progress is kept; finished enrolments keep their date.",
    )

    def clean(self):
        cleaned = super().clean()
        audience = cleaned.get("audience")
        needed = {"team": "team", "role": "job_role", "people": "people"}.get(audience)
        if needed and not cleaned.get(needed):
            self.add_error(needed, "Choose who to assign the pathway to.")
        return cleaned

    def targets(self) -> dict:
        data = self.cleaned_data
        audience = data["audience"]
        if audience == "team":
            return {"team": data["team"], "include_subteams": data["include_subteams"]}
        if audience == "role":
            return {"job_role": data["job_role"]}
        return {"people": list(data["people"])}
