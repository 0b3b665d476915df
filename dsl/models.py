"""The definitive software library: delivered components and documents, and the
impacted users of each application (its subscribers)."""

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
