"""Aftercare's periodic work, run by Celery beat."""

from celery import shared_task

from . import services


@shared_task
def remind_improvement_actions_task():
    """Mail the owners of improvement actions due soon or due (once an action a day)."""
    return services.remind_improvement_actions()
