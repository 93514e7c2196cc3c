from collections.abc import Callable
from typing import TypeVar

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import mark_safe

from upskill.audit import KINDS
from upskill.models import ScimConnection

T = TypeVar("T")


class PlainSelect(forms.Select):
    """A select whose options are written in Python rather than through a template each:
    Django renders every option with its own template, about 0.1 ms apiece, so a choice
    among the 2,000 teams of a 50,000-person organisation took 200 ms a page. The same
    HTML otherwise (option attributes apart: none of its uses has any)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = "".join(
                f'<option value="{escape(option["value"])}"'
                f"{' selected' if option['selected'] else ''}>{escape(option['label'])}</option>"
                for option in options
            )
            parts.append(
                f'<optgroup label="{escape(group_name)}">{rendered}</optgroup>'
                if group_name
                else rendered
            )
        return mark_safe(
            f'<select name="{escape(name)}"{flatatt(widget["attrs"])}>{"".join(parts)}</select>'
        )


class PlainSelectMultiple(PlainSelect, forms.SelectMultiple):
    """PlainSelect for a choice of several (`multiple`)."""


class AuditFilterForm(forms.Form):
    kind = forms.ChoiceField(choices=list(KINDS.items()), required=False, initial="changes")
    actor = forms.CharField(max_length=150, required=False, label="Who (name or username contains)")
    since = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error("until", "“Until” must not be before “since”.")
        return cleaned


def validation_error_onto_form(form: forms.Form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form that was submitted: errors keyed by a
    field the form has go under that field, everything else is a non-field error. The one
    piece of this plumbing every app's views use (a form re-renders with it, keeping what
    was typed)."""
    if hasattr(exc, "error_dict"):
        for name, errors in exc.error_dict.items():
            for error in errors:
                form.add_error(name if name in form.fields else None, error)
    else:
        for message in exc.messages:
            form.add_error(None, message)


def form_save(form: forms.Form, save: Callable[[dict], T]) -> T | None:
    """Validate a submitted form and hand its cleaned data to `save` (a service call that
    returns the row it wrote); a ValidationError the service raises goes onto the form
    (`validation_error_onto_form`). The row when it saved, else None: the form then
    carries the errors to re-render, keeping what was typed."""
    if not form.is_valid():
        return None
    try:
        return save(form.cleaned_data)
    except ValidationError as exc:
        validation_error_onto_form(form, exc)
        return None


class SignInForm(AuthenticationForm):
    """The password form. With PASSWORD_LOGIN off the backend accepts only superusers;
    everyone else reads why instead of "wrong password"."""

    def get_invalid_login_error(self):
        if not settings.PASSWORD_LOGIN:
            return ValidationError(
                "Password sign-in is switched off: use single sign-on. Only the break-glass "
                "administrator account can sign in here.",
                code="invalid_login",
            )
        return super().get_invalid_login_error()


class HrSyncUploadForm(forms.Form):
    teams_file = forms.FileField(
        required=False,
        label="Teams file",
        help_text="UTF-8 CSV: team_id, name, parent_team_id, leader_employee_ids.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    people_file = forms.FileField(
        required=False,
        label="People file",
        help_text="UTF-8 CSV: employee_id, email, first_name, last_name, team_id, job_role, "
        "manager_employee_id, status.",
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )
    full = forms.BooleanField(
        required=False,
        label="Full sync: people and teams missing from the files leave / are removed",
        help_text="Needs both files. Without it, only the rows in the files change anything.",
    )


class HrSyncConfirmForm(forms.Form):
    allow_mass_leavers = forms.BooleanField(required=False)


class ScimConnectionForm(forms.Form):
    name = forms.CharField(
        max_length=ScimConnection._meta.get_field("name").max_length,
        help_text="Which identity provider will use it, e.g. “Okta (production)”.",
    )
