"""What keeps two derived records true.

The decisions owed (``deployments.owed``): each event that can change what a business
thread owes on a release asks for the release's rows again, in its transaction.

The span of each release package's installations
(``ReleasePackage.first_installation_at``, ``last_installation_at``): an
installation planned, moved or removed of a release in a package, a release put in a
package or taken out of it.

The span is worked out once the change is committed, in a transaction of its own: done
inside, it would lock the package after the release whose milestone moved, while the
package's own services lock the package first and then its releases. Beat repairs what
a worker stopped between the commit and the refresh may have missed
(``refresh_package_spans_task``)."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from releases.models import ActivityRecord, Milestone, Release
from releases.signals import activities_reset, activity_done, installation_date_moved, release_moved

from . import owed
from .models import Decision, InstallationPlan, InstallationReport, PackageMember, TestReport
from .services.packages import refresh_spans

#: the records whose rows say what a business thread owes on their release
OWED_FROM = (TestReport, InstallationPlan, InstallationReport, Decision, ActivityRecord)


def _refresh_once_committed(package_ids) -> None:
    if package_ids:
        transaction.on_commit(partial(refresh_spans, list(package_ids)), robust=True)


@receiver(post_save, sender=Milestone, dispatch_uid="deployments_span_installation_saved")
@receiver(post_delete, sender=Milestone, dispatch_uid="deployments_span_installation_deleted")
def _installation_changed(sender, instance, raw=False, **kwargs):
    if raw or instance.kind != Milestone.Kind.INSTALLATION:
        return
    member = PackageMember.objects.filter(release_id=instance.release_id)
    _refresh_once_committed(member.values_list("package_id", flat=True))


@receiver(post_save, sender=PackageMember, dispatch_uid="deployments_span_member_saved")
@receiver(post_delete, sender=PackageMember, dispatch_uid="deployments_span_member_deleted")
def _member_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh_once_committed([instance.package_id])


@receiver(release_moved, dispatch_uid="deployments_owed_release_moved")
@receiver(activity_done, dispatch_uid="deployments_owed_activity_done")
@receiver(activities_reset, dispatch_uid="deployments_owed_activities_reset")
@receiver(installation_date_moved, dispatch_uid="deployments_owed_installation_moved")
def _release_event(sender, *, release, **kwargs):
    """A stage entered or left, an activity done or to be done again (RM.4.1 says pSAT
    or SAT, RM.6.4 and RM.7.1 open a decision), the order of installation changed."""
    owed.refresh_owed([release.pk])


@receiver(post_save, sender=Release, dispatch_uid="deployments_owed_release_saved")
def _release_saved(sender, instance, raw=False, **kwargs):
    """A release changed otherwise: its stage set by hand, conformance testing planned
    or no longer (RM.7.1)."""
    if not raw:
        owed.refresh_owed([instance.pk])


def _owed_record_changed(sender, instance, raw=False, **kwargs):
    """A report, plan or failed installation to decide on, a decision taken."""
    origin = kwargs.get("origin")
    deleted_with_release = isinstance(origin, Release) or getattr(origin, "model", None) is Release
    if not raw and not deleted_with_release:
        owed.refresh_owed([instance.release_id])


for _model in OWED_FROM:
    post_save.connect(
        _owed_record_changed,
        sender=_model,
        dispatch_uid=f"deployments_owed_{_model.__name__}_saved",
    )
    post_delete.connect(
        _owed_record_changed,
        sender=_model,
        dispatch_uid=f"deployments_owed_{_model.__name__}_deleted",
    )


@receiver(post_migrate, dispatch_uid="deployments_owed_filled")
def _owed_filled(sender, apps=None, **kwargs):
    """An install upgraded to the kept decisions owed: its rows worked out once, after
    every migration has run (with the models as they are now), not left to the
    nightly recount. Not after migrating to a state from before their table."""
    if sender.name != "deployments" or apps is None:
        return
    try:
        apps.get_model("deployments", "OwedDecision")
    except LookupError:
        return
    if owed.empty_but_owing():
        owed.recount()
