"""The satisfaction survey after closure (seed 002 section 5.3, "Customer Satisfaction
Score Regarding the Process": the average score of the satisfaction form, out of 10)."""

from django.conf import settings
from django.db import models


class Survey(models.Model):
    """One respondent's survey of one closed release: asked of every user of the
    release's business threads (RM.1.2) and of its requesters (who formalised it, who
    requested its RfCs), once each. Owed until answered; reminded once."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="satisfaction_surveys"
    )
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="satisfaction_surveys"
    )
    thread = models.ForeignKey(
        "raci.Party",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The business thread answered for; none for a requester outside them.",
    )
    requester = models.BooleanField(
        default=False, help_text="Asked as a requester of the release or of one of its RfCs."
    )
    asked_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    score = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(blank=True, max_length=4000)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["release", "thread__position", "respondent__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "respondent"], name="satisfaction_one_survey_per_respondent"
            ),
            models.CheckConstraint(
                condition=models.Q(score__isnull=True) | models.Q(score__lte=10),
                name="satisfaction_score_0_to_10",
            ),
            models.CheckConstraint(
                condition=models.Q(answered_at__isnull=True) | models.Q(score__isnull=False),
                name="satisfaction_answer_has_a_score",
            ),
        ]
        indexes = [
            # what a user owes (the start page), and the reminder's sweep
            models.Index(fields=["respondent", "answered_at"]),
            # ... the oldest first, read in order however many the user left unanswered
            models.Index(
                fields=["respondent", "asked_at", "id"],
                condition=models.Q(answered_at__isnull=True),
                name="satisfaction_owed_by",
            ),
            models.Index(
                fields=["asked_at"],
                condition=models.Q(answered_at__isnull=True, reminded_at__isnull=True),
                name="satisfaction_to_remind",
            ),
            # averages per period (the KPI)
            models.Index(fields=["answered_at"]),
        ]

    def __str__(self):
        return f"Satisfaction of {self.respondent} with release {self.release_id}"

    @property
    def answered(self) -> bool:
        return self.answered_at is not None
