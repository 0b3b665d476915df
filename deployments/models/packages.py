"""Release packages (seed 001, 3.1; issue 12, point 6): releases, often of several
applications, tested and deployed together in one installation window."""

from django.conf import settings
from django.db import models

USER = settings.AUTH_USER_MODEL


class ReleasePackage(models.Model):
    """A package of releases: one calendar entry, one installation window, and no
    installation of any of them until each is authorised (RM.5.2)."""

    reference = models.CharField(
        max_length=40, unique=True, help_text="How the package is named, e.g. PKG-2027-Q1."
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    owner = models.ForeignKey(
        USER, on_delete=models.PROTECT, related_name="+", help_text="Its release manager."
    )
    installation_starts_at = models.DateTimeField(null=True, blank=True)
    installation_ends_at = models.DateTimeField(null=True, blank=True)
    releases = models.ManyToManyField("releases.Release", through="PackageMember", related_name="+")
    #: the first start and the last end of its releases' installations, whoever may see
    #: them (``deployments.services.packages.refresh_spans``): the calendar asks only the
    #: packages whose span meets its range, instead of working out every package's
    first_installation_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_installation_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-installation_starts_at", "reference"]
        indexes = [
            models.Index(fields=["installation_starts_at", "installation_ends_at"]),
            models.Index(
                fields=["first_installation_at", "last_installation_at"], name="package_span"
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.name}"

    @property
    def has_window(self) -> bool:
        return self.installation_starts_at is not None


class PackageMember(models.Model):
    """A release in a package: in one package at most."""

    package = models.ForeignKey(ReleasePackage, on_delete=models.CASCADE, related_name="members")
    release = models.OneToOneField(
        "releases.Release", on_delete=models.CASCADE, related_name="package_member"
    )
    added_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.release_id} in {self.package_id}"
