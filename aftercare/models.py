"""The records of what comes after go-live: hypercare and its incidents (seed 002
section 5, seed 003 early life support)."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from releases.models import Release


class Hypercare(models.Model):
    """The release's early life support: it starts when the installation in production
    is published (RM.6.5), lasts as long as the release type or the application's policy
    says, and ends with who closed it and why, once its exit criteria are met or with a
    reason for going ahead without them."""

    release = models.OneToOneField(Release, on_delete=models.CASCADE, related_name="hypercare")
    started_at = models.DateTimeField()
    days = models.PositiveSmallIntegerField(help_text="Its length when it started.")
    ends_at = models.DateTimeField(help_text="When the period is over.")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    close_reason = models.TextField(blank=True)
    #: the exit criteria not met when it was closed, and why it was closed all the same
    unmet_at_close = models.JSONField(default=list, blank=True)
    override_reason = models.TextField(blank=True)
    #: its post-release review is written (``services.write_review``): the release
    #: manager's start page looks for the reviews owed among the few live releases
    #: without one, not among every release since go-live
    reviewed = models.BooleanField(default=False, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["closed_at", "ends_at"]),
            # the few hypercares still open among every release's since go-live: the
            # start pages' incidents read them here instead of walking all of them
            # (9.4 to 2.8 ms at 100,000 releases; issue 17)
            models.Index(fields=["id"], condition=Q(closed_at__isnull=True), name="hypercare_open"),
            # the live releases whose review is not written (79 to 2.1 ms at 100,000
            # releases; issue 17)
            models.Index(
                fields=["release"], condition=Q(reviewed=False), name="hypercare_unreviewed"
            ),
        ]

    def __str__(self):
        return f"Hypercare of {self.release.identifier}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class Incident(models.Model):
    """An incident recorded against the release during hypercare, by the parties that
    operate it; its reference is the incident's in the service desk's tool."""

    class Priority(models.TextChoices):
        P1 = "P1", "P1 critical"
        P2 = "P2", "P2 high"
        P3 = "P3", "P3 medium"
        P4 = "P4", "P4 low"

    class Cause(models.TextChoices):
        YES = "yes", "Caused by the release"
        NO = "no", "Not caused by the release"
        UNKNOWN = "unknown", "Not known yet"

    #: letters, digits and . - _ / after a letter or digit (INC-2027-0042)
    REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._/-]*$"

    hypercare = models.ForeignKey(Hypercare, on_delete=models.CASCADE, related_name="incidents")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="incidents")
    reference = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    priority = models.CharField(max_length=2, choices=Priority.choices)
    major = models.BooleanField(default=False)
    caused_by_release = models.CharField(max_length=7, choices=Cause.choices, default=Cause.UNKNOWN)
    opened_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["opened_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["release", "reference"], name="incident_reference")
        ]
        indexes = [models.Index(fields=["resolved_at", "hypercare"])]

    def __str__(self):
        return f"{self.reference} ({self.release.identifier})"

    @property
    def blocks_exit(self) -> bool:
        """An open major, P1 or P2 incident keeps hypercare open."""
        return self.resolved_at is None and (
            self.major or self.priority in (self.Priority.P1, self.Priority.P2)
        )


class PostReleaseReview(models.Model):
    """The post-release review (seed 002 sections 5 and 6: "identify lessons learned and
    improvement areas from the last release", after each release; required of major,
    emergency, failed and rolled-back releases, of every release where the application's
    policy says so). Written by the release manager once the release is live or rolled
    back; its incidents, rollback and planned-against-actual come from the records."""

    class Objectives(models.TextChoices):
        MET = "met", "Met"
        PARTLY = "partly", "Partly met"
        NOT_MET = "not_met", "Not met"

    release = models.OneToOneField(
        Release, on_delete=models.CASCADE, related_name="post_release_review"
    )
    note = models.TextField(help_text="What the review found, in short.")
    objectives = models.CharField(max_length=7, choices=Objectives.choices, blank=True)
    objectives_comment = models.TextField(blank=True)
    schedule_comment = models.TextField(blank=True, help_text="On planned against actual.")
    stakeholder_feedback = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Post-release review of {self.release.identifier}"


class ImprovementAction(models.Model):
    """An improvement the review decided, with its owner and due date, followed until
    done (reminded by mail before the due date and from it on)."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"

    review = models.ForeignKey(PostReleaseReview, on_delete=models.CASCADE, related_name="actions")
    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="improvement_actions"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=11, choices=Status.choices, default=Status.OPEN)
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [
            models.Index(fields=["owner", "status", "due_date"]),
            models.Index(fields=["status", "due_date"]),
            # the actions not done, the earliest due first (the start page's of an owner,
            # the quarterly review's of all), however many are done
            models.Index(
                fields=["owner", "due_date", "id"],
                condition=~models.Q(status="done"),
                name="action_not_done_by_owner",
            ),
            models.Index(
                fields=["due_date", "id"],
                condition=~models.Q(status="done"),
                name="action_not_done",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.release.identifier})"


class ActionReminder(models.Model):
    """A reminder mailed to an improvement action's owner: at most one per action and
    day, kept as the record of what was sent."""

    class Kind(models.TextChoices):
        BEFORE = "before", "Due soon"
        DUE = "due", "Due or overdue"

    action = models.ForeignKey(
        ImprovementAction, on_delete=models.CASCADE, related_name="reminders"
    )
    day = models.DateField()
    kind = models.CharField(max_length=6, choices=Kind.choices)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["action", "day"], name="one_reminder_a_day")]

    def __str__(self):
        return f"Reminder of {self.action} on {self.day}"


class Lesson(models.Model):
    """A lesson learned, kept as knowledge (seed 002 sections 5-6: "documentation of
    lessons learned"): what happened and what to do next time, found again by text,
    application and tag, and shown when the application's next release is planned.

    On PostgreSQL the table also holds ``searched``, a ``tsvector`` the database
    generates from ``what_happened``, ``next_time`` and ``tags_text`` (migration 0008,
    read by ``aftercare.lessons``). PostgreSQL refuses to change the type of a column a
    generated one reads, and drops it with a removed one: a migration that alters or
    removes one of the three drops ``searched`` first and adds it again after."""

    release = models.ForeignKey(Release, on_delete=models.CASCADE, related_name="lessons")
    application = models.ForeignKey(
        "releases.Application", on_delete=models.CASCADE, related_name="lessons"
    )
    review = models.ForeignKey(
        PostReleaseReview, on_delete=models.SET_NULL, null=True, blank=True, related_name="lessons"
    )
    what_happened = models.TextField()
    next_time = models.TextField(help_text="What to do next time.")
    #: the tags as one text, for the text search ("testing, migration")
    tags_text = models.CharField(max_length=400, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["application", "-created_at", "-id"]),
            # /lessons/ newest first, whatever the application
            models.Index(fields=["-created_at", "-id"], name="lesson_newest"),
        ]

    def __str__(self):
        return f"Lesson of {self.release.identifier}: {self.what_happened[:60]}"


class LessonTag(models.Model):
    """One tag of a lesson (lower case), indexed for the filter by tag."""

    lesson = models.ForeignKey(Lesson, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(max_length=40)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["lesson", "name"], name="lesson_tag_once")]
        indexes = [models.Index(fields=["name", "lesson"])]

    def __str__(self):
        return self.name
