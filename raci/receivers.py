"""Keep what ``raci.permissions`` caches true: on a user object, to its groups; in the
process, to the permissions the migrations made."""

from django.contrib.auth import get_user_model
from django.db.models.signals import m2m_changed, post_migrate
from django.dispatch import receiver

from . import permissions

User = get_user_model()


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="raci_groups_changed")
def _groups_changed(sender, instance, action, reverse, **kwargs):
    """A user joined or left a party's group: the parties cached on that user object are
    asked again (from the group's side, each user object loads them at its next request)."""
    if not reverse and action.startswith("post_"):
        permissions.forget_held_parties(instance)


@receiver(post_migrate, dispatch_uid="raci_permissions_made")
def _permissions_made(sender, **kwargs):
    """Migrations ran (or a test database was flushed and its permissions made again):
    the permission ids kept by the process are read again, now (after each app's, so
    that the last read follows Django's own receiver making the release's permissions),
    rather than by the first request that needs them."""
    permissions.read_permission_ids()
