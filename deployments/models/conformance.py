"""RM.7: the conformance test campaign and its reports."""

from django.db import models

from releasemgmt.files import StoredFile

from .base import USER, Performed


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
