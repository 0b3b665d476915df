"""Celery tasks of go-live readiness. Names are pinned: the beat schedule names them."""

import datetime

from celery import shared_task

from . import reminders


@shared_task(name="readiness.tasks.remind_checklist_items_task", acks_late=True)
def remind_checklist_items_task(today: str | None = None) -> int:
    """Remind the owners of a Move2Run item before and on its due date, tell the release
    manager and RM.6.2's accountable party past it (beat, hourly): never twice for one
    item, kind and day, however often it runs. ``today`` (ISO date) stands for the date
    of the run, by default the local one."""
    day = datetime.date.fromisoformat(today) if today else None
    return reminders.remind_checklist_items(day)
