"""Requests for change. A first record: what release management needs of change
management (inclusion in a release, CAB decision, implemented at closure)."""

from django.conf import settings
from django.db import models


class RfC(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", "Submitted"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"
        IMPLEMENTED = "implemented", "Implemented"

    class CabDecision(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved by the CAB"
        REJECTED = "rejected", "Rejected by the CAB"

    reference = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.SUBMITTED)
    cab_decision = models.CharField(
        max_length=20, choices=CabDecision.choices, default=CabDecision.PENDING
    )
    release = models.ForeignKey(
        "releases.Release", null=True, blank=True, on_delete=models.SET_NULL, related_name="rfcs"
    )
    complementary = models.BooleanField(
        default=False, help_text="Raised at RM.2.1 for a late change found missing."
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    implemented_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["reference"]
        verbose_name = "RfC"
        indexes = [models.Index(fields=["status"]), models.Index(fields=["cab_decision"])]

    def __str__(self):
        return f"{self.reference} {self.title}"
