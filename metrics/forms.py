"""Forms for the import pages and the impact planner."""

from django import forms

from metrics.models import ActivityRecord, ImportRun
from pathways.models import Pathway

# The identity map is loaded on its own page (metrics.views.identity_map).
UPLOAD_KINDS = [
    (k, label) for k, label in ImportRun.Kind.choices if k != ImportRun.Kind.IDENTITY_MAP
]


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        choices=UPLOAD_KINDS,
        widget=forms.RadioSelect,
        initial=ImportRun.Kind.ACTIVITY,
        help_text=(
            "Activity: what people did. Outcomes: a team's weekly measures. A tool export "
            "(Jira, GitHub, Copilot, Zendesk, Freshdesk) as the tool writes it."
        ),
    )
    file = forms.FileField(
        label="File",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.json,.ndjson,.jsonl,text/csv"}),
        help_text="UTF-8 CSV with the header row shown below, or a tool's export, up to 200 MB.",
        error_messages={
            "empty": "The file is empty: choose a CSV file with a header row and data.",
            "required": "Choose a CSV file to upload.",
        },
    )


class ImportConfirmForm(forms.Form):
    rows_valid = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class XapiKeyForm(forms.Form):
    name = forms.CharField(
        max_length=120, help_text="Who will use it, e.g. “Learning platform (production)”."
    )


class XapiVerbMappingForm(forms.Form):
    verb_iri = forms.CharField(
        label="Verb IRI",
        max_length=600,
        help_text="Matched exactly, e.g. http://adlnet.gov/expapi/verbs/completed.",
    )
    kind = forms.ChoiceField(label="Counts as", choices=ActivityRecord.Kind.choices)


class XapiActivityMappingForm(forms.Form):
    activity_iri = forms.CharField(
        label="Activity id",
        max_length=600,
        help_text="Matched exactly, e.g. https://moodle.example.com/course/view.php?id=42.",
    )
    step_reference = forms.CharField(
        label="Step",
        max_length=200,
        help_text="<pathway-slug>/<step-key>, e.g. ai-basics/prompting-101.",
    )


class RolloutOrderForm(forms.Form):
    """The planner's randomised rollout order: which pathway's wave, and the seed."""

    pathway = forms.ModelChoiceField(
        queryset=Pathway.objects.exclude(status=Pathway.Status.DRAFT).order_by("title"),
        to_field_name="slug",
        required=False,
        empty_label="Any pathway",
        help_text="Teams that have not yet completed it are shuffled.",
    )
    seed = forms.IntegerField(
        min_value=0,
        max_value=2**31 - 1,
        required=False,
        initial=1,
        help_text="The same seed gives the same order; keep it with the plan.",
    )


class IdentityMapUploadForm(forms.Form):
    file = forms.FileField(
        label="Identity map file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text=(
            "UTF-8 CSV with the header employee_id,system,login and, optionally, "
            ",valid_from (an ISO date)."
        ),
        error_messages={
            "empty": "The file is empty: choose a CSV file with a header row and data.",
            "required": "Choose a CSV file to upload.",
        },
    )
