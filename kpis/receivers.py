"""The events that change what the KPIs count of a release, and the refresh of its facts
(``kpis.facts``) in the same transaction as the event."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from aftercare.models import Incident, Lesson, PostReleaseReview
from changes.models import RfC
from deployments.models import Decision, InstallationReport
from raci.models import Assignment
from readiness.models import ChecklistItem
from releases.models import Milestone, Release, StageChange
from releases.signals import (
    activities_reset,
    activity_done,
    installation_date_moved,
    release_moved,
)
from satisfaction.models import Survey

from . import facts
from .models import FlowSample

#: the records of other rooms whose rows say something the KPIs count of their release
COUNTED_RECORDS = (Incident, Lesson, PostReleaseReview, ChecklistItem, Survey, StageChange)
#: the records whose rows the flow measures (a decision's wait, an RfC's authorisation, a
#: failed installation, the threads a release affects); the stage moves and activities
#: come with ``release_moved`` and ``activity_done``
MEASURED_RECORDS = (Decision, RfC, InstallationReport, Assignment)


def _release_deleted(kwargs) -> bool:
    """A delete started by a release's own: its facts go with it, nothing to refresh."""
    origin = kwargs.get("origin")
    return isinstance(origin, Release) or getattr(origin, "model", None) is Release


@receiver(post_save, sender=Release, dispatch_uid="kpis_release_saved")
def _release_saved(sender, instance, raw=False, **kwargs):
    """A release created (it enters the planning) or changed (its type, application,
    planned date). Its flow samples are worked out again when it is new or its type is
    no longer theirs (they are counted in the histograms of its type)."""
    if not raw:
        retyped = (
            FlowSample.objects.filter(release_id=instance.pk)
            .exclude(release_type=instance.release_type)
            .exists()
        )
        facts.refresh([instance.pk], flow=kwargs.get("created", False) or retyped)


@receiver(release_moved, dispatch_uid="kpis_release_moved")
def _release_moved(sender, *, release, transition, **kwargs):
    """A stage move (after a new round's reset); a cancelled release no longer overlaps."""
    facts.refresh_waits([release.pk])
    facts.refresh([release.pk], flow=True)
    if transition == "cancel":
        facts.refresh(facts.neighbours(release))


@receiver(activities_reset, dispatch_uid="kpis_activities_reset")
def _activities_reset(sender, *, release, **kwargs):
    """Activities to be done again: their waits go until they are."""
    facts.refresh_waits([release.pk])
    facts.refresh([release.pk], flow=True)


@receiver(installation_date_moved, dispatch_uid="kpis_installation_moved")
def _installation_moved(sender, *, release, **kwargs):
    facts.refresh(facts.neighbours(release))


@receiver(activity_done, dispatch_uid="kpis_went_live")
def _activity_done(sender, *, release, code, **kwargs):
    """An activity done: how long it waited, and what it changed of the release's facts
    (RM.1.4 baselines the installation, RM.6.5 puts the release live)."""
    facts.refresh_waits([release.pk])
    facts.refresh([release.pk], flow=True)


@receiver(post_save, sender=Milestone, dispatch_uid="kpis_milestone_saved")
@receiver(post_delete, sender=Milestone, dispatch_uid="kpis_milestone_deleted")
def _milestone_changed(sender, instance, raw=False, **kwargs):
    """An installation window planned, moved or baselined (RM.1.4)."""
    if raw or _release_deleted(kwargs):
        return
    if instance.kind == Milestone.Kind.INSTALLATION:
        release = Release.objects.filter(pk=instance.release_id).first()
        if release is not None:
            facts.refresh(facts.neighbours(release))


def _record_changed(sender, instance, raw=False, **kwargs):
    if raw or _release_deleted(kwargs) or instance.release_id is None:
        return
    if Release.objects.filter(pk=instance.release_id).exists():
        facts.refresh([instance.release_id], flow=sender in MEASURED_RECORDS)


for _model in COUNTED_RECORDS + MEASURED_RECORDS:
    post_save.connect(_record_changed, sender=_model, dispatch_uid=f"kpis_{_model.__name__}_saved")
    post_delete.connect(
        _record_changed, sender=_model, dispatch_uid=f"kpis_{_model.__name__}_deleted"
    )
