from zoneinfo import available_timezones

from django import forms

from upskill.models import Notification


class NotificationPreferenceForm(forms.Form):
    email_on = forms.MultipleChoiceField(
        label="Email me about",
        choices=Notification.Kind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Everything still appears under the bell. Apart from review outcomes, "
        "emails come together, at most one a day.",
    )
    digest = forms.BooleanField(label="The weekly digest (leaders)", required=False)
    time_zone = forms.ChoiceField(
        label="Time zone for due dates",
        required=False,
        choices=[("", "The site's time zone")] + [(z, z) for z in sorted(available_timezones())],
    )
