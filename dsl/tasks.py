"""Celery tasks of the DSL. Task names are pinned: the beat schedule names them."""

from celery import shared_task
from django.conf import settings

from .library import verify_library


@shared_task(name="dsl.tasks.verify_library_task")
def verify_library_task(limit: int | None = None) -> int:
    """RM.6.7: re-read the stored files verified longest ago and compare their SHA-256
    with the record; what differs or is gone is recorded and mailed."""
    return len(verify_library(limit or settings.DSL_VERIFY_PER_RUN))
