from celery import shared_task

from .sync import sync_party_permissions


@shared_task(name="raci.tasks.sync_party_permissions_task", acks_late=True)
def sync_party_permissions_task(party_id: int) -> int:
    """Recompute per-release permissions after a change to a party's column of Table 4-1."""
    return sync_party_permissions(party_id)
