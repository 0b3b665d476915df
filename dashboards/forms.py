"""The calendar's filters, as the page shows them (the API takes the same values)."""

from django import forms

from raci.models import Party
from releasemgmt.forms import GuardedForm
from releases.models import Application, ReleaseType, Stage

from .calendar import Filters


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
