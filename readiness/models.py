"""Go-live readiness (seed 002 sections 2.2, 3 and 7.2): the Move2Run checklist that
verifies "all necessary steps and activities have been completed and validated before
the go-live". The process owner keeps one template per release type; each release gets
its own items from it, which the parties that own them confirm with evidence. Only
``readiness.services`` writes these records."""

from django.conf import settings
from django.db import models

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
