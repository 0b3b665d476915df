"""What the KPIs count of each release, kept up to date by the process events
(``kpis.facts``): one narrow row per release, so that the KPI page aggregates a small
table by index instead of working out every release's history on each request (issue 15
budgets). The definitions stay in ``kpis.definitions``; this is their cache, and
``kpis.facts.recount`` rebuilds it from the records (tested to agree)."""

from django.db import models


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
