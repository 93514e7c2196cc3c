from zoneinfo import available_timezones

from django import forms

from upskill.forms import PlainSelect
from upskill.models import Notification, Team, TeamChatWebhook


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


class TeamChatWebhookForm(forms.Form):
    team = forms.ModelChoiceField(
        queryset=Team.objects.filter(removed_on__isnull=True).order_by("name"),
        widget=PlainSelect,  # every team: 2,000 in a 50,000-person organisation
        help_text="Saving a team that already has a webhook replaces it.",
    )
    service = forms.ChoiceField(choices=TeamChatWebhook.Service.choices)
    url = forms.URLField(
        label="Incoming-webhook URL",
        max_length=TeamChatWebhook._meta.get_field("url").max_length,
        assume_scheme="https",
        help_text="Slack: an app's incoming webhook (https://hooks.slack.com/services/…). "
        "Teams: a Workflows “post to a channel when a webhook request is received” URL.",
    )
    active = forms.BooleanField(required=False, initial=True)
