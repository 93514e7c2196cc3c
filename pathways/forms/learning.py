"""Forms for the learner's side. They only parse what was typed; the learning services
own the rules (lengths, link schemes, ranges) and their messages, which views copy back
onto the form with `upskill.forms.validation_error_onto_form`."""

from django import forms

from pathways.models import RUBRIC_LEVELS, Recognition
from pathways.services import EVIDENCE_MAX_CHARS
from upskill.models import Person


class EvidenceForm(forms.Form):
    evidence = forms.CharField(
        label="What did you do on real work, and what came of it?",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
        help_text=f"Up to {EVIDENCE_MAX_CHARS:,} characters. Leave out customer personal data.",
    )
    evidence_url = forms.CharField(
        label="Link to the work (optional)",
        required=False,
        help_text="A web link starting with http:// or https:// — a pull request, a document…",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )


class ReviewForm(forms.Form):
    APPROVE, CHANGES = "approve", "changes"

    decision = forms.ChoiceField(
        choices=[(APPROVE, "Approve"), (CHANGES, "Request changes")],
        error_messages={"required": "Choose to approve or to request changes."},
    )
    rubric_level = forms.TypedChoiceField(
        label="Level reached on the role rubric",
        choices=[("", "—"), *RUBRIC_LEVELS],
        coerce=int,
        required=False,
        empty_value=None,
        error_messages={"invalid_choice": "Choose a rubric level from 1 to 4."},
    )
    comment = forms.CharField(
        label="Comment for the learner",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Required when you request changes: say what to improve.",
    )
    # The version of the evidence the reviewer read (StepProgress.evidence_version): if
    # the learner edited it since, the review is refused rather than judging unread text.
    evidence_version = forms.CharField(required=False, widget=forms.HiddenInput)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("decision") == self.APPROVE and not cleaned.get("rubric_level"):
            self.add_error("rubric_level", "Choose the rubric level the evidence shows (1-4).")
        return cleaned


class ConfidenceForm(forms.Form):
    rating = forms.CharField(required=False)
    moment = forms.CharField()
    stage = forms.IntegerField(required=False)


class FeedbackForm(forms.Form):
    useful = forms.TypedChoiceField(
        label="Was this useful for your real work?",
        choices=[("yes", "Yes"), ("no", "No")],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Answer yes or no.",
            "invalid_choice": "Answer yes or no.",
        },
    )
    comment = forms.CharField(
        label="Anything to add? (optional)",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Up to 2,000 characters. L&D sees comments without your name.",
    )


class RecognitionForm(forms.Form):
    to_person = forms.ModelChoiceField(
        label="Colleague",
        queryset=Person.objects.none(),
        empty_label="Choose a colleague",
        error_messages={
            "required": "Choose the colleague you want to recognise.",
            "invalid_choice": "Choose one of your colleagues from the list.",
        },
    )
    behaviour = forms.ChoiceField(
        label="Learning behaviour",
        choices=Recognition.Behaviour.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose the behaviour you are recognising.",
            "invalid_choice": (
                "Choose experimentation, knowledge sharing or continuous improvement."
            ),
        },
    )
    message = forms.CharField(
        label="What did they do?",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Up to 500 characters.",
    )

    def __init__(self, *args, colleagues, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_person"].queryset = colleagues
        self.fields["to_person"].label_from_instance = lambda person: person.display_name
