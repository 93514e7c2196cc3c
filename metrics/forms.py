"""Forms for the import pages."""

from django import forms

from metrics.models import ImportRun


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
