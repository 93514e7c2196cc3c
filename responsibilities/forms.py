from django import forms
from django.core.exceptions import ValidationError

from responsibilities import services
from responsibilities.models import (
    Commitment,
    OwnerSide,
    Party,
    RaciAssignment,
)
from upskill.forms import PlainSelectMultiple
from upskill.models import Team

LETTER_CHOICES = [("", "–")] + [
    (letter.value, f"{letter.value} — {letter.label}") for letter in RaciAssignment.Letter
]


class RaciRowForm(forms.Form):
    """One area's row of the matrix: a letter per party, checked as a whole."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for party in Party:
            self.fields[party.value] = forms.ChoiceField(
                label=party.label, choices=LETTER_CHOICES, required=False
            )

    def clean(self):
        cleaned = super().clean()
        if not self.errors:
            try:
                services.raci_validate({p: cleaned.get(p, "") for p in Party.values})
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc
        return cleaned

    @property
    def letters(self) -> dict[str, str]:
        return {party: self.cleaned_data.get(party, "") for party in Party.values}

    def party_fields(self):
        return [self[party] for party in Party.values]


class AreaForm(RaciRowForm):
    name = forms.CharField(max_length=120)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    owner_side = forms.ChoiceField(
        choices=OwnerSide.choices, initial=OwnerSide.SHARED, label="Owned by"
    )


class CommitmentForm(forms.ModelForm):
    teams = forms.ModelMultipleChoiceField(
        queryset=Team.objects.order_by("name"),
        required=False,
        help_text="Leave empty for the whole organisation.",
        widget=PlainSelectMultiple(attrs={"size": 6}),  # every team (2,000 at 50,000 people)
    )

    class Meta:
        model = Commitment
        fields = [
            "party",
            "title",
            "description",
            "direction",
            "target",
            "unit",
            "period",
            "teams",
            "computed_from",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}
        labels = {"computed_from": "Measured by the app"}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("computed_from") and cleaned.get("party") != Party.EMPLOYEE:
            self.add_error(
                "computed_from", "Only employee commitments can be computed from activity."
            )
        return cleaned


class CheckInForm(forms.Form):
    team = forms.ModelChoiceField(queryset=Team.objects.none())
    period_start = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    value = forms.DecimalField(min_value=0, max_digits=10, decimal_places=2)
    note = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams if teams is not None else Team.objects.none()


class SurveyOpenForm(forms.Form):
    title = forms.CharField(max_length=160, initial="Who owns AI upskilling? — pulse")
    closes_at = forms.DateTimeField(
        label="Closes at", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )


OWNER_CHOICES = [(side.value, side.label) for side in OwnerSide]
RATING_CHOICES = [("", "No answer")] + [(str(n), str(n)) for n in range(1, 6)]


class PulseForm(forms.Form):
    """For each area: who owns it (employer / shared / employee) and how well it goes."""

    def __init__(self, *args, areas, **kwargs):
        super().__init__(*args, **kwargs)
        self.areas = list(areas)
        for area in self.areas:
            self.fields[f"owner_{area.pk}"] = forms.ChoiceField(
                label=area.name, choices=OWNER_CHOICES, widget=forms.RadioSelect
            )
            self.fields[f"rating_{area.pk}"] = forms.TypedChoiceField(
                label="How well is it going?",
                choices=RATING_CHOICES,
                coerce=int,
                empty_value=None,
                required=False,
            )

    def rows(self):
        return [(area, self[f"owner_{area.pk}"], self[f"rating_{area.pk}"]) for area in self.areas]

    @property
    def answers(self) -> dict[int, tuple[str, int | None]]:
        return {
            area.pk: (self.cleaned_data[f"owner_{area.pk}"], self.cleaned_data[f"rating_{area.pk}"])
            for area in self.areas
        }


class TeamSearchForm(forms.Form):
    """A search among the teams a page lists (part of a team's name)."""

    q = forms.CharField(required=False, max_length=100, strip=True, label="Find a team")


class FulfilmentFilterForm(forms.Form):
    """Which team's fulfilment to show (a slug, checked against the teams the user may
    see by the view), or which teams of the overview (a name search)."""

    team = forms.SlugField(required=False, max_length=Team._meta.get_field("slug").max_length)
    q = forms.CharField(required=False, max_length=100, strip=True, label="Find a team")
