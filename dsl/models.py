"""The definitive software library: delivered components and documents, and the
impacted users of each application (its subscribers)."""

from django.conf import settings
from django.db import models

from releasemgmt.files import StoredFile


class Component(StoredFile):
    """A delivered software component stored in the DSL (RM.2.3), with its checksum."""

    size_limit_setting = "MAX_ARTIFACT_SIZE"

    release = models.ForeignKey(
        "releases.Release", on_delete=models.PROTECT, related_name="components"
    )
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=40)

    class Meta:
        ordering = ["name", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "name", "version"], name="component_unique_in_release"
            )
        ]

    def __str__(self):
        return f"{self.name} {self.version}"


class Document(StoredFile):
    """Release documentation kept in the DSL (RM.2.4): design, specifications, manuals."""

    class Kind(models.TextChoices):
        INSTALLATION = "installation", "Installation document"
        DESIGN = "design", "Design specification"
        FUNCTIONAL = "functional", "Functional specification"
        REQUIREMENTS = "requirements", "Requirements specification"
        RELEASE_NOTES = "release_notes", "Release notes"
        OTHER = "other", "Other"

    release = models.ForeignKey(
        "releases.Release", on_delete=models.PROTECT, related_name="documents"
    )
    title = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)

    class Meta:
        ordering = ["kind", "title"]

    def __str__(self):
        return self.title


class Subscriber(models.Model):
    """An impacted user of an application: receives the service desk's mass e-mails."""

    application = models.ForeignKey(
        "releases.Application", on_delete=models.CASCADE, related_name="subscribers"
    )
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "notifications_subscriber"  # kept where it was first created
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["application", "email"], name="subscriber_unique")
        ]

    def __str__(self):
        return self.email


# --- configuration management (seed 003: CIs, baselines, status accounting) -----------

USER = settings.AUTH_USER_MODEL


class CIStatus(models.TextChoices):
    """The life of a configuration item, as status accounting records it."""

    PLANNED = "planned", "Planned"
    IN_TEST = "in_test", "In test"
    LIVE = "live", "Live"
    RETIRED = "retired", "Retired"


class ConfigurationItem(models.Model):
    """A CI of the CMDB: an application at one version, or one of its components at one
    version. Its status changes only through a recorded change (``history``)."""

    class Kind(models.TextChoices):
        APPLICATION = "application", "Application"
        COMPONENT = "component", "Component"

    Status = CIStatus

    application = models.ForeignKey(
        "releases.Application", on_delete=models.PROTECT, related_name="configuration_items"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=CIStatus.choices, default=CIStatus.PLANNED)
    release = models.ForeignKey(
        "releases.Release",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="configuration_items",
        help_text="The release that delivered it.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind", "name", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["application", "kind", "name", "version"], name="ci_unique"
            )
        ]
        indexes = [models.Index(fields=["application", "status"], name="ci_application_status")]

    def __str__(self):
        return f"{self.name} {self.version}"


class CIStatusChange(models.Model):
    """Status accounting: who changed a CI's status, when, why, for which release."""

    item = models.ForeignKey(ConfigurationItem, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=10, choices=CIStatus.choices, blank=True)
    to_status = models.CharField(max_length=10, choices=CIStatus.choices)
    reason = models.TextField()
    release = models.ForeignKey(
        "releases.Release", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    changed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["item", "changed_at"], name="ci_history_item")]


class Baseline(models.Model):
    """RM.6.5: what production runs after a successful installation, component by
    component (name, version, SHA-256). The rollback plan goes back to the previous one;
    RM.6.7 and later audits compare the DSL with it."""

    application = models.ForeignKey(
        "releases.Application", on_delete=models.PROTECT, related_name="baselines"
    )
    release = models.ForeignKey(
        "releases.Release", on_delete=models.PROTECT, related_name="baselines"
    )
    previous = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(fields=["application", "recorded_at"], name="baseline_application"),
            models.Index(fields=["release", "recorded_at"], name="baseline_release"),
        ]

    def __str__(self):
        return f"Baseline of {self.application_id} at {self.recorded_at:%Y-%m-%d %H:%M}"


class BaselineItem(models.Model):
    """One component of a baseline as production runs it."""

    baseline = models.ForeignKey(Baseline, on_delete=models.CASCADE, related_name="items")
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=40)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["baseline", "name"], name="baseline_item_unique")
        ]

    def __str__(self):
        return f"{self.name} {self.version}"


class CITask(models.Model):
    """RM.6.7: the end of the release operation reported to the configuration manager,
    who confirms (or amends) the CI status changes the release implies."""

    class Status(models.TextChoices):
        OPEN = "open", "To confirm"
        CONFIRMED = "confirmed", "Confirmed"

    release = models.OneToOneField(
        "releases.Release", on_delete=models.CASCADE, related_name="ci_task"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "created_at"], name="ci_task_status")]

    def __str__(self):
        return f"CI status changes of {self.release_id}"


class ProposedStatusChange(models.Model):
    """One CI status change a release implies, as proposed at RM.6.7 and as the
    configuration manager confirmed it (``confirmed_status``, empty while open)."""

    task = models.ForeignKey(CITask, on_delete=models.CASCADE, related_name="proposals")
    item = models.ForeignKey(ConfigurationItem, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=10, choices=CIStatus.choices)
    proposed_status = models.CharField(max_length=10, choices=CIStatus.choices)
    confirmed_status = models.CharField(max_length=10, choices=CIStatus.choices, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(fields=["task", "item"], name="proposed_change_unique")
        ]

    @property
    def field_name(self) -> str:
        return f"status_{self.pk}"
