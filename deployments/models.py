"""What a release goes through from planning to closure, each a record of its own:
the deployment and rollback plans (RM.1.3), the checks of receipt (RM.2), the kick-off
(RM.3), test reports and decisions (RM.4, RM.5), installation (RM.6) and conformance
testing (RM.7)."""

from django.conf import settings
from django.db import models

from releasemgmt.files import StoredFile, download_url
from releasemgmt.notifications.models import NotificationMoment

USER = settings.AUTH_USER_MODEL


class Performed(models.Model):
    """Who recorded this and when."""

    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self._meta.verbose_name.capitalize()} of {self.release.identifier}"


# --- RM.1.3 ------------------------------------------------------------------------


class DeploymentPlan(models.Model):
    """RM.1.3: created with the release; completed by the application manager (RM.2.1),
    approved at the kick-off (RM.3.2), updated at closure (RM.6.7)."""

    class Option(models.TextChoices):
        BIG_BANG = "big_bang", "Big bang"
        PHASED = "phased", "Phased"
        PUSH = "push", "Push"
        PULL = "pull", "Pull"

    release = models.OneToOneField(
        "releases.Release", on_delete=models.CASCADE, related_name="deployment_plan"
    )
    option = models.CharField(max_length=10, choices=Option.choices, default=Option.BIG_BANG)
    summary = models.TextField()
    completed_by_application_manager = models.BooleanField(default=False)
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Deployment plan of {self.release.identifier}"


class PlannedComponent(models.Model):
    """A component the deployment plan expects to be delivered (checked at RM.2.2)."""

    plan = models.ForeignKey(DeploymentPlan, on_delete=models.CASCADE, related_name="components")
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=40)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="planned_component_unique")
        ]

    def __str__(self):
        return f"{self.name} {self.version}"


class DeploymentTask(models.Model):
    """A task of the deployment plan (RM.3.1): what someone must do during deployment."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    plan = models.ForeignKey(DeploymentPlan, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    owner_party = models.ForeignKey("raci.Party", on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="deployment_tasks"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["assignee", "status"])]

    def __str__(self):
        return self.title


class RollbackPlan(models.Model):
    """Every release has one from RM.1.3 on: the last known good build and how to go
    back to it (RM.6.4)."""

    release = models.OneToOneField(
        "releases.Release", on_delete=models.CASCADE, related_name="rollback_plan"
    )
    last_known_good_build = models.CharField(max_length=100)
    procedure = models.TextField()
    initiated_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Rollback plan of {self.release.identifier}"


# --- RM.2 --------------------------------------------------------------------------


class ConsistencyCheck(Performed):
    """RM.2.1: the release holds every CAB-approved change and its technical documents."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="consistency_checks"
    )
    plan_completed = models.BooleanField()
    changes_present = models.BooleanField()
    documents_present = models.BooleanField()
    consistent = models.BooleanField()
    missing = models.TextField(blank=True)
    complementary_rfc = models.ForeignKey(
        "changes.RfC", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at"]


class CompletenessCheck(Performed):
    """RM.2.2: every component listed in the deployment plan has been delivered; if not,
    the missing items are requested from the 3rd party developers."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="completeness_checks"
    )
    complete = models.BooleanField()
    missing_items = models.TextField(blank=True)

    class Meta:
        ordering = ["-recorded_at"]


# --- RM.3 --------------------------------------------------------------------------


class KickOffMeeting(models.Model):
    """RM.3.1 prepares it (invitees from the RACI), RM.3.2 holds it: decisions and the
    approval of the deployment plan."""

    release = models.OneToOneField(
        "releases.Release", on_delete=models.CASCADE, related_name="kickoff"
    )
    scheduled_at = models.DateTimeField()
    agenda = models.TextField(blank=True)
    invitees = models.ManyToManyField(USER, related_name="+")
    held_at = models.DateTimeField(null=True, blank=True)
    decisions = models.TextField(blank=True)
    plan_approved = models.BooleanField(default=False)

    def __str__(self):
        return f"Kick-off of {self.release.identifier}"


class EnvironmentReport(StoredFile):
    """RM.3.3: the environment acceptance report from application management."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="environment_reports"
    )
    accepted = models.BooleanField()
    anomalies = models.TextField(blank=True)

    class Meta:
        ordering = ["-uploaded_at"]


# --- RM.4 and RM.5: reports and decisions ----------------------------------------------


class TestReport(StoredFile):
    """The report a GO/NOGO decision rests on (RM.4.1 pSAT, RM.4.2 SAT, DQR or
    qualification)."""

    class Kind(models.TextChoices):
        PSAT = "psat", "pSAT report"
        SAT = "sat", "SAT report"
        DQR = "dqr", "DQR report"
        QUALIFICATION = "qualification", "Qualification report"

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="test_reports"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.filename}"

    @property
    def activity_code(self):
        return "RM.4.1" if self.kind == self.Kind.PSAT else "RM.4.2"


class InstallationPlan(StoredFile):
    """RM.5.1: the installation plan and release notes the deployment coordinator
    presents to the affected business threads. A rejection calls for a new version."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="installation_plans"
    )
    version = models.PositiveSmallIntegerField()
    release_notes = models.TextField()
    planned_start = models.DateTimeField()

    class Meta:
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(fields=["release", "version"], name="installation_plan_version")
        ]

    def __str__(self):
        return f"Installation plan v{self.version} of {self.release.identifier}"


class Decision(models.Model):
    """A business thread's answer, kept as evidence: it names what it rests on, who decided
    for which thread and when. Never edited; a re-test leads to a new decision that
    supersedes it, and both stay on the record."""

    class Kind(models.TextChoices):
        PSAT = "psat", "GO/NOGO for SAT after pSAT (RM.4.1)"
        SAT = "sat", "GO/NOGO for post-SAT deployments (RM.4.2)"
        INSTALLATION_PLAN = "installation_plan", "Installation plan & release notes (RM.5.1)"
        AUTHORISATION = "authorisation", "Installation authorisation (RM.5.2)"
        ROLLBACK = "rollback", "Validation of the rollback (RM.6.4)"
        CT_GO_AHEAD = "ct_go_ahead", "Go-ahead for conformance testing (RM.7.1)"

    class Verdict(models.TextChoices):
        GO = "go", "GO"
        NOGO = "nogo", "NOGO"

    class Consequence(models.TextChoices):
        CORRECTED_DELIVERY = "corrected_delivery", "Send back for a corrected delivery"
        CANCEL = "cancel", "Cancel the release"

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="decisions"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    business_thread = models.ForeignKey("raci.Party", on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(max_length=4, choices=Verdict.choices)
    test_report = models.ForeignKey(
        TestReport, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    installation_plan = models.ForeignKey(
        InstallationPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="decisions"
    )
    installation_report = models.ForeignKey(
        "InstallationReport",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
    )
    decided_by_name = models.CharField(
        max_length=200, help_text="The person at DG TAXUD who decided."
    )
    decided_at = models.DateTimeField()
    file_field, sha256_field, release_path = "evidence", "evidence_sha256", "release"
    evidence = models.FileField(upload_to="evidence/%Y/%m/", blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    evidence_note = models.TextField(
        blank=True, help_text="For example the acceptance e-mail's date, sender and subject."
    )
    consequence = models.CharField(max_length=20, choices=Consequence.choices, blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    on_behalf = models.BooleanField(
        default=False, help_text="Recorded by the deployment side on the thread's behalf."
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["release", "kind", "business_thread"])]

    def __str__(self):
        return f"{self.get_verdict_display()} by {self.business_thread} ({self.get_kind_display()})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A recorded decision cannot be edited; record a new one.")
        super().save(*args, **kwargs)

    @property
    def download_url(self) -> str:
        return download_url(self) if self.evidence else ""

    @property
    def verdict_label(self):
        if self.kind in (self.Kind.INSTALLATION_PLAN, self.Kind.AUTHORISATION, self.Kind.ROLLBACK):
            return {"go": "Approved", "nogo": "Rejected"}[self.verdict]
        return self.get_verdict_display()


# --- RM.6 --------------------------------------------------------------------------


class NotificationRequest(Performed):
    """RM.6.1 / RM.6.6: the deployment coordinator asks the service desk to tell every
    impacted user (before: imminent installation; after: done or rolled back)."""

    Moment = NotificationMoment

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="notification_requests"
    )
    moment = models.CharField(max_length=10, choices=Moment.choices)
    message = models.TextField()
    disruption = models.TextField(blank=True)
    rollback_used = models.BooleanField(default=False)


class GoLiveInstruction(Performed):
    """RM.6.2: the formal agreement to go live, communicated to application management."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="go_live_instructions"
    )
    installation_plan = models.ForeignKey(InstallationPlan, on_delete=models.PROTECT)
    start_at = models.DateTimeField()
    instructions = models.TextField(blank=True)


class InstallationReport(StoredFile):
    """RM.6.3: prepared by application management, assessed by the deployment coordinator."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="installation_reports"
    )
    successful = models.BooleanField()
    assessment = models.TextField()

    class Meta:
        ordering = ["-uploaded_at"]


# --- RM.6.7 and RM.7 ----------------------------------------------------------------


class Closure(Performed):
    """RM.6.7: the closure checks of the release manager."""

    release = models.OneToOneField(
        "releases.Release", on_delete=models.CASCADE, related_name="closure"
    )
    rfcs_implemented = models.PositiveIntegerField()
    configuration_manager_informed = models.BooleanField()
    deployment_plan_updated = models.BooleanField()
    dsl_verified = models.BooleanField()
    notes = models.TextField(blank=True)


class CTCampaign(Performed):
    """RM.7.1: the conformance test campaign, triggered to the campaign coordinator."""

    release = models.OneToOneField(
        "releases.Release", on_delete=models.CASCADE, related_name="ct_campaign"
    )
    coordinator = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    scope = models.TextField()
    completed_at = models.DateTimeField(null=True, blank=True)


class CTReport(StoredFile):
    """RM.7.2: a report of the CT campaign, forwarded to the business threads."""

    release_path = "campaign__release"

    campaign = models.ForeignKey(CTCampaign, on_delete=models.CASCADE, related_name="reports")
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
