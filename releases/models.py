"""Releases and the record of their activities."""

from django.conf import settings
from django.db import models
from django_fsm import ConcurrentTransitionMixin, FSMField

from raci.catalogue import perform_permissions


class Stage(models.TextChoices):
    """The release stage state machine of DESIGN section 2."""

    PLANNING = "planning", "RM.1 Plan release"
    RECEIVING = "receiving", "RM.2 Receive release"
    KICKOFF = "kickoff", "RM.3 Kick-off deployment"
    ACCEPTANCE = "acceptance", "RM.4 Accept release"
    AUTHORISATION = "authorisation", "RM.5 Authorise installation"
    INSTALLATION = "installation", "RM.6 Install release"
    CONFORMANCE = "conformance", "RM.7 Conformance testing"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"
    ROLLED_BACK = "rolled_back", "Rolled back"


#: The stage number (RM.n) each working stage stands for.
STAGE_NUMBER = {
    Stage.PLANNING: 1,
    Stage.RECEIVING: 2,
    Stage.KICKOFF: 3,
    Stage.ACCEPTANCE: 4,
    Stage.AUTHORISATION: 5,
    Stage.INSTALLATION: 6,
    Stage.CONFORMANCE: 7,
}


class ReleaseType(models.TextChoices):
    MAJOR = "major", "Major"
    MINOR = "minor", "Minor"
    EMERGENCY = "emergency", "Emergency"


class Release(ConcurrentTransitionMixin, models.Model):
    """A release operation (RM.1.1): one version of one application, planned,
    received, accepted and installed through the stages RM.1 to RM.7."""

    identifier = models.CharField(
        max_length=60, unique=True, editable=False, help_text="Unique release identifier."
    )
    name = models.CharField(max_length=200)
    application = models.ForeignKey(
        "dsl.Application", on_delete=models.PROTECT, related_name="releases"
    )
    version = models.CharField(max_length=40)
    release_type = models.CharField(max_length=10, choices=ReleaseType.choices)
    planned_delivery_date = models.DateField()
    planned_installation_date = models.DateField()
    conformance_testing = models.BooleanField(
        default=False, help_text="Planned with a conformance testing campaign (RM.7)."
    )
    description = models.TextField(blank=True)
    stage = FSMField(
        max_length=20, choices=Stage.choices, default=Stage.PLANNING, protected=True, db_index=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["planned_installation_date", "identifier"]
        permissions = perform_permissions()
        constraints = [
            models.UniqueConstraint(
                fields=["application", "version"], name="release_unique_application_version"
            ),
            models.CheckConstraint(
                condition=models.Q(
                    planned_installation_date__gte=models.F("planned_delivery_date")
                ),
                name="release_installation_after_delivery",
            ),
        ]
        indexes = [
            models.Index(fields=["release_type"]),
            models.Index(fields=["planned_installation_date"]),
            models.Index(fields=["application", "stage"]),
        ]

    def __str__(self):
        return f"{self.identifier} {self.name}"

    @property
    def stage_number(self):
        return STAGE_NUMBER.get(self.stage)

    @property
    def is_open(self):
        return self.stage not in {Stage.CLOSED, Stage.CANCELLED}


class ActivityRecord(models.Model):
    """What happened to one activity of one release: pending, done, or not applicable."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        DONE = "done", "Done"
        NOT_APPLICABLE = "not_applicable", "Not applicable"

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="activity_records")
    activity = models.ForeignKey("raci.Activity", on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    performed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    performed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=40, blank=True)
    comment = models.TextField(blank=True)

    class Meta:
        ordering = ["activity__position"]
        constraints = [
            models.UniqueConstraint(fields=["release", "activity"], name="activity_record_unique"),
        ]
        indexes = [models.Index(fields=["activity", "status"])]

    def __str__(self):
        return f"{self.release.identifier} {self.activity.code}: {self.get_status_display()}"
