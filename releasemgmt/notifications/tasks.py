import smtplib

from celery import shared_task
from django.conf import settings

from . import delivery

SMTP_ERRORS = (smtplib.SMTPException, OSError)


@shared_task(
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


@shared_task
def flush_outbox_task(older_than_seconds: int = 60) -> int:
    """Queue again what the database says is owed (after a broker outage)."""
    from . import mass

    ids = list(delivery.owed_communications(older_than_seconds))
    for communication_id in ids:
        delivery.enqueue(communication_id)
    unfinished = list(mass.unfinished(older_than_seconds))
    for notification_id in unfinished:
        send_mass_notification_task.delay(notification_id)
    return len(ids) + len(unfinished)


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=settings.NOTIFICATION_MAX_RETRIES,
)
def send_mass_notification_task(self, notification_id: int) -> int:
    """Send a mass notification in batches; SMTP outages are retried with backoff, then
    what is left is marked failed."""
    from . import mass

    try:
        return mass.send_batches(notification_id)
    except SMTP_ERRORS as exc:
        if self.request.retries >= self.max_retries:
            mass.fail_remaining(notification_id, exc)
            return 0
        delay = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2**self.request.retries
        raise self.retry(exc=exc, countdown=delay) from exc
