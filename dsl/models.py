"""The definitive software library: delivered components and documents, and the
impacted users of each application (its subscribers); the archive of the documentation
of older versions (RM.2.4) and what the integrity checks found."""

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
    verified_at = models.DateTimeField(
        null=True, blank=True, help_text="When its file was last re-read and its SHA-256 compared."
    )

    class Meta:
        ordering = ["name", "version"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "name", "version"], name="component_unique_in_release"
            )
        ]
        indexes = [models.Index(fields=["verified_at", "id"], name="component_verified_idx")]

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
    verified_at = models.DateTimeField(
        null=True, blank=True, help_text="When its file was last re-read and its SHA-256 compared."
    )
    purged_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When its file left storage once the archive was on two media (RM.2.4); "
        "its name, size and SHA-256 stay on record.",
    )

    class Meta:
        ordering = ["kind", "title"]
        indexes = [
            models.Index(fields=["verified_at", "id"], name="document_verified_idx"),
        ]

    def __str__(self):
        return self.title

    def gone(self):
        """Where the file is now, once purged: the archive's media (downloads answer 410)."""
        if self.purged_at is None:
            return None
        archive = Archive.objects.filter(release_id=self.release_id).first()
        return {"archive": archive, "media": list(archive.media.all()) if archive else []}


class Archive(models.Model):
    """RM.2.4: the documentation of a version older than the application's last ones,
    moved to its business thread's archive; Infra copies it to two media, then the files
    are purged from storage."""

    MEDIA_NEEDED = 2

    release = models.OneToOneField(
        "releases.Release", on_delete=models.PROTECT, related_name="dsl_archive"
    )
    archived_at = models.DateTimeField(auto_now_add=True)
    purged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-archived_at"]

    def __str__(self):
        return f"Archive of {self.release_id}"

    @property
    def state(self) -> str:
        return "purged" if self.purged_at else "archived"


class ArchiveMedium(models.Model):
    """One of the two media Infra copied an archive to, and where it is kept."""

    class Location(models.TextChoices):
        ON_SITE = "on_site", "Kept on site"
        SENT = "sent", "Sent away"

    archive = models.ForeignKey(Archive, on_delete=models.CASCADE, related_name="media")
    number = models.PositiveSmallIntegerField(help_text="1 or 2")
    location = models.CharField(max_length=10, choices=Location.choices)
    sent_to = models.CharField(max_length=200, blank=True, help_text="Who holds it, if sent.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["archive", "number"], name="archive_medium_unique")
        ]

    def __str__(self):
        where = self.sent_to if self.location == self.Location.SENT else "on site"
        return f"Medium {self.number}: {where}"


class IntegrityFinding(models.Model):
    """A stored file whose bytes no longer match the SHA-256 on record, or that is gone
    (RM.6.7: the versions stored are really the ones delivered)."""

    class Problem(models.TextChoices):
        MISMATCH = "mismatch", "SHA-256 differs"
        MISSING = "missing", "File missing"

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="integrity_findings"
    )
    file_kind = models.CharField(max_length=20)
    file_id = models.PositiveBigIntegerField()
    name = models.CharField(max_length=255)
    problem = models.CharField(max_length=10, choices=Problem.choices)
    expected_sha256 = models.CharField(max_length=64)
    found_sha256 = models.CharField(max_length=64, blank=True)
    found_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-found_at", "-id"]
        indexes = [models.Index(fields=["release", "found_at"], name="finding_release_idx")]

    def __str__(self):
        return f"{self.name}: {self.get_problem_display()}"


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


class Environment(models.Model):
    """Where a version of an application runs (issue 13): pSAT, SAT, conformance,
    production. Its owner answers for it; its status says whether it may be used now."""

    class Kind(models.TextChoices):
        PSAT = "psat", "pSAT"
        SAT = "sat", "SAT"
        CONFORMANCE = "conformance", "Conformance"
        PRODUCTION = "production", "Production"
        OTHER = "other", "Other"

    class Status(models.TextChoices):
        AVAILABLE = "available", "Available"
        BOOKED = "booked", "Booked"
        DOWN = "down", "Down"

    application = models.ForeignKey(
        "releases.Application", on_delete=models.PROTECT, related_name="environments"
    )
    slug = models.SlugField(max_length=30, help_text="Short name in its address, e.g. sat.")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_party = models.ForeignKey(
        "raci.Party", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.AVAILABLE)
    status_note = models.CharField(max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["application", "kind", "slug"]
        constraints = [
            models.UniqueConstraint(fields=["application", "slug"], name="environment_unique"),
            models.CheckConstraint(
                condition=models.Q(owner_user__isnull=True) | models.Q(owner_party__isnull=True),
                name="environment_one_owner",
            ),
        ]
        indexes = [models.Index(fields=["application", "kind"], name="environment_kind")]

    def __str__(self):
        return f"{self.application.code.upper()} {self.name}"

    @property
    def owner(self):
        return self.owner_user or self.owner_party


class InstalledVersion(models.Model):
    """One line of an environment's timeline: a version installed in it, by which release
    and activity (RM.3.3 accepted, RM.6.5 installed, RM.6.4 rolled back to it), and when
    it was rolled back. The newest line is what runs there now."""

    environment = models.ForeignKey(
        Environment, on_delete=models.CASCADE, related_name="installations"
    )
    version = models.CharField(max_length=100)
    release = models.ForeignKey(
        "releases.Release",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="installed_versions",
    )
    activity = models.CharField(max_length=10, blank=True)
    installed_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    rolled_back_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-installed_at", "-id"]
        indexes = [
            models.Index(fields=["environment", "-installed_at", "-id"], name="installed_latest"),
        ]

    def __str__(self):
        return f"{self.version} in {self.environment_id}"


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
        indexes = [
            # a CI's page: the baselines that held this component at this version (read
            # through every baseline item of the install otherwise, 57 ms at 100,000
            # releases; issue 17)
            models.Index(fields=["name", "version"], name="baseline_item_component"),
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
