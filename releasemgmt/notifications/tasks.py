"""Celery tasks of the outbox. Task names are pinned: the beat schedule and queued
messages name them."""

import logging
import smtplib

from celery import shared_task
from django.conf import settings

from . import delivery

log = logging.getLogger(__name__)

SMTP_ERRORS = (smtplib.SMTPException, OSError)


def enqueue(communication_id: int) -> None:
    """Queue the sending; if the broker is down the rows stay queued and the periodic
    ``flush_outbox_task`` queues them again later. Never fails the caller."""
    try:
        deliver_communication_task.delay(communication_id)
    except Exception:  # the broker being unreachable must not undo or fail the activity
        log.warning(
            "Broker unavailable; communication %s stays queued", communication_id, exc_info=True
        )


@shared_task(
    name="releasemgmt.notifications.tasks.deliver_communication_task",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=settings.NOTIFICATION_MAX_RETRIES,
)
def deliver_communication_task(self, communication_id: int) -> int:
    """Send a communication's queued e-mails; on SMTP errors retry with backoff, then mark
    what is left failed (visible in the outbox)."""
    try:
        return delivery.deliver(communication_id)
    except SMTP_ERRORS as exc:
        final = self.request.retries >= self.max_retries
        delivery.note_failure(communication_id, exc, final=final)
        if final:
            return 0
        delay = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2**self.request.retries
        raise self.retry(exc=exc, countdown=delay) from exc


@shared_task(name="releasemgmt.notifications.tasks.flush_outbox_task")
def flush_outbox_task(older_than_seconds: int = 60) -> int:
    """Queue again what the database says is owed (after a broker outage)."""
    ids = list(delivery.owed_communications(older_than_seconds))
    for communication_id in ids:
        enqueue(communication_id)
    return len(ids)
