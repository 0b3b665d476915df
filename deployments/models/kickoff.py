"""RM.3: the kick-off meeting and the environment acceptance report."""

from django.db import models

from releasemgmt.files import StoredFile

from .base import USER


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
