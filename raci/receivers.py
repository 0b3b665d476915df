"""Keep what ``raci.permissions`` caches on a user object true to its groups."""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from . import permissions

User = get_user_model()


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="raci_groups_changed")
def _groups_changed(sender, instance, action, reverse, **kwargs):
    """A user joined or left a party's group: the parties cached on that user object are
    asked again (from the group's side, each user object loads them at its next request)."""
    if not reverse and action.startswith("post_"):
        permissions.forget_held_parties(instance)
