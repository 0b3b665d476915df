"""The survey starts when a release closes (``releases.signals.release_moved``)."""

from django.dispatch import receiver

from releases.signals import release_moved

from . import services

#: the transitions that close a release: RM.6.7 (or RM.7.2), and closing a failed one
CLOSING = {"close", "close_failed"}


@receiver(release_moved, dispatch_uid="satisfaction.ask_after_closure")
def _release_moved(sender, *, release, transition, by, **kwargs):
    if transition in CLOSING:
        services.ask_after_closure(release, by=by)
