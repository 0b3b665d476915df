"""Rebuild every release's KPI facts from the records: after a bulk load or an upgrade
that brings them (the events keep them from then on)."""

import time

from django.core.management.base import BaseCommand

from kpis import facts


class Command(BaseCommand):
    help = "Rebuild the KPI facts of every release from the records."

    def handle(self, *args, **options):
        start = time.perf_counter()
        count = facts.recount()
        self.stdout.write(f"KPI facts of {count} releases in {time.perf_counter() - start:.1f} s.")
