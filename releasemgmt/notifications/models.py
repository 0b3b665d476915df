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
        "releases.Release", on_delete=models.CASCADE, related_name="communications"
    )
    activity = models.CharField(max_length=10)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    interface = models.CharField(max_length=100, help_text="Its name in Table 4-2, if any.")
    subject = models.CharField(max_length=250)
    body = models.TextField()
    link = models.CharField(max_length=250, help_text="Where the reader can act.")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["release", "-created_at"])]

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

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["communication", "user"], name="recipient_unique")
        ]
        indexes = [
            models.Index(fields=["user", "communication"]),
            models.Index(fields=["status", "communication"]),
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


class Subscriber(models.Model):
    """An impacted user of an application: receives the service desk's mass e-mails."""

    application = models.ForeignKey(
        "dsl.Application", on_delete=models.CASCADE, related_name="subscribers"
    )
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["email"]
        constraints = [
            models.UniqueConstraint(fields=["application", "email"], name="subscriber_unique")
        ]

    def __str__(self):
        return self.email


class NotificationMoment(models.TextChoices):
    """When the service desk tells the impacted users: before or after the installation."""

    BEFORE = "before", "Imminent installation (RM.6.1)"
    AFTER = "after", "Installation done or rolled back (RM.6.6)"


class MassNotification(models.Model):
    """RM.6.1 / RM.6.6: the service desk's mass e-mail to every impacted user, with its
    progress stored so that the page's bar and a restarted worker both know where it is."""

    Moment = NotificationMoment

    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        DONE = "done", "Done"

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="mass_notifications"
    )
    moment = models.CharField(max_length=10, choices=Moment.choices)
    subject = models.CharField(max_length=250)
    body = models.TextField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    total = models.PositiveIntegerField(default=0)
    sent = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    uncertain = models.PositiveIntegerField(
        default=0,
        help_text="Recipients whose message was in flight when a worker stopped: sent again "
        "with the same Message-ID, so a server that does not drop duplicates may show it twice.",
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.subject

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * (self.sent + self.failed) / self.total)

    FAILURES_SHOWN = 100

    @property
    def failures(self):
        """The first recipients that could not be sent, with the server's reason."""
        if not self.failed:
            return []
        failed = self.recipients.filter(status=MassRecipient.Status.FAILED)
        return list(failed.order_by("email").values("email", "error")[: self.FAILURES_SHOWN])


class MassRecipient(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    notification = models.ForeignKey(
        MassNotification, on_delete=models.CASCADE, related_name="recipients"
    )
    email = models.EmailField()
    name = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    # The first unsent recipient of a claim whose worker stopped: its message may have
    # reached the server just before the stop. Sent again, and counted as uncertain.
    interrupted = models.BooleanField(default=False)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["notification", "email"], name="mass_recipient_unique")
        ]
        indexes = [models.Index(fields=["notification", "status"])]

    def __str__(self):
        return self.email

    @property
    def message_id(self) -> str:
        return f"<mass-{self.notification_id}.{self.pk}@releasemgmt>"
