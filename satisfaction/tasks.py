"""Celery tasks of the satisfaction survey (names pinned: the beat schedule names them)."""

from celery import shared_task

from . import services


@shared_task(name="satisfaction.tasks.remind_task")
def remind_task() -> int:
    """The one reminder to those who have not answered after N days (beat, hourly)."""
    return services.remind_owed()
