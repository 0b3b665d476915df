"""Forms parse input; the rules (dates, uniqueness, who may) are the services'."""

from django import forms
from django.contrib.auth import get_user_model
from django.forms.models import fields_for_model, model_to_dict

from raci.models import Organisation, Party
from raci.permissions import Parties
from raci.release_types import ReleaseType
from releasemgmt.forms import GuardedForm, ReleaseForm

from .models import (
    Application,
    DeploymentOption,
    Milestone,
    OnBreach,
    Release,
    ReleasePolicy,
    Window,
)
from .planning import WINDOW_FIELDS
from .services import PLANNING_FIELDS


class DateInput(forms.DateInput):
    """A browser's date picker reads and writes ISO dates only."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class DateTimeInput(forms.DateTimeInput):
    """A browser's date-time picker reads and writes ISO date-times only."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


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


def policy_reason_field():
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Reason to go ahead despite the release policy",
        help_text="Needed only when the release breaches a rule of the policy that warns.",
    )


class FormaliseReleaseForm(ReleaseFieldsForm):
    """RM.1.1 Formalise release."""

    field_names = ["application", "version", *PLANNING_FIELDS]
    business_threads = business_thread_field()
    policy_reason = policy_reason_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        threads = self.fields["business_threads"]
        threads.required = False
        threads.help_text = "None ticked: the application's default business threads."


class RevisePlanningForm(ReleaseFieldsForm):
    """RM.1.1 again: revise the planning of an open release."""

    field_names = PLANNING_FIELDS
    policy_reason = policy_reason_field()


class WaiveForm(ReleaseForm):
    """Waive an activity the release's type may waive (issue 12 point 5)."""

    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), label="Why it is waived")


class CatchUpForm(ReleaseForm):
    """Catch up a waived activity after the installation."""

    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), label="What was done to catch it up"
    )


def on_breach_field(label):
    return forms.ChoiceField(
        choices=OnBreach.choices, initial=OnBreach.WARN, label=f"A breach of {label}"
    )


class PolicyForm(GuardedForm):
    """An application's release policy (``policy.save_policy`` decides what holds)."""

    allowed_types = forms.MultipleChoiceField(
        choices=ReleaseType.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Release types it takes",
        help_text="None ticked: every type.",
    )
    types_on_breach = on_breach_field("the release types")
    version_pattern = forms.CharField(
        max_length=ReleasePolicy.PATTERN_MAX_LENGTH,
        required=False,
        help_text="N a number, A letters; digits, small letters and . - _ + as written "
        "(for example N.N.N). Empty: any version.",
    )
    version_on_breach = on_breach_field("the version pattern")
    min_days_between = forms.IntegerField(
        required=False, min_value=0, label="Days at least between installations"
    )
    frequency_on_breach = on_breach_field("the frequency")
    windows = forms.ModelMultipleChoiceField(
        queryset=Window.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Usual maintenance windows",
    )
    windows_on_breach = on_breach_field("the maintenance windows")
    lead_days = forms.IntegerField(
        required=False,
        min_value=0,
        label="Lead time in days",
        help_text="From formalisation (RM.1.1) to the planned installation.",
    )
    lead_on_breach = on_breach_field("the lead time")
    default_deployment_option = forms.ChoiceField(
        choices=[("", "None"), *DeploymentOption.choices], required=False
    )
    hypercare_days = forms.IntegerField(
        required=False,
        min_value=0,
        label="Hypercare in days",
        help_text="After go-live (RM.6.5). Empty: as long as the release type says.",
    )
    review_every_release = forms.BooleanField(
        required=False,
        label="Review every release",
        help_text="Not only major, emergency, failed and rolled-back releases.",
    )
    decision_days = forms.IntegerField(
        required=False,
        min_value=0,
        label="Working days to decide",
        help_text="After the report or plan a thread's decision rests on was submitted "
        "(RM.4.1, RM.4.2, RM.5.1). Empty: the site's default.",
    )
    authorisation_lead_days = forms.IntegerField(
        required=False,
        min_value=0,
        label="Authorised days before the installation",
        help_text="The installation plan approved and the installation authorised this many "
        "days before it (RM.5.1, RM.5.2). Empty: the site's default.",
    )
    after_installation_days = forms.IntegerField(
        required=False,
        min_value=0,
        label="Working days after the installation",
        help_text="For the go-ahead of conformance testing (RM.7.1) and the closure "
        "(RM.6.5 to RM.6.7). Empty: the site's default.",
    )
    remind_days_before = forms.IntegerField(
        required=False,
        min_value=0,
        label="Remind days before a due date",
        help_text="Those who owe a step are mailed then and on the day. Empty: the site's default.",
    )

    def __init__(self, *args, application, policy=None, **kwargs):
        if policy is not None:
            initial = {f: getattr(policy, f) for f in self.base_fields if f != "windows"}
            kwargs.setdefault("initial", initial | {"windows": list(policy.windows.all())})
        super().__init__(*args, **kwargs)
        self.fields["windows"].queryset = Window.objects.filter(
            application=application, kind=Window.Kind.MAINTENANCE
        ).order_by("starts_at", "id")


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


class MilestoneForm(ReleaseForm):
    """Plan or re-plan one milestone of the release to the hour (``planning.plan_milestone``
    decides who may, and asks why once the plan is published at RM.1.4)."""

    kind = forms.ChoiceField(choices=Milestone.Kind.choices, label="Milestone")
    starts_at = forms.DateTimeField(label="Starts", widget=DateTimeInput)
    ends_at = forms.DateTimeField(label="Ends", widget=DateTimeInput)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Why it moves: required once the release plan is published (RM.1.4).",
    )


class WindowForm(GuardedForm):
    """A blackout (global, of an application or of a business thread) or a maintenance
    window of an application, dated or repeated weekly (``planning.save_window``
    decides what holds together)."""

    kind = forms.ChoiceField(choices=Window.Kind.choices)
    title = forms.CharField(max_length=200)
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text="Why nothing is installed then (shown with each conflict it causes).",
    )
    starts_at = forms.DateTimeField(label="Starts", widget=DateTimeInput)
    ends_at = forms.DateTimeField(label="Ends", widget=DateTimeInput)
    repeats_weekly = forms.BooleanField(
        required=False,
        label="Repeats every week",
        help_text="The same hours every week (a week long at most).",
    )
    repeat_until = forms.DateField(
        required=False,
        widget=DateInput,
        label="Repeats until",
        help_text="The last day of a weekly window; empty: with no end date.",
    )
    application = forms.ModelChoiceField(
        queryset=Application.objects.order_by("code"),
        required=False,
        empty_label="Every application",
        help_text="A maintenance window belongs to one application.",
    )
    business_thread = forms.ModelChoiceField(
        queryset=Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD),
        required=False,
        empty_label="No thread in particular",
        label="Business thread",
        help_text="A blackout of one DG TAXUD business thread's releases.",
    )

    def __init__(self, *args, window=None, **kwargs):
        if window is not None:
            kwargs.setdefault("initial", model_to_dict(window, fields=WINDOW_FIELDS))
        super().__init__(*args, **kwargs)
