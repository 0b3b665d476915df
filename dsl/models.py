"""The definitive software library: applications, delivered components and documents."""

from django.db import models

from releasemgmt.files import StoredFile


class Application(models.Model):
    """An application under release management (for example ECS or NCTS)."""

    code = models.SlugField(
        max_length=30, unique=True, help_text="Short code used in release identifiers."
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]

    def __str__(self):
        return f"{self.code.upper()} - {self.name}"


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
