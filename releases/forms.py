from django import forms
from django.contrib.auth import get_user_model

from raci.models import Organisation, Party
from raci.services import DEPLOYMENT_COORDINATOR

from .models import Release


def business_thread_field(**kwargs):
    return forms.ModelMultipleChoiceField(
        queryset=Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD),
        widget=forms.CheckboxSelectMultiple,
        label="Affected DG TAXUD business thread(s)",
        **kwargs,
    )


class DateInput(forms.DateInput):
    input_type = "date"


class FormaliseReleaseForm(forms.ModelForm):
    """RM.1.1 Formalise release."""

    business_threads = business_thread_field()

    class Meta:
        model = Release
        fields = [
            "application",
            "version",
            "name",
            "release_type",
            "planned_delivery_date",
            "planned_installation_date",
            "conformance_testing",
            "description",
            "business_threads",
        ]
        widgets = {
            "planned_delivery_date": DateInput,
            "planned_installation_date": DateInput,
            "description": forms.Textarea(attrs={"rows": 3}),
        }

    def validate_unique(self):
        """The service checks uniqueness and names the clash; the form must not
        look up a release identifier it does not set."""


class RevisePlanningForm(forms.ModelForm):
    """RM.1.1 again: revise the planning of an open release."""

    class Meta:
        model = Release
        fields = [
            "name",
            "release_type",
            "planned_delivery_date",
            "planned_installation_date",
            "conformance_testing",
            "description",
        ]
        widgets = FormaliseReleaseForm.Meta.widgets


class AssignRolesForm(forms.Form):
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
            groups__party__name=DEPLOYMENT_COORDINATOR, is_active=True
        )
