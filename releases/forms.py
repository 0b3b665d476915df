"""Forms parse input; the rules (dates, uniqueness, who may) are the services'."""

from django import forms
from django.contrib.auth import get_user_model
from django.forms.models import fields_for_model, model_to_dict

from raci.models import Organisation, Party
from raci.permissions import Parties
from releasemgmt.forms import GuardedForm, ReleaseForm

from .models import Release
from .services import PLANNING_FIELDS


class DateInput(forms.DateInput):
    """A browser's date picker reads and writes ISO dates only."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


WIDGETS = {
    "planned_delivery_date": DateInput,
    "planned_installation_date": DateInput,
    "description": forms.Textarea(attrs={"rows": 3}),
}


def business_thread_field():
    return forms.ModelMultipleChoiceField(
        queryset=Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD),
        widget=forms.CheckboxSelectMultiple,
        label="Affected DG TAXUD business thread(s)",
    )


class ReleaseFieldsForm(GuardedForm):
    """A plain form with the model's fields (no model validation: the service decides)."""

    field_names: list[str] = []

    def __init__(self, *args, release=None, **kwargs):
        if release is not None:
            kwargs.setdefault("initial", model_to_dict(release, fields=self.field_names))
        super().__init__(*args, **kwargs)
        fields = fields_for_model(Release, fields=self.field_names, widgets=WIDGETS)
        self.fields = {**fields, **self.fields}


class FormaliseReleaseForm(ReleaseFieldsForm):
    """RM.1.1 Formalise release."""

    field_names = ["application", "version", *PLANNING_FIELDS]
    business_threads = business_thread_field()


class RevisePlanningForm(ReleaseFieldsForm):
    """RM.1.1 again: revise the planning of an open release."""

    field_names = PLANNING_FIELDS


class AssignRolesForm(GuardedForm):
    """RM.1.2 Assign roles."""

    deployment_coordinator = forms.ModelChoiceField(
        queryset=get_user_model().objects.none(), label="ITSM Deployment Coordinator"
    )
    business_threads = business_thread_field()
    developers = forms.ModelChoiceField(
        queryset=Organisation.objects.all(), label="3rd party developer organisation"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deployment_coordinator"].queryset = get_user_model().objects.filter(
            groups__party__name=Parties.DEPLOYMENT_COORDINATOR, is_active=True
        )


class TransitionForm(ReleaseForm):
    """A stage transition fired by hand: why (required to cancel or send back)."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
