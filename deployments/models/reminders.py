"""Reminders of what is owed and escalations of what is late (issue 16 point 3)."""

from django.db import models


class Reminder(models.Model):
    """One reminder or escalation mailed about one step a release owes (an activity, or a
    business thread's decision) on one day: at most one per step, kind and day, written
    in the transaction that queues its mail, so a job run twice, or run again after its
    worker died, never sends it twice."""

    class Kind(models.TextChoices):
        BEFORE = "before", "Due soon"
        DUE = "due", "Due today"
        ESCALATION = "escalation", "Past due: the accountable party told"

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="reminders"
    )
    activity = models.CharField(max_length=10, help_text="The activity it is owed in (RM.x.y).")
    step = models.CharField(
        max_length=60,
        help_text="What is owed: the activity's code, or 'decision:<kind>:<thread id>'.",
    )
    thread = models.ForeignKey(
        "raci.Party",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="The business thread owing the decision, if it is one.",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    day = models.DateField()
    due_date = models.DateField()
    communication = models.OneToOneField(
        "notifications.Communication",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="reminder",
        help_text="The mail it queued in the outbox.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-day", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "step", "kind", "day"], name="one_reminder_per_step_kind_day"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} of {self.step} on {self.day}"
