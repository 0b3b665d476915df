"""RM.6: the requests to notify the users and the service desk's mass notifications,
the go-live, the installation report and the closure."""

from django.db import models
from django.db.models import F, Q

from releasemgmt.files import StoredFile

from .acceptance import InstallationPlan
from .base import USER, Performed
from .planning import DeploymentPhase


class NotificationMoment(models.TextChoices):
    """When the service desk tells the impacted users: before or after the installation."""

    BEFORE = "before", "Imminent installation (RM.6.1)"
    AFTER = "after", "Installation done or rolled back (RM.6.6)"


#: the activity in which the deployment coordinator asks for each moment's notification
REQUESTED_IN = {NotificationMoment.BEFORE: "RM.6.1", NotificationMoment.AFTER: "RM.6.6"}


class NotificationRequestQuerySet(models.QuerySet):
    def of_current_round(self):
        """The requests made in their release's current installation round: a
        re-authorisation after a rollback starts a new one, whose users are told again."""
        return self.filter(
            Q(release__round_started_at__isnull=True)
            | Q(recorded_at__gte=F("release__round_started_at"))
        )

    def unanswered(self):
        """Not yet answered by the service desk's mass notification."""
        return self.filter(mass_notification__isnull=True)


class NotificationRequest(Performed):
    """RM.6.1 / RM.6.6: the deployment coordinator asks the service desk to tell every
    impacted user (before: imminent installation; after: done or rolled back). Done once
    per installation round, and answered by one mass notification."""

    Moment = NotificationMoment
    #: together they make the mass e-mail's body (MassNotification.BODY_MAX_LENGTH)
    MESSAGE_MAX_LENGTH = 10_000
    DISRUPTION_MAX_LENGTH = 2_000
    objects = NotificationRequestQuerySet.as_manager()

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="notification_requests"
    )
    moment = models.CharField(max_length=10, choices=Moment.choices)
    message = models.TextField()
    disruption = models.TextField(blank=True)
    rollback_used = models.BooleanField(default=False)


class GoLiveInstruction(Performed):
    """RM.6.2: the formal agreement to go live, communicated to application management."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="go_live_instructions"
    )
    installation_plan = models.ForeignKey(InstallationPlan, on_delete=models.PROTECT)
    start_at = models.DateTimeField()
    instructions = models.TextField(blank=True)


class InstallationReport(StoredFile):
    """RM.6.3: prepared by application management, assessed by the deployment coordinator;
    in a phased deployment, one per phase installed."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="installation_reports"
    )
    phase = models.ForeignKey(
        DeploymentPhase,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="installation_reports",
    )
    successful = models.BooleanField()
    assessment = models.TextField()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self):
        outcome = "successful" if self.successful else "failed"
        return f"Installation report ({outcome}) of {self.uploaded_at:%Y-%m-%d %H:%M}"


class Closure(Performed):
    """RM.6.7: the closure checks of the release manager."""

    release = models.OneToOneField(
        "releases.Release", on_delete=models.CASCADE, related_name="closure"
    )
    rfcs_implemented = models.PositiveIntegerField()
    configuration_manager_informed = models.BooleanField()
    deployment_plan_updated = models.BooleanField()
    dsl_verified = models.BooleanField(
        help_text="Production's baseline matched the DSL, component by component."
    )
    differences = models.JSONField(
        default=list,
        blank=True,
        help_text="What production runs and the DSL holds differently, at the closure.",
    )
    deviation_reason = models.TextField(
        blank=True, help_text="Why the release manager accepted the differences."
    )
    notes = models.TextField(blank=True)


class MassNotification(models.Model):
    """RM.6.1 / RM.6.6: the service desk's mass e-mail to every impacted user, answering
    the deployment coordinator's request of one moment of one installation round, with
    its progress stored so that the page's bar and a restarted worker both know where it
    is."""

    Moment = NotificationMoment
    SUBJECT_MAX_LENGTH = 250
    #: a mass e-mail is read by people: a few pages at most
    BODY_MAX_LENGTH = 20_000

    class Status(models.TextChoices):
        SENDING = "sending", "Sending"
        DONE = "done", "Done"

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="mass_notifications"
    )
    request = models.OneToOneField(
        NotificationRequest,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="mass_notification",
        help_text="The request it answers (empty only for those sent before requests were linked).",
    )
    moment = models.CharField(max_length=10, choices=Moment.choices)
    subject = models.CharField(max_length=SUBJECT_MAX_LENGTH)
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
    requested_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "notifications_massnotification"  # kept where it was first created
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
        db_table = "notifications_massrecipient"  # kept where it was first created
        constraints = [
            models.UniqueConstraint(fields=["notification", "email"], name="mass_recipient_unique")
        ]
        indexes = [
            models.Index(fields=["notification", "status"], name="notificatio_notific_978980_idx")
        ]

    def __str__(self):
        return self.email

    @property
    def message_id(self) -> str:
        return f"<mass-{self.notification_id}.{self.pk}@releasemgmt>"
