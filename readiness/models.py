"""Go-live readiness (seed 002 sections 2.2, 3 and 7.2): the Move2Run checklist that
verifies "all necessary steps and activities have been completed and validated before
the go-live". The process owner keeps one template per release type; each release gets
its own items from it, which the parties that own them confirm with evidence. Only
``readiness.services`` writes these records."""

from django.conf import settings
from django.db import models

from deployments.models import Reminder
from raci.release_types import ReleaseType
from releasemgmt.files import download_url, sha256_of, validate_upload

USER = settings.AUTH_USER_MODEL


class Priority(models.TextChoices):
    """High and medium items hold go-live (RM.6.2); low ones may go into hypercare."""

    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


#: the order of the priorities on the pages and in the gate's message
PRIORITY_ORDER = {Priority.HIGH: 0, Priority.MEDIUM: 1, Priority.LOW: 2}


class ChecklistTemplate(models.Model):
    """The Move2Run checklist of one release type: a minor release's is lighter than a
    major one's, an emergency's lighter still (seed 002 section 1.1). Process data."""

    release_type = models.CharField(max_length=10, choices=ReleaseType.choices, unique=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["release_type"]

    def __str__(self):
        return f"Move2Run checklist of a {self.get_release_type_display().lower()} release"


class TemplateItem(models.Model):
    """One line of a template: what must be done, how much it matters, which party of
    Table 4-1 owns it, and how many days before the planned installation it is due."""

    template = models.ForeignKey(ChecklistTemplate, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices)
    owner_party = models.ForeignKey("raci.Party", on_delete=models.PROTECT, related_name="+")
    days_before_installation = models.PositiveSmallIntegerField(
        default=0, help_text="Due this many days before the planned installation date."
    )

    class Meta:
        ordering = ["template", "position", "id"]

    def __str__(self):
        return self.title


class Checklist(models.Model):
    """The Move2Run checklist of one release, made from its type's template when the
    release is formalised (RM.1.1), or when first asked for by a release older than it."""

    release = models.OneToOneField(
        "releases.Release", on_delete=models.CASCADE, related_name="checklist"
    )
    release_type = models.CharField(max_length=10, choices=ReleaseType.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"Move2Run checklist of {self.release_id}"


class ChecklistItem(models.Model):
    """One item of a release's checklist, its state and the evidence it rests on."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"
        WAIVED = "waived", "Waived"
        CARRIED = "carried", "Carried into hypercare"

    # How releasemgmt.downloads finds the evidence file and its release.
    file_field, sha256_field, release_path = "evidence_file", "evidence_sha256", "release"

    checklist = models.ForeignKey(Checklist, on_delete=models.CASCADE, related_name="items")
    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="checklist_items"
    )
    position = models.PositiveSmallIntegerField(default=0)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    priority = models.CharField(max_length=10, choices=Priority.choices)
    owner_party = models.ForeignKey("raci.Party", on_delete=models.PROTECT, related_name="+")
    days_before_installation = models.PositiveSmallIntegerField(default=0)
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    evidence_note = models.TextField(blank=True)
    evidence_link = models.URLField(max_length=500, blank=True)
    evidence_file = models.FileField(upload_to="readiness/%Y/%m/", blank=True)
    evidence_sha256 = models.CharField(max_length=64, blank=True)
    evidence_size = models.PositiveBigIntegerField(null=True, blank=True)
    reason = models.TextField(blank=True, help_text="Why it was waived or carried into hypercare.")
    settled_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        indexes = [
            models.Index(fields=["release", "status"]),
            models.Index(fields=["owner_party", "status", "due_date"]),
            models.Index(fields=["status", "due_date"]),
            # a party's open items in due order, walked by the start page (items_owed)
            models.Index(
                fields=["owner_party", "due_date", "id"],
                condition=models.Q(status="open"),
                name="items_walk",
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def holds_go_live(self) -> bool:
        return self.status == self.Status.OPEN and self.priority != Priority.LOW

    def attach_evidence(self, uploaded) -> None:
        """Check and checksum an evidence file (the limits of every uploaded document)."""
        validate_upload(uploaded, field="evidence_file", limit=settings.MAX_UPLOAD_SIZE)
        self.evidence_sha256, self.evidence_size = sha256_of(uploaded)
        self.evidence_file = uploaded

    @property
    def evidence_url(self) -> str:
        return download_url(self) if self.evidence_file else ""


class ItemReminder(models.Model):
    """One reminder or escalation mailed about one Move2Run item owed on one day (issue
    16 point 3; ``readiness.reminders``): at most one per item, kind and day, written in
    the transaction that queues its mail, as ``deployments.models.Reminder`` does for the
    activities and the decisions, whose kinds it shares."""

    Kind = Reminder.Kind

    item = models.ForeignKey(ChecklistItem, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    day = models.DateField()
    due_date = models.DateField()
    communication = models.OneToOneField(
        "notifications.Communication",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="checklist_reminder",
        help_text="The mail it queued in the outbox.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "kind", "day"], name="one_item_reminder_per_kind_day"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of item {self.item_id} on {self.day}"


# --- the runbook (seed 002 sections 3 and 7.1) ---------------------------------------


class RunbookSection(models.TextChoices):
    """The parts of a runbook seed 002 names: key steps, contact points and the
    escalation matrix of incidents, the SLAs, monitoring, the rollback procedure and the
    known errors (sections 3, 5 and 7.1)."""

    KEY_STEPS = "key_steps", "Key steps"
    CONTACTS = "contacts", "Contact points and escalation matrix"
    SLAS = "slas", "Service levels (SLAs)"
    MONITORING = "monitoring", "Monitoring"
    ROLLBACK = "rollback", "Rollback procedure"
    KNOWN_ERRORS = "known_errors", "Known errors"


class RunbookVersion(models.Model):
    """The runbook of an application as one release leaves it: the first release of the
    application writes V0, a later one starts from a copy of the version before and says
    what changed (seed 002: "Runbook update instead of creation" for a minor release).
    Marked complete before the go-live (RM.6.2); complete, it is not edited again."""

    application = models.ForeignKey(
        "releases.Application", on_delete=models.PROTECT, related_name="runbook_versions"
    )
    release = models.OneToOneField(
        "releases.Release", on_delete=models.CASCADE, related_name="runbook"
    )
    number = models.PositiveIntegerField()
    based_on = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    change_note = models.TextField(blank=True, help_text="What changed since the version before.")
    key_steps = models.TextField(blank=True)
    contacts = models.TextField(blank=True)
    slas = models.TextField(blank=True)
    monitoring = models.TextField(blank=True)
    rollback = models.TextField(blank=True)
    known_errors = models.TextField(blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    completed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="runbook_version_once")
        ]

    def __str__(self):
        return f"Runbook V{self.number} of {self.application_id}"

    @property
    def label(self) -> str:
        return f"V{self.number}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None

    def sections(self) -> list[tuple[str, str, str]]:
        """(slug, label, text) of each section, in the runbook's order."""
        return [(s.value, s.label, getattr(self, s.value)) for s in RunbookSection]


class RunbookEdit(models.Model):
    """Who wrote which section of a runbook version, when, and what it then said."""

    version = models.ForeignKey(RunbookVersion, on_delete=models.CASCADE, related_name="edits")
    section = models.CharField(max_length=20, choices=RunbookSection.choices)
    text = models.TextField(blank=True)
    edited_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    edited_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-edited_at", "-id"]
        indexes = [models.Index(fields=["version", "edited_at"])]

    def __str__(self):
        return f"{self.get_section_display()} by {self.edited_by_id}"


# --- the Go/No-Go board (seed 002 sections 3 and 6) -----------------------------------


class GoNoGoBoard(models.Model):
    """A Go/No-Go meeting before the installation: who sits on it, the input pack the
    product assembles from the records (frozen when the outcome is recorded), and the
    outcome: GO, NO-GO with a new installation date, or the release cancelled."""

    class Outcome(models.TextChoices):
        GO = "go", "GO"
        NOGO = "nogo", "NO-GO, re-planned"
        CANCEL = "cancel", "NO-GO, release cancelled"

    release = models.ForeignKey("releases.Release", on_delete=models.CASCADE, related_name="boards")
    scheduled_at = models.DateTimeField()
    agenda = models.TextField(blank=True)
    participants = models.ManyToManyField(USER, blank=True, related_name="go_no_go_boards")
    parties = models.ManyToManyField("raci.Party", blank=True, related_name="+")
    outcome = models.CharField(max_length=10, choices=Outcome.choices, blank=True)
    reason = models.TextField(blank=True)
    new_installation_date = models.DateField(null=True, blank=True)
    pack = models.JSONField(null=True, blank=True, help_text="The input pack as decided on.")
    decided_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-scheduled_at", "-id"]
        indexes = [
            models.Index(fields=["release", "outcome", "decided_at"]),
            models.Index(fields=["outcome", "scheduled_at"]),
        ]

    def __str__(self):
        return f"Go/No-Go board of {self.release_id} on {self.scheduled_at:%Y-%m-%d}"

    @property
    def is_open(self) -> bool:
        return not self.outcome
