"""Forms of the badge pages: the owner's public switch and an L&D admin's revocation."""

from django import forms

from pathways.models import IssuedBadge


class BadgeSharingForm(forms.Form):
    is_public = forms.BooleanField(required=False, widget=forms.HiddenInput)


class BadgeRevokeForm(forms.Form):
    reason = forms.CharField(
        label="Reason",
        max_length=IssuedBadge._meta.get_field("revocation_reason").max_length,
        error_messages={"required": "Say why the badge is revoked (the owner sees it)."},
        help_text="The owner sees this. Revocation is permanent.",
    )
