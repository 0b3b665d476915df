"""Releases and the record of their activities."""

__all__ = [
    "STAGE_NUMBER",
    "ActivityRecord",
    "Application",
    "DeploymentOption",
    "Milestone",
    "MilestoneChange",
    "PolicyBreach",
    "Release",
    "ReleasePolicy",
    "ReleaseType",
    "Stage",
    "StageChange",
    "Window",
]

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django_fsm import FSMField, transition

from raci.catalogue import perform_permissions
from raci.permissions import may_perform
from raci.release_types import ReleaseType
from releasemgmt.fsm import ConcurrentTransitions

from .lifecycle import TRANSITION_ACTIVITY, missing_gates
from .stages import BEFORE_INSTALLATION, STAGE_NUMBER, ActivityStatus, Stage


def gates_met(name: str):
    """django-fsm condition: the gate activities of transition ``name`` are all done."""

    def condition(release) -> bool:
        return not missing_gates(release, name)

    condition.__name__ = f"gates_of_{name}"
    return condition


def may_fire(name: str):
    """django-fsm permission: the user is R or A for the transition's activity (Table 4-1)."""

    def permission(release, user) -> bool:
        return may_perform(user, release, TRANSITION_ACTIVITY[name])

    return permission


def stage_transition(name, source, target):
    """A transition of the stage field guarded by its gates and by Table 4-1."""
    return transition(
        field="stage",
        source=source,
        target=target,
        conditions=[gates_met(name)],
        permission=may_fire(name),
    )


class Application(models.Model):
    """An application under release management (for example ECS or NCTS)."""

    code = models.SlugField(
        max_length=30, unique=True, help_text="Short code used in release identifiers."
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    business_threads = models.ManyToManyField(
        "raci.Party",
        blank=True,
        related_name="applications",
        limit_choices_to={"kind": "business_thread"},
        help_text="The business thread(s) a release of this application is assigned by "
        "default (RM.1.2).",
    )
    dsl_retention = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
        help_text="How many most recent versions keep their documentation in the DSL "
        "(RM.2.4); older ones go to the archive.",
    )

    class Meta:
        db_table = "dsl_application"  # kept where it was first created
        ordering = ["code"]

    def __str__(self):
        return f"{self.code.upper()} - {self.name}"


class Release(ConcurrentTransitions, models.Model):
    """A release operation (RM.1.1): one version of one application, planned,
    received, accepted and installed through the stages RM.1 to RM.7."""

    identifier = models.CharField(
        max_length=60, unique=True, editable=False, help_text="Unique release identifier."
    )
    name = models.CharField(max_length=200)
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="releases")
    version = models.CharField(max_length=40)
    release_type = models.CharField(max_length=10, choices=ReleaseType.choices)
    planned_delivery_date = models.DateField()
    planned_installation_date = models.DateField()
    conformance_testing = models.BooleanField(
        default=False, help_text="Planned with a conformance testing campaign (RM.7)."
    )
    description = models.TextField(blank=True)
    stage = FSMField(
        max_length=20, choices=Stage.choices, default=Stage.PLANNING, protected=True, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(
        null=True, blank=True, db_index=True, help_text="On the release schedule (RM.1.4)."
    )
    rollback_plan_used = models.BooleanField(default=False)
    round_started_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Start of the current round (after a corrected delivery or a "
        "re-authorisation): reports, plans and decisions from before no longer count.",
    )

    class Meta:
        ordering = ["planned_installation_date", "identifier"]
        permissions = perform_permissions()
        constraints = [
            models.UniqueConstraint(
                fields=["application", "version"], name="release_unique_application_version"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    planned_installation_date__gte=models.F("planned_delivery_date")
                ),
                name="release_installation_after_delivery",
            ),
        ]
        indexes = [
            models.Index(fields=["release_type"]),
            models.Index(fields=["planned_installation_date"]),
            models.Index(fields=["application", "stage"]),
            # the policy's frequency rule: an application's installations near a date
            models.Index(fields=["application", "planned_installation_date"]),
            # the DSL's page: an application's versions newest first, a page of them read
            # without sorting all the versions of the years (issue 17)
            models.Index(fields=["application", "-created_at", "-id"], name="release_newest"),
            # the releases not closed or cancelled, whatever the years of closed ones:
            # the start page's lists read them from here, not from every release
            models.Index(
                fields=["planned_installation_date", "id"],
                condition=~models.Q(stage__in=[Stage.CLOSED, Stage.CANCELLED]),
                name="release_open",
            ),
            # the releases in a working stage, with their stage and installation date:
            # what waits for a user is asked of those they hold, and reading them from
            # the table, 265 pages for 4,207 releases, was half of that read (issue 17)
            models.Index(
                fields=["id"],
                include=["stage", "planned_installation_date"],
                condition=models.Q(stage__in=list(STAGE_NUMBER)),
                name="release_in_flight",
            ),
        ]

    def __str__(self):
        return f"{self.identifier} {self.name}"

    # --- the stage state machine (bodies only change fields; services do the rest) ---

    @stage_transition("receive", Stage.PLANNING, Stage.RECEIVING)
    def receive(self):
        """RM.1 done: the release plan is published; wait for the delivery (RM.2)."""

    @stage_transition("kick_off", Stage.RECEIVING, Stage.KICKOFF)
    def kick_off(self):
        """RM.2 done: consistent, complete, in the DSL, documented."""

    @stage_transition("start_acceptance", Stage.KICKOFF, Stage.ACCEPTANCE)
    def start_acceptance(self):
        """RM.3 done: deployment plan approved, test environment validated."""

    @stage_transition("request_authorisation", Stage.ACCEPTANCE, Stage.AUTHORISATION)
    def request_authorisation(self):
        """RM.4 done: GO after pSAT and after SAT."""

    @stage_transition("authorise_installation", Stage.AUTHORISATION, Stage.INSTALLATION)
    def authorise_installation(self):
        """RM.5 done: installation plan approved and installation authorised."""

    @stage_transition("start_conformance", Stage.INSTALLATION, Stage.CONFORMANCE)
    def start_conformance(self):
        """RM.6 done for a release planned with conformance testing."""

    @stage_transition("close", [Stage.INSTALLATION, Stage.CONFORMANCE], Stage.CLOSED)
    def close(self):
        """RM.6.7 (or RM.7.2 with conformance testing) done."""

    @stage_transition("roll_back", Stage.INSTALLATION, Stage.ROLLED_BACK)
    def roll_back(self):
        """RM.6.4: the rollback plan was initiated."""

    @stage_transition("reauthorise", Stage.ROLLED_BACK, Stage.AUTHORISATION)
    def reauthorise(self):
        """After a rollback: a new installation plan goes through RM.5 again."""

    @stage_transition("close_failed", Stage.ROLLED_BACK, Stage.CLOSED)
    def close_failed(self):
        """After a rollback: the release operation ends without the new version."""

    @stage_transition("return_for_correction", Stage.ACCEPTANCE, Stage.RECEIVING)
    def return_for_correction(self):
        """NOGO after pSAT or SAT: back to RM.2 for a corrected delivery."""

    @stage_transition("cancel", BEFORE_INSTALLATION, Stage.CANCELLED)
    def cancel(self):
        """The release is abandoned before installation."""

    @property
    def stage_number(self):
        return STAGE_NUMBER.get(self.stage)

    @property
    def is_open(self):
        return self.stage not in {Stage.CLOSED, Stage.CANCELLED}

    @property
    def closed_as_failed(self):
        return self.stage == Stage.CLOSED and self.rollback_plan_used


class ActivityRecord(models.Model):
    """What happened to one activity of one release: pending, done, or not applicable."""

    Status = ActivityStatus

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="activity_records")
    activity = models.ForeignKey("raci.Activity", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    performed_at = models.DateTimeField(null=True, blank=True)
    deputy_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Whom the performer stood in for, as a deputy (issue 16 point 4).",
    )
    outcome = models.CharField(max_length=40, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["activity__position"]
        constraints = [
            models.UniqueConstraint(fields=["release", "activity"], name="activity_record_unique"),
        ]
        indexes = [
            models.Index(fields=["activity", "status"]),
            # the KPIs' flow: the activities done in a period (kpis.flow)
            models.Index(fields=["status", "performed_at"]),
            # what waits for a user (``selectors.waiting_for``): the pending records of
            # their releases in flight, without the done ones beside them (issue 17)
            models.Index(
                fields=["release"],
                condition=models.Q(status="pending"),
                name="activity_record_pending",
            ),
        ]

    def __str__(self):
        return f"{self.release.identifier} {self.activity.code}: {self.get_status_display()}"

    @property
    def performed_by_label(self) -> str:
        """Who performed it: "X, deputy of Y" when a deputy stood in (issue 16 point 4)."""
        return self.label_of(
            self.performed_by if self.performed_by_id else None,
            self.deputy_of if self.deputy_of_id else None,
        )

    @staticmethod
    def label_of(performer, deputy) -> str:
        """``performed_by_label`` from the performer and whom they stood in for (names or
        users; None for nobody)."""
        if performer is None:
            return ""
        if deputy is not None:
            return f"{performer}, deputy of {deputy}"
        return str(performer)


class StageChange(models.Model):
    """One move of a release from a stage to another, as it happened: the history the
    KPIs (seed 002 section 5.3) and the process flow are counted from. Written by
    ``releases.services.move_release`` and never changed; a rollback (RM.6.4) stays
    here as its ``roll_back`` move whatever the release does next."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="stage_changes")
    transition = models.CharField(max_length=30)
    from_stage = models.CharField(max_length=20, choices=Stage.choices)
    to_stage = models.CharField(max_length=20, choices=Stage.choices)
    at = models.DateTimeField()
    entered_from_at = models.DateTimeField(
        help_text="When the release entered the stage it left: the time it spent there "
        "is at - entered_from_at."
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["release", "at"]),
            models.Index(fields=["transition", "at"]),
            models.Index(fields=["from_stage", "at"]),
            models.Index(fields=["to_stage", "at"]),
        ]

    def __str__(self):
        return f"{self.release_id}: {self.from_stage} -> {self.to_stage} ({self.transition})"


class Milestone(models.Model):
    """A dated step of a release's plan: its planned window, the baseline taken when the
    release plan is published (RM.1.4) and every re-plan since (``MilestoneChange``).
    When it actually happened is the record of its activity (``ACTIVITY``), never a
    date typed here. Seed 002 counts late and overlapping releases from these."""

    class Kind(models.TextChoices):
        DELIVERY = "delivery", "Delivery"
        KICKOFF = "kickoff", "Kick-off meeting"
        PSAT = "psat", "pSAT"
        SAT = "sat", "SAT"
        INSTALLATION = "installation", "Installation"
        CONFORMANCE = "conformance", "Conformance testing"

    #: the activity whose record says when the milestone actually happened
    ACTIVITY = {
        Kind.DELIVERY: "RM.2.2",
        Kind.KICKOFF: "RM.3.2",
        Kind.PSAT: "RM.4.1",
        Kind.SAT: "RM.4.2",
        Kind.INSTALLATION: "RM.6.3",
        Kind.CONFORMANCE: "RM.7.2",
    }

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="milestones")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    all_day = models.BooleanField(
        default=True, help_text="Planned by the day (RM.1.1's dates) rather than to the hour."
    )
    baseline_starts_at = models.DateTimeField(
        null=True, blank=True, help_text="As planned when the release plan was published."
    )
    baseline_ends_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["release", "kind"], name="milestone_once"),
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="milestone_ends_after"
            ),
        ]
        indexes = [
            models.Index(fields=["starts_at"]),
            models.Index(fields=["ends_at"]),
            models.Index(fields=["kind", "starts_at"]),
        ]

    def __str__(self):
        return f"{self.release.identifier} {self.get_kind_display()}"


class MilestoneChange(models.Model):
    """One re-plan of a milestone: from when to when, who and why."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="changes")
    starts_before = models.DateTimeField()
    ends_before = models.DateTimeField()
    starts_after = models.DateTimeField()
    ends_after = models.DateTimeField()
    reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_at", "id"]


class Window(models.Model):
    """A period the calendar and the conflict rules know: a blackout (nothing is
    installed: a year-end freeze), global or for one application or business thread; or
    a maintenance window of an application, when its installations may happen, dated or
    repeated weekly."""

    class Kind(models.TextChoices):
        BLACKOUT = "blackout", "Blackout"
        MAINTENANCE = "maintenance", "Maintenance window"

    kind = models.CharField(max_length=12, choices=Kind.choices)
    title = models.CharField(max_length=200)
    reason = models.TextField(blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    repeats_weekly = models.BooleanField(
        default=False, help_text="The same hours every week, from its start until its end date."
    )
    repeat_until = models.DateField(null=True, blank=True)
    application = models.ForeignKey(
        Application, null=True, blank=True, on_delete=models.CASCADE, related_name="windows"
    )
    business_thread = models.ForeignKey(
        "raci.Party", null=True, blank=True, on_delete=models.CASCADE, related_name="windows"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")), name="window_ends_after"
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "starts_at"]),
            models.Index(fields=["kind", "ends_at"]),
            models.Index(fields=["application", "kind"]),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.title}"


class DeploymentOption(models.TextChoices):
    """How a release reaches its users (seed 001 section 3.2): the values of the
    deployment plan's option (RM.1.3), known here so that a policy can name its default."""

    BIG_BANG = "big_bang", "Big bang"
    PHASED = "phased", "Phased"
    PUSH = "push", "Push"
    PULL = "pull", "Pull"


class OnBreach(models.TextChoices):
    WARN = "warn", "Warn: go ahead with a reason"
    REFUSE = "refuse", "Refuse"


class ReleasePolicy(models.Model):
    """The release policy of one application (issue 12 point 7, seed 001 section 3.3):
    the release types it takes, the pattern of its versions, how often it is released,
    in which maintenance windows, with what lead time and deployment option. Checked
    when a release is formalised or its planning revised (RM.1.1); each rule says
    whether a breach is refused or goes ahead with a reason."""

    #: the simple pattern language of ``version_pattern`` (see ``releases.policy``)
    PATTERN_MAX_LENGTH = 40

    application = models.OneToOneField(Application, on_delete=models.CASCADE, related_name="policy")
    allowed_types = models.JSONField(
        default=list, blank=True, help_text="The release types it takes; empty: every type."
    )
    types_on_breach = models.CharField(
        max_length=6, choices=OnBreach.choices, default=OnBreach.REFUSE
    )
    version_pattern = models.CharField(
        max_length=PATTERN_MAX_LENGTH,
        blank=True,
        help_text="N a number, A letters, any of . - _ + as written (for example N.N.N).",
    )
    version_on_breach = models.CharField(
        max_length=6, choices=OnBreach.choices, default=OnBreach.REFUSE
    )
    min_days_between = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Usual frequency: days at least between installations."
    )
    frequency_on_breach = models.CharField(
        max_length=6, choices=OnBreach.choices, default=OnBreach.WARN
    )
    windows = models.ManyToManyField(
        Window,
        blank=True,
        related_name="policies",
        help_text="Its usual maintenance windows: installations fall on their days.",
    )
    windows_on_breach = models.CharField(
        max_length=6, choices=OnBreach.choices, default=OnBreach.WARN
    )
    lead_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Days at least from formalisation (RM.1.1) to the planned installation.",
    )
    lead_on_breach = models.CharField(max_length=6, choices=OnBreach.choices, default=OnBreach.WARN)
    default_deployment_option = models.CharField(
        max_length=10, choices=DeploymentOption.choices, blank=True
    )
    hypercare_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Days of hypercare after go-live (RM.6.5); empty: the release type's.",
    )
    review_every_release = models.BooleanField(
        default=False,
        help_text="Every release is reviewed after go-live, not only those the type asks.",
    )
    # Due dates of what is owed (issue 16 point 3; ``releases.due_dates``): empty, the
    # site's default (settings ``DUE_DATES``).
    decision_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Working days a business thread has to decide after the report or plan "
        "its decision rests on was submitted (RM.4.1, RM.4.2, RM.5.1).",
    )
    authorisation_lead_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Days before the planned installation by which the installation plan is "
        "approved and the installation authorised (RM.5.1, RM.5.2).",
    )
    after_installation_days = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Working days after the installation for what follows it: the go-ahead of "
        "conformance testing (RM.7.1), the publication and closure (RM.6.5 to RM.6.7).",
    )
    remind_days_before = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        help_text="Days before a due date that those who owe it are reminded.",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["application__code"]
        verbose_name_plural = "release policies"

    def __str__(self):
        return f"Release policy of {self.application.code.upper()}"


class PolicyBreach(models.Model):
    """A breach of the application's policy that the release manager accepted with a
    reason when the release was formalised or re-planned (RM.1.1)."""

    class Rule(models.TextChoices):
        TYPES = "types", "Release type"
        VERSION = "version", "Version pattern"
        FREQUENCY = "frequency", "Frequency"
        WINDOWS = "windows", "Maintenance windows"
        LEAD_TIME = "lead_time", "Lead time"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="policy_breaches")
    rule = models.CharField(max_length=10, choices=Rule.choices)
    message = models.TextField()
    reason = models.TextField()
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    accepted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["accepted_at", "id"]

    def __str__(self):
        return f"{self.release.identifier}: {self.get_rule_display()} breached"
