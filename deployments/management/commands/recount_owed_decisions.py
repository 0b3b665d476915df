"""Work out again every decision the business threads owe from the records: after a
bulk load, or to repair what an event missed (the events keep them from then on)."""

import time

from django.core.management.base import BaseCommand

from deployments import owed


class Command(BaseCommand):
    help = "Rebuild the kept decisions owed by the business threads from the records."

    def handle(self, *args, **options):
        start = time.perf_counter()
        count = owed.recount()
        self.stdout.write(f"{count} decisions owed in {time.perf_counter() - start:.1f} s.")
