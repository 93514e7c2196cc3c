"""Forms for the import pages and the impact planner."""

from django import forms

from metrics.models import ImportRun
from pathways.models import Pathway


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        choices=ImportRun.Kind.choices,
        widget=forms.RadioSelect,
        initial=ImportRun.Kind.ACTIVITY,
        help_text="Activity: what people did. Outcomes: a team's weekly measures.",
    )
    file = forms.FileField(
        label="CSV file",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        help_text="UTF-8 CSV with the header row shown below, up to 200 MB.",
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
