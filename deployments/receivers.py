"""What keeps the span of each release package's installations
(``ReleasePackage.first_installation_at``, ``last_installation_at``) true: an
installation planned, moved or removed of a release in a package, a release put in a
package or taken out of it.

The span is worked out once the change is committed, in a transaction of its own: done
inside, it would lock the package after the release whose milestone moved, while the
package's own services lock the package first and then its releases. Beat repairs what
a worker stopped between the commit and the refresh may have missed
(``refresh_package_spans_task``)."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from releases.models import Milestone

from .models import PackageMember
from .services.packages import refresh_spans


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
