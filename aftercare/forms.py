"""The input of aftercare's pages and API alike (the guard against hostile input comes
with ``ReleaseForm``); the services decide what holds."""

from django import forms

from releasemgmt.forms import ReleaseForm
from releases.forms import DateTimeInput

from .models import Incident


class IncidentForm(ReleaseForm):
    """An incident recorded against the release in hypercare."""

    reference = forms.CharField(
        max_length=40, help_text="The incident's reference in the service desk's tool."
    )
    title = forms.CharField(max_length=200)
    priority = forms.ChoiceField(choices=Incident.Priority.choices)
    major = forms.BooleanField(required=False, label="Major incident")
    caused_by_release = forms.ChoiceField(
        choices=Incident.Cause.choices,
        initial=Incident.Cause.UNKNOWN,
        label="Caused by the release",
    )
    opened_at = forms.DateTimeField(label="Opened", widget=DateTimeInput)
    resolved_at = forms.DateTimeField(
        label="Resolved", widget=DateTimeInput, required=False, help_text="Empty while open."
    )


class ResolveIncidentForm(ReleaseForm):
    """An incident resolved: now, or when it says."""

    resolved_at = forms.DateTimeField(
        label="Resolved", widget=DateTimeInput, required=False, help_text="Empty: now."
    )


class CloseHypercareForm(ReleaseForm):
    """Hypercare ends: why, and why all the same while an exit criterion is unmet."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why it ends")
    override_reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Why it ends with criteria unmet",
        help_text="Only when an exit criterion is not met.",
    )
