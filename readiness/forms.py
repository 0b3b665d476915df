"""What the readiness pages and API take in (one set of rules for both; the guard
against hostile input comes with the base classes)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import URLValidator

from deployments.forms import DateInput, DateTimeInput
from raci.models import Party
from raci.release_types import ReleaseType
from releasemgmt.forms import GuardedForm, ReleaseForm
from releases.selectors import people_on

from .models import GoNoGoBoard, Priority, RunbookSection

REASON = forms.Textarea(attrs={"rows": 2})


class HttpLinkField(forms.URLField):
    """A link to evidence: http or https only (no javascript:, file: or ftp:)."""

    default_validators = [URLValidator(schemes=["http", "https"])]


class ConfirmItemForm(ReleaseForm):
    """Seed 002 7.2: an item confirmed with its evidence (a note, a file or a link)."""

    evidence_note = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Evidence (a note)"
    )
    evidence_link = HttpLinkField(
        required=False,
        max_length=500,
        assume_scheme="https",
        label="Evidence (an http or https link)",
    )
    evidence_file = forms.FileField(required=False, label="Evidence (a file)")


class WaiveItemForm(ReleaseForm):
    """RM.6.2's accountable party lets the release go live without the item."""

    reason = forms.CharField(widget=REASON, label="Why the release may go live without it")


class CarryItemForm(ReleaseForm):
    """A low item left for hypercare."""

    reason = forms.CharField(widget=REASON, label="What is left to do after the go-live")


class TemplateItemForm(GuardedForm):
    """A line of a release type's Move2Run checklist (the process owner)."""

    title = forms.CharField(max_length=200)
    description = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    priority = forms.ChoiceField(choices=Priority.choices)
    owner_party = forms.ModelChoiceField(
        queryset=Party.objects.order_by("position"), to_field_name="slug", label="Owner party"
    )
    days_before_installation = forms.IntegerField(
        min_value=0, max_value=365, initial=0, label="Due days before the installation"
    )
    position = forms.IntegerField(min_value=0, max_value=1000, required=False)


class NewTemplateItemForm(TemplateItemForm):
    release_type = forms.ChoiceField(choices=ReleaseType.choices, label="Release type")

    field_order = ["release_type"]


# --- the runbook ---------------------------------------------------------------------

#: how long one section of a runbook may be
SECTION_LIMIT = 50_000


class RunbookSectionForm(ReleaseForm):
    """One section of the release's runbook version, as its writer leaves it."""

    section = forms.ChoiceField(choices=RunbookSection.choices, widget=forms.HiddenInput)
    text = forms.CharField(
        required=False,
        max_length=SECTION_LIMIT,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        label="Text",
    )


class CompleteRunbookForm(ReleaseForm):
    """The version is ready for the go-live; after V0, what changed is said."""

    change_note = forms.CharField(
        required=False,
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="What changed since the version before",
    )


# --- the Go/No-Go board ---------------------------------------------------------------


class ScheduleBoardForm(ReleaseForm):
    """When the board sits and who sits on it: people of the release, and parties."""

    scheduled_at = forms.DateTimeField(widget=DateTimeInput, label="Meets at")
    participants = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(),
        to_field_name="username",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Participants",
    )
    parties = forms.ModelMultipleChoiceField(
        queryset=Party.objects.order_by("position"),
        to_field_name="slug",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Parties invited",
    )
    agenda = forms.CharField(
        required=False, max_length=10_000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["participants"].queryset = people_on(self.release)


class BoardOutcomeForm(ReleaseForm):
    """GO; NO-GO with the new installation date; or the release cancelled."""

    outcome = forms.ChoiceField(
        choices=GoNoGoBoard.Outcome.choices, widget=forms.RadioSelect, label="Outcome"
    )
    reason = forms.CharField(
        required=False, max_length=10_000, widget=REASON, label="Why (for a NO-GO)"
    )
    new_installation_date = forms.DateField(
        required=False, widget=DateInput, label="New installation date (NO-GO, re-planned)"
    )
