"""What go-live readiness does when a release is formalised or re-planned (signals of
the rooms below; a receiver runs in the sender's transaction)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from releases.models import Release
from releases.signals import installation_date_moved

from . import services


@receiver(post_save, sender=Release, dispatch_uid="readiness_checklist_on_formalise")
def checklist_on_formalise(sender, instance, created, raw=False, **kwargs):
    """RM.1.1: a new release gets the Move2Run checklist of its type."""
    if created and not raw:
        services.ensure_checklist(instance)


@receiver(installation_date_moved, dispatch_uid="readiness_reschedule_items")
def reschedule_on_new_date(sender, release, **kwargs):
    """The items still open fall due relative to the new installation date."""
    services.reschedule_items(release)
