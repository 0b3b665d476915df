"""What the KPI room keeps of its own. The quarterly review of the KPIs (seed 002
section 6: "KPIs are reviewed quarterly to decide improvement actions") and the actions
it decided. And what the KPIs count of each release, kept up to date by the process
events (``kpis.facts``): narrow rows the KPI page aggregates by index instead of working
out every release's history on each request (issue 15 budgets); the definitions stay in
``kpis.definitions``, these rows are their cache, and ``kpis.facts.recount`` rebuilds them
from the records (tested to agree)."""

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


class ReleaseFacts(models.Model):
    """A release as the KPIs of seed 002 section 5.3 see it."""

    release = models.OneToOneField(
        "releases.Release", on_delete=models.CASCADE, primary_key=True, related_name="kpi_facts"
    )
    application = models.ForeignKey(
        "releases.Application", on_delete=models.CASCADE, related_name="+"
    )
    release_type = models.CharField(max_length=20)
    #: the planned installation date as it stands (the period a release belongs to)
    planned_on = models.DateField(null=True)
    cancelled = models.BooleanField(default=False)
    overlapping = models.BooleanField(default=False)
    rolled_back = models.BooleanField(default=False)
    live_at = models.DateTimeField(null=True)
    baseline_end = models.DateTimeField(null=True)
    late = models.BooleanField(default=False)
    major_incident = models.BooleanField(default=False)
    successful = models.BooleanField(default=False)
    reviewed = models.BooleanField(default=False)
    lessons = models.BooleanField(default=False)
    satisfaction_sum = models.PositiveIntegerField(default=0)
    satisfaction_answers = models.PositiveIntegerField(default=0)
    #: the ids of its business threads (RM.1.2), comma-separated: the threads whose monthly
    #: counts (``FactCount``) it was counted in
    threads = models.TextField(blank=True, default="")
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "release facts"
        indexes = [
            models.Index(fields=["planned_on"], name="facts_planned"),
            models.Index(fields=["application", "planned_on"], name="facts_app_planned"),
            models.Index(fields=["release_type", "planned_on"], name="facts_type_planned"),
        ]

    def __str__(self):
        return f"KPI facts of release {self.release_id}"


class ActivityWait(models.Model):
    """An activity done, with when its release entered the activity's stage: how long
    the process waited for the parties R and A of it (issue 15 point 5), worked out once
    when it is done instead of on every request."""

    record = models.OneToOneField(
        "releases.ActivityRecord", on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    release = models.ForeignKey("releases.Release", on_delete=models.CASCADE, related_name="+")
    activity = models.ForeignKey("raci.Activity", on_delete=models.CASCADE, related_name="+")
    stage_entered_at = models.DateTimeField()
    performed_at = models.DateTimeField()

    class Meta:
        indexes = [
            models.Index(fields=["performed_at", "activity"], name="wait_performed"),
            models.Index(fields=["release"], name="wait_release"),
        ]

    def __str__(self):
        return f"Wait of activity record {self.record_id}"


class FlowSample(models.Model):
    """One measured event of the process flow of a release (issue 15 points 4 and 5): a
    stay in a stage, a thread's decision, a party's activity, a lead time, a time to
    restore (each with its length), or an event only counted (gone live, rolled back,
    entered a stage). Worked out from the records when they change (``kpis.flow_counts``)."""

    release = models.ForeignKey("releases.Release", on_delete=models.CASCADE, related_name="+")
    measure = models.CharField(max_length=12)
    #: the stage, thread or party measured ("" when the measure has one figure)
    key = models.CharField(max_length=100, blank=True)
    ended_at = models.DateTimeField()
    #: the first day of the month of ``ended_at`` in the site's time zone
    month = models.DateField()
    seconds = models.FloatField(null=True)
    #: the histogram bucket of ``seconds`` (``kpis.flow.bucket_of``)
    bucket = models.SmallIntegerField(default=0)
    #: the ids of the release's business threads it was counted for, comma-separated
    threads = models.CharField(max_length=500, blank=True)
    #: the release's application (its id) and type, the other slices it is counted for
    application = models.IntegerField(default=0)
    release_type = models.CharField(max_length=20, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["measure", "ended_at"], name="flow_sample_measure"),
            models.Index(fields=["release", "measure", "ended_at"], name="flow_sample_release"),
        ]

    def __str__(self):
        return f"{self.measure} {self.key} of release {self.release_id}"


class FlowCount(models.Model):
    """How many samples of one measure and key ended in one month with a length in one
    bucket: the histograms the flow figures are read from when the reader sees every
    release, or only its own releases for a business thread (RM.1.2 assignments), or the
    page is sliced by one thread, application or release type, so that the cost of a year
    does not grow with the number of releases. Each row counts one slice at most: every
    release (all three empty), one thread's, one application's or one type's."""

    month = models.DateField()
    measure = models.CharField(max_length=12)
    key = models.CharField(max_length=100, blank=True)
    #: the business thread (its party id) whose releases are counted; 0: every release
    thread = models.IntegerField(default=0)
    #: the application (its id) whose releases are counted; 0: any
    application = models.IntegerField(default=0)
    #: the release type counted; "": any
    release_type = models.CharField(max_length=20, blank=True)
    bucket = models.SmallIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    *("thread", "application", "release_type"),
                    *("measure", "month", "key", "bucket"),
                ],
                name="flow_count_unique",
            )
        ]

    def __str__(self):
        return f"{self.n} x {self.measure} {self.key} in {self.month:%Y-%m}"


class FactCount(models.Model):
    """How many releases whose installation is planned in one month count in one figure of
    the KPIs (``kpis.definitions``: a numerator, a denominator, the releases of one type;
    for the satisfaction score, the sum of the scores and the number of answers), cancelled
    ones aside. Cut like ``FlowCount``: every release (all three empty), one thread's, one
    application's or one type's. A quarter, a semester or a year of a cut is then the sum
    of a few rows instead of a count over the facts of each of its releases, whose cost
    grew with the releases of the period (issue 17). Kept by ``kpis.fact_counts``."""

    month = models.DateField()
    #: the business thread (its party id) whose releases are counted; 0: every release
    thread = models.IntegerField(default=0)
    #: the application (its id) whose releases are counted; 0: any
    application = models.IntegerField(default=0)
    #: the release type counted; "": any
    release_type = models.CharField(max_length=20, blank=True)
    #: the count's name in ``kpis.definitions.tallies``
    figure = models.CharField(max_length=40)
    n = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["thread", "application", "release_type", "month", "figure"],
                name="fact_count_unique",
            )
        ]

    def __str__(self):
        return f"{self.n} x {self.figure} in {self.month:%Y-%m}"
