"""The calendar's and the inbox's filters, as the pages show them (the API takes the same
values)."""

from django import forms
from django.core.exceptions import ValidationError

from raci.models import Party
from releasemgmt.forms import GuardedForm
from releasemgmt.notifications.models import Communication
from releases.models import Application, ReleaseType, Stage

from .calendar import Filters
from .inbox import LAST_PAGE, release_problem
from .inbox import Filters as InboxFilters


class CalendarFilterForm(GuardedForm):
    """Application, business thread, release type and stage, each optional."""

    application = forms.ModelChoiceField(
        Application.objects.all(), to_field_name="code", required=False, empty_label="Any"
    )
    business_thread = forms.ModelChoiceField(
        Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD).order_by("name"),
        to_field_name="slug",
        required=False,
        empty_label="Any",
    )
    release_type = forms.ChoiceField(choices=[("", "Any"), *ReleaseType.choices], required=False)
    stage = forms.ChoiceField(choices=[("", "Any"), *Stage.choices], required=False)

    def filters(self) -> Filters:
        """The filters of a valid form (none of an invalid one)."""
        if not self.is_valid():
            return Filters()
        return Filters(**self.cleaned_data)


class InboxFilterForm(GuardedForm):
    """The inbox's filters, in the query string (bookmarkable, kept by the pager)."""

    release = forms.CharField(max_length=60, required=False, help_text="A release's identifier.")
    kind = forms.ChoiceField(choices=[("", "Any"), *Communication.Kind.choices], required=False)
    unread = forms.ChoiceField(
        choices=[("", "Read and unread"), ("yes", "Unread only")], required=False
    )
    needs_action = forms.ChoiceField(
        label="Needs action",
        choices=[("", "Any"), ("yes", "About what I owe now")],
        required=False,
    )
    page = forms.IntegerField(min_value=1, max_value=LAST_PAGE, required=False)

    def clean_release(self):
        release = self.cleaned_data["release"]
        if problem := release_problem(release):
            raise ValidationError(problem)
        return release

    def filters(self) -> InboxFilters:
        """The filters of a valid form (none of an invalid one)."""
        if not self.is_valid():
            return InboxFilters()
        return InboxFilters.of(self.cleaned_data)
