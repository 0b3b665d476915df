"""One form per activity and per action: they parse input for the web pages and the API
alike; the services decide."""

from django import forms
from django.contrib.auth import get_user_model

from raci.models import Party
from raci.permissions import Parties
from releasemgmt.forms import GuardedForm, HeaderField, MailBodyField, ReleaseForm
from releases.selectors import people_on

from .models import (
    Decision,
    DeploymentPhase,
    DeploymentPlan,
    DeploymentTask,
    MassNotification,
    NotificationRequest,
    PlannedComponent,
    TestReport,
)
from .plan_content import ITEMS


class DateTimeInput(forms.DateTimeInput):
    """A browser's date-time picker reads and writes ISO date-times only."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")


class DateInput(forms.DateInput):
    """A browser's date picker reads and writes ISO dates only."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ConfirmForm(ReleaseForm):
    """Activities whose evidence is already on record: performing them is the decision."""


class MessageForm(ReleaseForm):
    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class AcknowledgeConflictForm(ReleaseForm):
    """RM.1.4: accept one conflict of the installation, saying why."""

    key = forms.CharField(
        max_length=120,
        label="Conflict",
        help_text="The conflict's key, as the release page lists it.",
    )
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Why the release goes ahead despite it.",
    )


def _item_field(item) -> forms.CharField:
    return forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label=f"{item.letter}) {item.label}",
        help_text=item.help,
    )


#: the plan's content as typed: an item of BS 15000-2 9.3 per field, the risks and the
#: phases as lines (the same text on the page and in the API)
PlanContentForm = type(
    "PlanContentForm",
    (ReleaseForm,),
    {
        "__module__": __name__,
        "__doc__": "The items of BS 15000-2 section 9.3, the risks and the phases.",
        **{item.slug: _item_field(item) for item in ITEMS},
        "risks": forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
            label="i) Risks",
            help_text="One per line: risk | owner | mitigation.",
        ),
        "phases": forms.CharField(
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
            label="Phases (phased deployment)",
            help_text="One per line: name | target (member states, sites, environments) | "
            "planned date YYYY-MM-DD.",
        ),
    },
)


class DeploymentPlanForm(PlanContentForm):
    """RM.1.3 Initialise deployment plan (and the rollback plan); the items of section
    9.3 known already (RM.1.4 publishes only a plan that holds them all)."""

    field_order = ["option", "summary", "components", "last_known_good_build"]

    option = forms.ChoiceField(choices=DeploymentPlan.Option.choices, label="Deployment option")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    components = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The components to be delivered, one per line: name version.",
    )
    last_known_good_build = forms.CharField(max_length=100, label="Last known good build")
    rollback_procedure = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class PlanRevisionForm(PlanContentForm):
    """A revision of the deployment plan, with its reason (who and when are recorded)."""

    field_order = ["option", "summary"]

    option = forms.ChoiceField(choices=DeploymentPlan.Option.choices, label="Deployment option")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Why the plan is revised",
    )
    based_on = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=2**31 - 1,
        widget=forms.HiddenInput,
        label="Revised from",
        help_text="The revision number read before revising: a revision made meanwhile "
        "answers 409.",
    )


class CompareRevisionsForm(GuardedForm):
    """Two revisions of a deployment plan, by number."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, label in (("from", "From revision"), ("to", "To revision")):
            self.fields[name] = forms.IntegerField(
                required=False, min_value=1, max_value=2**31 - 1, label=label
            )


class ConsistencyForm(ReleaseForm):
    """RM.2.1 Verify release consistency."""

    plan_completed = forms.BooleanField(
        required=False, label="Deployment plan completed by the application manager"
    )
    documents_present = forms.BooleanField(
        required=False, label="Technical documents (installation documents...) available"
    )
    missing = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="What is missing"
    )
    complementary_rfc_title = forms.CharField(
        max_length=200,
        required=False,
        label="Raise a complementary RfC",
        help_text="For a late change (a missing COTS, more storage...).",
    )


class CompletenessForm(ReleaseForm):
    """RM.2.2 Verify release completeness."""

    delivered = forms.ModelMultipleChoiceField(
        queryset=PlannedComponent.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Delivered components",
    )
    missing_items = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Other missing items"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivered"].queryset = PlannedComponent.objects.filter(
            plan__release=self.release
        )


class TaskForm(ReleaseForm):
    """RM.3.1: a task of the deployment plan."""

    title = forms.CharField(max_length=200)
    owner_party = forms.ModelChoiceField(
        queryset=Party.objects.all(), to_field_name="slug", label="Owner party"
    )
    assignee = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True),
        to_field_name="username",
        required=False,
        help_text="Someone who holds a party on this release.",
    )
    due_date = forms.DateField(widget=DateInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.release is not None:
            self.fields["assignee"].queryset = people_on(self.release)


class TaskDoneForm(ReleaseForm):
    """A deployment task is done."""

    task = forms.ModelChoiceField(queryset=DeploymentTask.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task"].queryset = DeploymentTask.objects.filter(
            plan__release=self.release, status=DeploymentTask.Status.OPEN
        )


class KickOffForm(ReleaseForm):
    """RM.3.1 Prepare kick-off meeting."""

    scheduled_at = forms.DateTimeField(widget=DateTimeInput)
    agenda = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class RunKickOffForm(ReleaseForm):
    """RM.3.2 Run kick-off meeting."""

    decisions = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    plan_approved = forms.BooleanField(required=False, label="The deployment plan is approved")


class EnvironmentForm(ReleaseForm):
    """RM.3.3 Validate testing environment."""

    file = forms.FileField(label="Environment acceptance report")
    accepted = forms.BooleanField(required=False, label="The environment is accepted")
    anomalies = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)


class TestReportForm(ReleaseForm):
    """RM.4.1 / RM.4.2: a pSAT, SAT, DQR or qualification report."""

    kind = forms.ChoiceField(choices=TestReport.Kind.choices)
    file = forms.FileField()
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The page offers what the release is waiting for: the pSAT report until RM.4.1
        # is done, then the SAT, DQR or qualification report. (The service still
        # answers any kind, with the reason when it comes too early.)
        if self.release is not None:
            psat_done = self.release.activity_records.filter(
                activity__code="RM.4.1", status="done"
            ).exists()
            psat = TestReport.Kind.PSAT
            self.fields["kind"].widget.choices = [
                (value, label)
                for value, label in TestReport.Kind.choices
                if (value != psat) == psat_done
            ]


class InstallationPlanForm(ReleaseForm):
    """RM.5.1: the installation plan and release notes."""

    file = forms.FileField(label="Installation plan")
    release_notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}))
    planned_start = forms.DateTimeField(widget=DateTimeInput)


class DecisionForm(ReleaseForm):
    """A business thread's decision, with its evidence."""

    business_thread = forms.ModelChoiceField(queryset=Party.objects.none(), to_field_name="slug")
    verdict = forms.ChoiceField(choices=Decision.Verdict.choices)
    consequence = forms.ChoiceField(
        choices=[("", "—"), *Decision.Consequence.choices],
        required=False,
        help_text="After a NOGO on pSAT or SAT: what happens to the release.",
    )
    decided_by_name = forms.CharField(
        max_length=200,
        required=False,
        label="Decided by",
        help_text="Leave empty if you decide yourself.",
    )
    decided_at = forms.DateTimeField(widget=DateTimeInput, required=False)
    evidence = forms.FileField(
        required=False, help_text="For example the acceptance e-mail (.eml, .pdf)."
    )
    evidence_note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, threads=None, kind=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["business_thread"].queryset = (
            threads
            if threads is not None
            else (
                Party.objects.filter(
                    kind=Party.Kind.BUSINESS_THREAD, assignments__release=self.release
                )
            )
        )
        if threads is not None and len(threads) == 1:
            self.fields["business_thread"].initial = threads[0].slug
        if kind is not None:
            self._speak_of(kind)

    def _speak_of(self, kind) -> None:
        """The words of the decision at hand: GO/NOGO after a test, approved/rejected for
        a plan or an authorisation, validated/refused for a rollback; no verdict chosen
        in advance; what follows a NOGO only where it has a consequence."""
        words = {
            Decision.Kind.INSTALLATION_PLAN: ("Approve", "Reject"),
            Decision.Kind.AUTHORISATION: ("Authorise the installation", "Refuse"),
            Decision.Kind.ROLLBACK: ("Validate the rollback", "Refuse the rollback"),
            Decision.Kind.CT_GO_AHEAD: ("GO: start the CT campaign", "NOGO"),
        }.get(kind, ("GO", "NOGO"))
        verdict = self.fields["verdict"]
        verdict.choices = [("", "— choose —"), ("go", words[0]), ("nogo", words[1])]
        verdict.label = "Decision"
        if kind not in (Decision.Kind.PSAT, Decision.Kind.SAT):
            del self.fields["consequence"]


class NotificationForm(ReleaseForm):
    """RM.6.1 / RM.6.6: ask the service desk to notify the impacted users. The message and
    the disruption become the mass e-mail's body: text of lines, and short enough for it."""

    message = MailBodyField(
        max_length=NotificationRequest.MESSAGE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    disruption = MailBodyField(
        max_length=NotificationRequest.DISRUPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        label="Expected disruption",
    )


class GoLiveForm(ReleaseForm):
    """RM.6.2 Initiate installation."""

    start_at = forms.DateTimeField(widget=DateTimeInput, label="Installation starts at")
    instructions = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class InstallationReportForm(ReleaseForm):
    """RM.6.3 Assess installation report."""

    file = forms.FileField(label="Installation report")
    phase = forms.ModelChoiceField(
        queryset=DeploymentPhase.objects.none(),
        required=False,
        label="Phase",
        help_text="A phased deployment: the phase this report is for (its id).",
    )
    successful = forms.BooleanField(required=False, label="The installation succeeded")
    assessment = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        phases = DeploymentPhase.objects.filter(plan__release=self.release, plan__option="phased")
        self.fields["phase"].queryset = phases
        if self.release is not None and not phases.exists():
            self.fields["phase"].widget = forms.HiddenInput()


class SuccessForm(ReleaseForm):
    """RM.6.5: the message to the stakeholders, and what production now runs."""

    message = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    installed = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        max_length=60_000,
        label="Installed components (baseline)",
        help_text="As application management reports them, one 'name version sha256' a "
        "line; left empty, the release's components as the DSL holds them.",
    )


class ClosureForm(ReleaseForm):
    """RM.6.7 Prepare closure: the end is reported to configuration management as a task
    (the configuration manager confirms the CI status changes)."""

    deployment_plan_updated = forms.BooleanField(required=False, label="Deployment plan updated")
    accepted_deviation = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2_000,
        label="Accepted deviation from the DSL",
        help_text="Only when production does not run what the DSL holds: why the release "
        "closes all the same.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class CTCampaignForm(ReleaseForm):
    """RM.7.1 Initiate CT campaign."""

    coordinator = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(
            groups__party__name=Parties.CAMPAIGN_COORDINATOR, is_active=True
        ),
        to_field_name="username",
        label="Campaign coordinator",
    )
    scope = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}))


class CTReportForm(ReleaseForm):
    """RM.7.2: a CT campaign report."""

    file = forms.FileField(label="CT campaign report")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)


class MassNotificationForm(ReleaseForm):
    """RM.6.1 / RM.6.6: the service desk's mass e-mail to the impacted users. ``offered``
    narrows the moments shown to those that may be sent now; another one posted reaches
    the service, which says why not."""

    moment = forms.ChoiceField(
        choices=MassNotification.Moment.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Choose before or after the installation."},
    )
    subject = HeaderField(max_length=MassNotification.SUBJECT_MAX_LENGTH)
    body = MailBodyField(
        max_length=MassNotification.BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args, offered=None, **kwargs):
        super().__init__(*args, **kwargs)
        if offered is not None:
            moment = self.fields["moment"]
            moment.widget.choices = [c for c in moment.choices if c[0] in offered]
