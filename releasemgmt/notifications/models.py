"""The communications the process requires, recorded with their addressees in the same
transaction as the activity that causes them (Table 4-2 and the I of Table 4-1)."""

from django.conf import settings
from django.db import models


class Communication(models.Model):
    class Kind(models.TextChoices):
        INTERFACE = "interface", "Communication with DG TAXUD (Table 4-2)"
        PROCESS = "process", "Process e-mail named by the activity"
        INFORMED = "informed", "Notice to informed parties (I)"

    release = models.ForeignKey(
        "releases.Release",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="communications",
        help_text="None for what concerns no one release (a CAB's minutes).",
    )
    activity = models.CharField(max_length=10, blank=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    interface = models.CharField(max_length=100, help_text="Its name in Table 4-2, if any.")
    subject = models.CharField(max_length=250)
    body = models.TextField()
    link = models.CharField(max_length=250, help_text="Where the reader can act.")
    attachment_name = models.CharField(
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text="The file name of its attachment.",
    )
    attachment_type = models.CharField(
        max_length=100,
        blank=True,
        default="",
        db_default="",
        help_text="Its content type with parameters (text/calendar; method=REQUEST).",
    )
    attachment = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="One text attachment, sent to every addressee.",
    )
    personal_purpose = models.CharField(
        max_length=50,
        blank=True,
        default="",
        db_default="",
        help_text="Each addressee's mail carries a personal link of this purpose "
        "(releasemgmt.accounts.personal_links), made when it is sent.",
    )
    personal_target_type = models.ForeignKey(
        "contenttypes.ContentType",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    personal_target_id = models.PositiveBigIntegerField(null=True, blank=True)
    reply_to = models.CharField(
        max_length=250,
        blank=True,
        default="",
        db_default="",
        help_text="The Reply-To address of its e-mails, when replies are read by the tool.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["release", "-created_at"]),
            # the process mails that asked a user to act (the start pages): newest first,
            # and nothing to read where there are few of them
            models.Index(
                fields=["-id"], condition=models.Q(kind="process"), name="communication_process"
            ),
        ]

    def __str__(self):
        return self.subject


class Recipient(models.Model):
    """One addressee of a communication: the outbox row its e-mail is sent from. The
    database, not the broker, is the record of what is owed."""

    class Role(models.TextChoices):
        TO = "to", "To"
        CC = "cc", "Cc"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        IN_APP = "in_app", "In the tool only (the user's choice)"

    communication = models.ForeignKey(
        Communication, on_delete=models.CASCADE, related_name="recipients"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="communications"
    )
    role = models.CharField(max_length=2, choices=Role.choices, default=Role.TO)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    read_at = models.DateTimeField(
        null=True, blank=True, help_text="When its addressee first read it in the tool."
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["communication", "user"], name="recipient_unique")
        ]
        indexes = [
            models.Index(fields=["user", "communication"]),
            models.Index(fields=["status", "communication"]),
            # A user's unread, newest first, and their count: only the unread rows are
            # indexed, so a busy user's years of read mail cost nothing here.
            models.Index(
                fields=["user", "communication"],
                condition=models.Q(read_at__isnull=True),
                name="recipient_unread",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()}: {self.user}"

    @property
    def message_id(self) -> str:
        """Stable for the row: a retried or redelivered send carries the same id."""
        return f"<communication-{self.communication_id}.recipient-{self.pk}@releasemgmt>"


class Preference(models.Model):
    """What a user wants by e-mail. Process mails (Table 4-2, requests to act) always go;
    informational notices (the I of Table 4-1) only if the user wants them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_informed = models.BooleanField(
        default=True, help_text="Also e-mail me the notices of activities I am informed of (I)."
    )

    def __str__(self):
        return f"{self.user}: informed notices by e-mail {'on' if self.email_informed else 'off'}"
