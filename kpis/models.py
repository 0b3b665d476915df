"""What the KPI room keeps of its own: the quarterly review of the KPIs (seed 002
section 6: "KPIs are reviewed quarterly to decide improvement actions") and the actions
it decided."""

from django.conf import settings
from django.db import models


class QuarterlyReview(models.Model):
    """The review of one quarter's KPIs, lessons learned and open improvement actions:
    who met when, what they saw, what they decided. One per quarter; writing it again
    updates it."""

    quarter_start = models.DateField(unique=True, help_text="The first day of the quarter.")
    held_on = models.DateField()
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="quarterly_reviews", blank=True
    )
    summary = models.TextField(help_text="What the review found.")
    decisions = models.TextField(help_text="What the review decided.")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-quarter_start"]

    def __str__(self):
        quarter = (self.quarter_start.month - 1) // 3 + 1
        return f"Quarterly review {self.quarter_start.year}-Q{quarter}"


class QuarterlyReviewAction(models.Model):
    """An improvement action decided by a quarterly review: of the process, not of one
    release (those belong to a release's post-release review), followed until done."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    review = models.ForeignKey(QuarterlyReview, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="quarterly_actions"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["status", "due_date"], name="quarterly_action_open")]

    def __str__(self):
        return f"{self.title} ({self.review})"
