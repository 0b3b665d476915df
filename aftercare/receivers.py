"""What the rooms below tell aftercare: the go-live (RM.6.5 done) starts hypercare, the
rollback (RM.6.4 done) ends it."""

from django.dispatch import receiver

from releases.signals import activity_done

from . import services

#: the activity that puts a release live: "Publish successful installation"
GO_LIVE = "RM.6.5"
#: the activity that takes it out of production: "Initiate roll-back plan"
ROLLBACK = "RM.6.4"


@receiver(activity_done, dispatch_uid="aftercare_start_hypercare")
def start_hypercare(sender, release, code, outcome, by, **kwargs):
    """RM.6.5 done: hypercare starts, in the same transaction as the go-live."""
    if code == GO_LIVE:
        services.start_hypercare(release, by=by)


@receiver(activity_done, dispatch_uid="aftercare_end_by_rollback")
def end_by_rollback(sender, release, code, outcome, by, **kwargs):
    """RM.6.4 done: a release rolled back from hypercare leaves it."""
    if code == ROLLBACK:
        services.end_by_rollback(release, by=by)
