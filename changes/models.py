"""Change management (seed 003, seed 004 section 8): requests for change, the change
models that say how each kind is handled, the change advisory boards that advise on
them and the post-implementation reviews that close them. Release management reads
these records (RM.1.1 includes authorised RfCs, RM.2.1 checks them, RM.6.7 implements
them); only ``changes.services`` writes them."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_fsm import FSMField, FSMModelMixin, transition

from releasemgmt.files import StoredFile
from releasemgmt.fsm import ConcurrentTransitions


class ChangeType(models.TextChoices):
    """Seed 003: standard (pre-authorised, low risk, routine), normal (assessed and
    authorised by the change authority), emergency (must be done as soon as possible)."""

    STANDARD = "standard", "Standard"
    NORMAL = "normal", "Normal"
    EMERGENCY = "emergency", "Emergency"


class Level(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class Priority(models.TextChoices):
    CRITICAL = "1", "1 - Critical"
    HIGH = "2", "2 - High"
    MODERATE = "3", "3 - Moderate"
    LOW = "4", "4 - Low"


class Category(models.TextChoices):
    APPLICATION = "application", "Application software"
    INFRASTRUCTURE = "infrastructure", "Infrastructure"
    SECURITY = "security", "Security"
    DATA = "data", "Data and reference data"
    SERVICE = "service", "Service and documentation"


class ChangeModel(models.Model):
    """Seed 003: a predefined way of handling a kind of change, with its steps and
    timescales. A standard model pre-authorises its changes (no assessment, no CAB);
    the emergency model goes to the emergency CAB and asks for a review afterwards."""

    name = models.CharField(max_length=100, unique=True)
    change_type = models.CharField(max_length=10, choices=ChangeType.choices)
    description = models.TextField(blank=True)
    pre_authorised = models.BooleanField(
        default=False,
        help_text="Its changes are authorised by the model: no assessment and no CAB.",
    )
    lead_time_days = models.PositiveSmallIntegerField(
        default=0, help_text="Days' notice the model asks between submission and planned start."
    )
    decision_within_hours = models.PositiveSmallIntegerField(
        default=0, help_text="Hours within which the CAB or ECAB should decide (0: no limit)."
    )
    review_required = models.BooleanField(
        default=False, help_text="Its changes need a post-implementation review to close."
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["change_type", "name"]

    def __str__(self):
        return self.name


class RfCNumber(models.Model):
    """The RfC reference sequence: one row per number handed out. The database's own
    identity sequence numbers the rows, so concurrent requests never share a number and
    no lock is taken (a counted ``count() + 1`` collided)."""

    id = models.BigAutoField(primary_key=True)


class RfC(ConcurrentTransitions, FSMModelMixin, models.Model):
    """A request for change and its lifecycle (seed 003: create, record, review, assess
    and evaluate, authorise, coordinate, review and close)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        SUBMITTED = "submitted", "Submitted"
        ASSESSED = "assessed", "Assessed"
        AWAITING_CAB = "awaiting_cab", "Awaiting CAB"
        AUTHORISED = "authorised", "Authorised"
        REJECTED = "rejected", "Rejected"
        SCHEDULED = "scheduled", "Scheduled in a release"
        IMPLEMENTED = "implemented", "Implemented"
        REVIEWED = "reviewed", "Reviewed"
        CLOSED = "closed", "Closed"
        CANCELLED = "cancelled", "Cancelled"
        WITHDRAWN = "withdrawn", "Withdrawn"

    S = Status
    #: the states in which the change authority has said yes
    AUTHORISED_STATES = (S.AUTHORISED, S.SCHEDULED, S.IMPLEMENTED, S.REVIEWED, S.CLOSED)
    #: the states before a decision, in which the request can still be withdrawn
    UNDECIDED_STATES = (S.DRAFT, S.SUBMITTED, S.ASSESSED, S.AWAITING_CAB)
    #: the states in which the request is still written (before the CAB hears it)
    EDITABLE_STATES = (S.DRAFT, S.SUBMITTED, S.ASSESSED)

    reference = models.CharField(max_length=40, unique=True, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, help_text="What is to change.")
    reason = models.TextField(blank=True, help_text="Why: the business reason or the problem.")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="rfcs_requested"
    )
    change_type = models.CharField(
        max_length=10, choices=ChangeType.choices, default=ChangeType.NORMAL
    )
    change_model = models.ForeignKey(
        ChangeModel, on_delete=models.PROTECT, related_name="rfcs", null=True, blank=True
    )
    category = models.CharField(
        max_length=20, choices=Category.choices, default=Category.APPLICATION
    )
    applications = models.ManyToManyField(
        "releases.Application", related_name="rfcs", blank=True, help_text="What it affects."
    )
    impact = models.CharField(max_length=10, choices=Level.choices, default=Level.MEDIUM)
    urgency = models.CharField(max_length=10, choices=Level.choices, default=Level.MEDIUM)
    priority = models.CharField(
        max_length=1, choices=Priority.choices, default=Priority.MODERATE, editable=False
    )
    risk_answers = models.JSONField(default=dict, blank=True)
    risk_level = models.CharField(max_length=10, choices=Level.choices, blank=True, editable=False)
    planned_start = models.DateTimeField(null=True, blank=True)
    planned_end = models.DateTimeField(null=True, blank=True)
    outage_start = models.DateTimeField(null=True, blank=True)
    outage_end = models.DateTimeField(null=True, blank=True)
    outage_description = models.TextField(
        blank=True, help_text="The projected service outage: what users lose, and where."
    )
    backout_plan = models.TextField(blank=True, help_text="How the change is reversed.")
    backout_impossible_reason = models.TextField(
        blank=True, help_text="Why it cannot be reversed, and what is done instead."
    )
    backout_trigger = models.TextField(
        blank=True, help_text="What makes the implementer start the remediation."
    )
    status = FSMField(max_length=20, choices=Status.choices, default=S.DRAFT, protected=True)
    release = models.ForeignKey(
        "releases.Release",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rfcs",
        help_text="The release that carries it now.",
    )
    complementary = models.BooleanField(
        default=False, help_text="Raised at RM.2.1 for a late change found missing."
    )
    raised_at = models.ForeignKey(
        "releases.Release",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complementary_rfcs",
        help_text="The release whose consistency check (RM.2.1) raised it.",
    )
    retrospective = models.BooleanField(
        default=False, help_text="An emergency change documented after it was made."
    )
    failed_attempts = models.PositiveSmallIntegerField(
        default=0, help_text="Installations of a release carrying it that were rolled back."
    )
    cab_round = models.PositiveSmallIntegerField(
        default=0,
        help_text="How many times it went to the CAB: advice and decisions belong to a round.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    authorised_at = models.DateTimeField(null=True, blank=True)
    implemented_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "RfC"
        indexes = [
            models.Index(fields=["status", "-id"]),
            models.Index(fields=["change_type", "-id"]),
            models.Index(fields=["requester", "-id"]),
            models.Index(fields=["planned_start"]),
            # the RfC list and the API's, newest first, for one who does not see them
            # all: a business thread's keys are walked down the ids, each RfC kept by its
            # requester or its release, read here without the table's rows (its 6,300
            # newest to find the 1,001 it counts at 100,000 releases: 11.3 ms, 9.3 now;
            # issue 17)
            models.Index(fields=["id"], include=["release", "requester"], name="rfc_seen"),
            # the change schedule: authorised and scheduled ones still to end
            models.Index(fields=["status", "planned_end"]),
            # the change schedule (the calendar, the conflicts of installations): the
            # authorised and scheduled windows are few in the past, where most RfCs are.
            # In their order (planned start, then id) with the end at hand: a month's
            # first 300 of 9,000 changes read from the index alone, where the planner,
            # expecting 63, fetched and sorted them all (issue 17). With the release and
            # the requester, a thread's share of them is found in the index too: it read
            # the 9,000 rows of a month to keep its 1,850 (22 ms at 100,000 releases, 10
            # now).
            models.Index(
                fields=["planned_start", "id"],
                include=["planned_end", "release", "requester"],
                condition=models.Q(status__in=["authorised", "scheduled"]),
                name="rfc_on_schedule_order",
            ),
            models.Index(
                fields=["outage_start"],
                condition=models.Q(status__in=["authorised", "scheduled"]),
                name="rfc_on_schedule_outage",
            ),
            # the change manager's reviews owed, oldest implementation first
            models.Index(
                fields=["implemented_at", "id"],
                condition=models.Q(status="implemented"),
                name="rfc_implemented_order",
            ),
            # the change manager's RfCs to assess, first submitted first (issue 17: the
            # planner joined every release to sort the 500 submitted at 10,000 releases)
            models.Index(
                fields=["submitted_at", "id"],
                condition=models.Q(status="submitted"),
                name="rfc_to_assess_order",
            ),
        ]
        constraints = [
            # a window ends after it starts: the conflict search reads it as a range
            models.CheckConstraint(
                condition=models.Q(planned_start__isnull=True)
                | models.Q(planned_end__isnull=True)
                | models.Q(planned_end__gt=models.F("planned_start")),
                name="rfc_window_ends_after_start",
            ),
            # and so does an outage: an installation's conflicts read it as a range
            models.CheckConstraint(
                condition=models.Q(outage_start__isnull=True)
                | models.Q(outage_end__isnull=True)
                | models.Q(outage_end__gt=models.F("outage_start")),
                name="rfc_outage_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.reference} {self.title}"

    # The graph of states only: who may fire a transition, and what it needs, is
    # ``changes.services``'s business.
    @transition(field=status, source=S.DRAFT, target=S.SUBMITTED)
    def submit(self):
        pass

    @transition(field=status, source=S.SUBMITTED, target=S.AUTHORISED)
    def pre_authorise(self):
        pass

    @transition(field=status, source=S.SUBMITTED, target=S.ASSESSED)
    def assess(self):
        pass

    @transition(field=status, source=[S.SUBMITTED, S.ASSESSED], target=S.AWAITING_CAB)
    def send_to_cab(self):
        pass

    @transition(field=status, source=S.AWAITING_CAB, target=S.AUTHORISED)
    def authorise(self):
        pass

    @transition(field=status, source=S.AWAITING_CAB, target=S.REJECTED)
    def reject(self):
        pass

    @transition(field=status, source=[S.AWAITING_CAB, S.AUTHORISED, S.REJECTED], target=S.ASSESSED)
    def reassess(self):
        pass

    @transition(field=status, source=S.AUTHORISED, target=S.SCHEDULED)
    def schedule(self):
        pass

    @transition(field=status, source=S.SCHEDULED, target=S.AUTHORISED)
    def unschedule(self):
        pass

    @transition(field=status, source=[S.AUTHORISED, S.SCHEDULED], target=S.IMPLEMENTED)
    def implement(self):
        pass

    @transition(field=status, source=list(UNDECIDED_STATES), target=S.IMPLEMENTED)
    def implement_retrospectively(self):
        pass

    @transition(field=status, source=S.IMPLEMENTED, target=S.REVIEWED)
    def review(self):
        pass

    @transition(field=status, source=[S.IMPLEMENTED, S.REVIEWED], target=S.CLOSED)
    def close(self):
        pass

    @transition(field=status, source=[*UNDECIDED_STATES, S.AUTHORISED], target=S.CANCELLED)
    def cancel(self):
        pass

    @transition(field=status, source=list(UNDECIDED_STATES), target=S.WITHDRAWN)
    def withdraw(self):
        pass

    @property
    def is_authorised(self) -> bool:
        return self.status in self.AUTHORISED_STATES

    @property
    def decision_due_at(self):
        """When the CAB (or the ECAB, within hours) should have decided, if the model
        sets a limit."""
        hours = self.change_model_id and self.change_model.decision_within_hours
        return self.decision_due(self.submitted_at, hours)

    @staticmethod
    def decision_due(submitted_at, hours):
        """``decision_due_at`` of a request submitted at ``submitted_at`` under a model
        that sets ``hours`` (none: no limit); for lists that read requests as values."""
        if not hours or not submitted_at:
            return None
        return submitted_at + timedelta(hours=hours)

    @property
    def review_required(self) -> bool:
        """Seed 004 section 8: emergency changes and failed ones are reviewed before they
        close."""
        model_asks = self.change_model_id and self.change_model.review_required
        return bool(
            self.change_type == ChangeType.EMERGENCY
            or model_asks
            or self.retrospective
            or self.failed_attempts
        )


class RfCAttachment(StoredFile):
    """A document of the request: a design, a test report, a vendor notice."""

    release_path = None
    rfc = models.ForeignKey(RfC, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to="rfcs/%Y/%m/")
    title = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["uploaded_at", "id"]


class CabMeeting(models.Model):
    """A meeting of the change authority (seed 003): the CAB, or the emergency CAB with
    its smaller quorum. Its minutes are kept and mailed to the members and requesters."""

    class Kind(models.TextChoices):
        CAB = "cab", "Change Advisory Board"
        ECAB = "ecab", "Emergency CAB"

    kind = models.CharField(max_length=4, choices=Kind.choices, default=Kind.CAB)
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    location = models.CharField(max_length=200, blank=True)
    chair = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cab_meetings_chaired"
    )
    minutes = models.TextField(blank=True)
    minutes_sent_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["starts_at"])]

    def __str__(self):
        when = timezone.localtime(self.starts_at)
        return f"{self.get_kind_display()} {when:%Y-%m-%d %H:%M}: {self.title}"


class CabMember(models.Model):
    """A named person on the board, with the party they sit for."""

    meeting = models.ForeignKey(CabMeeting, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="cab_seats"
    )
    party = models.ForeignKey("raci.Party", null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "user"], name="cab_member_once")]

    def __str__(self):
        return str(self.user)


class AgendaItem(models.Model):
    meeting = models.ForeignKey(CabMeeting, on_delete=models.CASCADE, related_name="agenda")
    rfc = models.ForeignKey(RfC, on_delete=models.PROTECT, related_name="agenda_items")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "rfc"], name="agenda_item_once")]
        # a page of an agenda in its order: without it, PostgreSQL joined every RfC to a
        # meeting's 1,836 items to sort them (39 ms at 10,000 releases, issue 17)
        indexes = [models.Index(fields=["meeting", "position", "id"], name="agenda_item_order")]


class Advice(models.Model):
    """One member's advice on one RfC at one meeting, given once per round (a
    reassessed RfC is heard again)."""

    class Verdict(models.TextChoices):
        APPROVE = "approve", "Approve"
        REJECT = "reject", "Reject"
        ABSTAIN = "abstain", "Abstain"

    meeting = models.ForeignKey(CabMeeting, on_delete=models.CASCADE, related_name="advice")
    rfc = models.ForeignKey(RfC, on_delete=models.PROTECT, related_name="advice")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField(default=1, help_text="The RfC's CAB round.")
    verdict = models.CharField(max_length=10, choices=Verdict.choices)
    comment = models.TextField(blank=True)
    given_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["given_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "rfc", "member", "round"], name="advice_once"
            )
        ]


class CabDecision(models.Model):
    """The change manager's decision (A) on an RfC at a meeting, with its conditions.
    Recorded once per round; a reassessment starts a new round, so a later decision is
    a new row, never an edit."""

    class Outcome(models.TextChoices):
        AUTHORISED = "authorised", "Authorised"
        REJECTED = "rejected", "Rejected"

    meeting = models.ForeignKey(CabMeeting, on_delete=models.PROTECT, related_name="decisions")
    rfc = models.ForeignKey(RfC, on_delete=models.PROTECT, related_name="cab_decisions")
    round = models.PositiveSmallIntegerField(default=1, help_text="The RfC's CAB round.")
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    conditions = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_at", "id"]
        constraints = [models.UniqueConstraint(fields=["rfc", "round"], name="cab_decision_once")]


class Review(models.Model):
    """The post-implementation review of an RfC (seed 004 section 8)."""

    rfc = models.OneToOneField(RfC, on_delete=models.PROTECT, related_name="review_record")
    objective_met = models.BooleanField()
    side_effects = models.TextField(blank=True)
    incidents = models.TextField(blank=True, help_text="Incidents the change caused.")
    remediation_used = models.BooleanField(default=False)
    lessons = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now_add=True)
