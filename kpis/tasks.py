"""The KPIs' periodic work, run by Celery beat."""

from celery import shared_task

from . import facts


@shared_task
def recount_kpi_facts_task():
    """Nightly: the facts rebuilt from the records, whatever an event may have missed
    (a record changed by hand in the database, a bulk load)."""
    return facts.recount()
