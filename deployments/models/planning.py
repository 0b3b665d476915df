"""RM.1.3: the deployment plan (with the components it expects, its tasks, the items of
BS 15000-2 section 9.3, its risks and phases, and every revision of it) and the rollback
plan every release has from the start."""

from django.db import models

from releases.models import DeploymentOption

from .base import USER


class DeploymentPlan(models.Model):
    """RM.1.3: created with the release; completed by the application manager (RM.2.1)
    and with the tasks (RM.3.1), approved at the kick-off (RM.3.2), revised in between by
    the deployment coordinator and updated at closure (RM.6.7), each time as a revision.

    ``items`` holds the text of each item of BS 15000-2 section 9.3 by its slug
    (``deployments.plan_content.ITEMS``); the risks and phases are rows of their own."""

    #: the options a release policy names its default among (one list, in releases)
    Option = DeploymentOption

    release = models.OneToOneField(
        "releases.Release", on_delete=models.CASCADE, related_name="deployment_plan"
    )
    option = models.CharField(max_length=10, choices=Option.choices, default=Option.BIG_BANG)
    summary = models.TextField()
    items = models.JSONField(default=dict, blank=True)
    completed_by_application_manager = models.BooleanField(default=False)
    approved_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self):
        return f"Deployment plan of {self.release.identifier}"


class PlannedComponent(models.Model):
    """A component the deployment plan expects to be delivered (checked at RM.2.2)."""

    plan = models.ForeignKey(DeploymentPlan, on_delete=models.CASCADE, related_name="components")
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=40)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="planned_component_unique")
        ]

    def __str__(self):
        return f"{self.name} {self.version}"


class DeploymentTask(models.Model):
    """A task of the deployment plan (RM.3.1): what someone must do during deployment."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"

    plan = models.ForeignKey(DeploymentPlan, on_delete=models.CASCADE, related_name="tasks")
    title = models.CharField(max_length=200)
    owner_party = models.ForeignKey("raci.Party", on_delete=models.PROTECT, related_name="+")
    assignee = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.PROTECT, related_name="deployment_tasks"
    )
    due_date = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)

    class Meta:
        ordering = ["due_date", "id"]
        indexes = [models.Index(fields=["assignee", "status"])]

    def __str__(self):
        return self.title


class PlanRisk(models.Model):
    """BS 15000-2 9.3 i): a risk that might affect the transfer of the release into the
    acceptance test and production environments, with who owns it and how it is met."""

    plan = models.ForeignKey(DeploymentPlan, on_delete=models.CASCADE, related_name="risks")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=500)
    owner = models.CharField(max_length=200)
    mitigation = models.CharField(max_length=2000)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self):
        return self.description


class DeploymentPhase(models.Model):
    """A phase of a phased deployment: where it goes (member states, sites,
    environments) and when; installed and reported on its own at RM.6.3."""

    plan = models.ForeignKey(DeploymentPlan, on_delete=models.CASCADE, related_name="phases")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=100)
    target = models.CharField(max_length=500)
    planned_date = models.DateField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="deployment_phase_unique")
        ]

    def __str__(self):
        return self.name


class PlanRevision(models.Model):
    """One revision of the deployment plan as it stood (RM.1.3, RM.3.1, RM.6.7, or the
    deployment coordinator's in between): who, when, why, and the whole content, so that
    any two can be compared."""

    plan = models.ForeignKey(DeploymentPlan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    activity = models.CharField(max_length=10, blank=True)
    reason = models.TextField()
    revised_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    revised_at = models.DateTimeField(auto_now_add=True)
    content = models.JSONField()

    class Meta:
        ordering = ["plan", "number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_revision_unique")
        ]

    def __str__(self):
        return f"Revision {self.number} of the deployment plan"


class RollbackPlan(models.Model):
    """Every release has one from RM.1.3 on: the last known good build and how to go
    back to it (RM.6.4)."""

    release = models.OneToOneField(
        "releases.Release", on_delete=models.CASCADE, related_name="rollback_plan"
    )
    last_known_good_build = models.CharField(max_length=100)
    procedure = models.TextField()
    initiated_at = models.DateTimeField(null=True, blank=True)
    #: a rollback asked for after a successful installation, in hypercare (seed 002
    #: section 5: the run team "may trigger the rollback plan"): when, by whom, why
    triggered_at = models.DateTimeField(null=True, blank=True)
    triggered_by = models.ForeignKey(
        USER, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    trigger_reason = models.TextField(blank=True)

    def __str__(self):
        return f"Rollback plan of {self.release.identifier}"


class ConflictAcknowledgement(models.Model):
    """RM.1.4: the release manager publishes a release with a conflict only after
    acknowledging it with a reason (the conflict's key names it while it lasts)."""

    release = models.ForeignKey(
        "releases.Release", on_delete=models.CASCADE, related_name="conflict_acknowledgements"
    )
    key = models.CharField(max_length=120)
    message = models.TextField()
    reason = models.TextField()
    acknowledged_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["acknowledged_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["release", "key"], name="conflict_acknowledged_once")
        ]

    def __str__(self):
        return f"{self.release.identifier}: {self.key}"
