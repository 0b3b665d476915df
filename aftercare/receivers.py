"""What the rooms below tell aftercare: the go-live (RM.6.5 done) starts hypercare."""

from django.dispatch import receiver

from releases.signals import activity_done

from . import services

#: the activity that puts a release live: "Publish successful installation"
GO_LIVE = "RM.6.5"


@receiver(activity_done, dispatch_uid="aftercare_start_hypercare")
def start_hypercare(sender, release, code, outcome, by, **kwargs):
    """RM.6.5 done: hypercare starts, in the same transaction as the go-live."""
    if code == GO_LIVE:
        services.start_hypercare(release, by=by)
