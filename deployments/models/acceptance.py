"""RM.4 and RM.5: test reports, installation plans and the business threads' decisions
on them (GO/NOGO, approval, authorisation; also the rollback validation of RM.6.4 and
the CT go-ahead of RM.7.1)."""

from django.db import models

from releasemgmt.files import StoredFile, download_url

from .base import USER


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

    class Channel(models.TextChoices):
        TOOL = "tool", "In the tool"
        MAIL_LINK = "mail_link", "From the mail's link"
        MAIL_REPLY = "mail_reply", "By reply to the mail"

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
    deputy_of = models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Whom the recorder stood in for, as a deputy (issue 16 point 4).",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    channel = models.CharField(
        max_length=10,
        choices=Channel.choices,
        default=Channel.TOOL,
        db_default=Channel.TOOL,
        help_text="How it reached the tool: its pages or API, the mail's link, a reply.",
    )
    request = models.ForeignKey(
        "DecisionRequest",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="decisions",
        help_text="The mailed request it answers (link or reply), if any.",
    )

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [
            # kind first: the decisions owed ask whether a thread gave the go-ahead of
            # conformance testing, which PostgreSQL answers from every go-ahead at once
            # (without it, a scan of all decisions: 2.5 ms at 10,000 releases)
            models.Index(fields=["kind", "release", "business_thread"]),
            # the KPIs' flow: the threads' decisions of a period (kpis.flow)
            models.Index(fields=["decided_at"]),
        ]

    def __str__(self):
        return f"{self.get_verdict_display()} by {self.business_thread} ({self.get_kind_display()})"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("A recorded decision cannot be edited; record a new one.")
        super().save(*args, **kwargs)

    @property
    def recorded_by_label(self) -> str:
        """Who recorded it: "X, deputy of Y" when a deputy stood in (issue 16 point 4)."""
        if self.deputy_of_id:
            return f"{self.recorded_by}, deputy of {self.deputy_of}"
        return str(self.recorded_by)

    @property
    def download_url(self) -> str:
        return download_url(self) if self.evidence else ""

    @property
    def verdict_label(self):
        if self.kind in (self.Kind.INSTALLATION_PLAN, self.Kind.AUTHORISATION, self.Kind.ROLLBACK):
            return {"go": "Approved", "nogo": "Rejected"}[self.verdict]
        return self.get_verdict_display()


class OwedDecision(models.Model):
    """A decision a business thread owes now on a release (RM.4.1, RM.5.1, RM.5.2,
    RM.6.4, RM.7.1), kept by the events that change it (``deployments.owed``): the
    lists of what a thread owes read their rows in order of installation instead of
    working them out from every release in a stage that owes one (issue 17). A row is
    kept for each thread affected by the release (RM.1.2, settled once acceptance
    starts); whoever holds the thread owes it, and the row does not name them."""

    # each led by the constraint's or the index's columns: no index of their own
    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="owed_decisions", db_index=False
    )
    business_thread = models.ForeignKey(
        "raci.Party", on_delete=models.CASCADE, related_name="owed_decisions", db_index=False
    )
    kind = models.CharField(max_length=20, choices=Decision.Kind.choices)
    #: when what it rests on was submitted (the test report, installation plan or failed
    #: installation's report; none for the authorisation and the go-ahead): its due
    #: date counts from it (``deployments.due_dates.decision_due``)
    basis_at = models.DateTimeField(null=True, blank=True)
    #: the release's, copied: a thread's lists walk their index in order and stop at
    #: their page
    planned_installation_date = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["release", "business_thread"], name="owed_once_per_thread"
            )
        ]
        indexes = [
            models.Index(
                fields=["business_thread", "planned_installation_date", "release"],
                name="owed_by_thread_in_order",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} owed by {self.business_thread_id}"


class DecisionRequest(models.Model):
    """What a mail asks the affected threads to decide: a kind of decision on one report
    or plan (its basis). The personal links and the reply address of the mail point
    here, so a link answers that report only: once a re-test or a new plan supersedes
    it, the link says so and does nothing (issue 16)."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="decision_requests"
    )
    kind = models.CharField(max_length=20, choices=Decision.Kind.choices)
    test_report = models.ForeignKey(
        TestReport, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    installation_plan = models.ForeignKey(
        InstallationPlan, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    installation_report = models.ForeignKey(
        "InstallationReport", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["release", "kind"])]

    def __str__(self):
        return f"{self.get_kind_display()} on {self.release.identifier}"

    @property
    def basis(self):
        return self.test_report or self.installation_plan or self.installation_report


#: the activity each kind of decision belongs to (and whose stage it is taken in)
DECISION_ACTIVITY = {
    Decision.Kind.PSAT: "RM.4.1",
    Decision.Kind.SAT: "RM.4.2",
    Decision.Kind.INSTALLATION_PLAN: "RM.5.1",
    Decision.Kind.AUTHORISATION: "RM.5.2",
    Decision.Kind.ROLLBACK: "RM.6.4",
    Decision.Kind.CT_GO_AHEAD: "RM.7.1",
}
