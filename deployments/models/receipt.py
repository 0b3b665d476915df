"""RM.2: the checks of a delivery (consistency, completeness)."""

from django.db import models

from .base import Performed


class ConsistencyCheck(Performed):
    """RM.2.1: the release holds every CAB-approved change and its technical documents."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="consistency_checks"
    )
    plan_completed = models.BooleanField()
    changes_present = models.BooleanField()
    documents_present = models.BooleanField()
    consistent = models.BooleanField()
    missing = models.TextField(blank=True)
    complementary_rfc = models.ForeignKey(
        "changes.RfC", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-recorded_at"]


class CompletenessCheck(Performed):
    """RM.2.2: every component listed in the deployment plan has been delivered; if not,
    the missing items are requested from the 3rd party developers."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="completeness_checks"
    )
    complete = models.BooleanField()
    missing_items = models.TextField(blank=True)

    class Meta:
        ordering = ["-recorded_at"]
