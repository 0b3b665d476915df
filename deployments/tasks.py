"""Celery tasks of the service desk's mass notifications. Names are pinned: queued
messages and the beat schedule name them."""

import datetime
import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from . import mass_sending, owed
from .services import packages, reminders

log = logging.getLogger(__name__)


@shared_task(
    name="releasemgmt.notifications.tasks.send_mass_notification_task",
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=settings.NOTIFICATION_MAX_RETRIES,
)
def send_mass_notification_task(self, notification_id: int) -> int:
    """Send a mass notification in batches; SMTP outages are retried with backoff, then
    what is left is marked failed. Any other failure would be the same on every retry:
    what is left is failed with it at once, so that no notification stays 'sending'."""
    try:
        return mass_sending.send_batches(notification_id)
    except mass_sending.SMTP_OUTAGE as exc:
        if self.request.retries >= self.max_retries:
            mass_sending.fail_remaining(notification_id, exc)
            return 0
        delay = settings.NOTIFICATION_RETRY_BASE_SECONDS * 2**self.request.retries
        raise self.retry(exc=exc, countdown=delay) from exc
    except DatabaseError:
        raise  # the database is away: resumed later from what it says is left
    except Exception as exc:
        log.exception("Mass notification %s could not be sent", notification_id)
        mass_sending.fail_remaining(notification_id, exc)
        return 0


@shared_task(name="deployments.tasks.resume_mass_notifications_task")
def resume_mass_notifications_task(older_than_seconds: int = 60) -> int:
    """Queue again the mass notifications nobody is sending (their worker died, or the
    broker lost the task): they resume from what the database says is left."""
    unfinished = list(mass_sending.unfinished(older_than_seconds))
    for notification_id in unfinished:
        send_mass_notification_task.delay(notification_id)
    return len(unfinished)


@shared_task(name="deployments.tasks.remind_due_steps_task", acks_late=True)
def remind_due_steps_task(today: str | None = None) -> int:
    """Remind those who owe a step before and on its due date, tell the accountable past
    it (beat, hourly): never twice for one step, kind and day, however often it runs.
    ``today`` (ISO date) stands for the date of the run, by default the local one."""
    day = datetime.date.fromisoformat(today) if today else None
    return reminders.remind_due_steps(day)


@shared_task
def recount_owed_decisions_task():
    """Nightly: the decisions owed worked out again from the records, whatever an event
    may have missed (a record changed by hand in the database, a bulk load)."""
    return owed.recount()


@shared_task
def refresh_package_spans_task():
    """Nightly: every package's span of installations worked out again, whatever a
    refresh after a commit may have missed (``deployments.receivers``)."""
    packages.refresh_spans()
