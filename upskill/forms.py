from django import forms

from upskill.audit import KINDS


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=list(KINDS.items()), required=False, initial="changes")
    actor = forms.CharField(max_length=150, required=False, label="Who (username contains)")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "“Until” must not be before “since”.")
        return cleaned
