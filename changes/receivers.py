"""Change management follows the releases that carry its RfCs (``releases.signals``)."""

from django.dispatch import receiver

from releases.signals import installation_date_moved, release_moved

from . import services


@receiver(release_moved, dispatch_uid="changes.follow_release")
def _release_moved(sender, *, release, transition, by, **kwargs):
    services.follow_release(release, transition, by=by)


@receiver(installation_date_moved, dispatch_uid="changes.follow_installation_date")
def _installation_date_moved(sender, *, release, before, by, **kwargs):
    services.follow_installation_date(release, before, by=by)
