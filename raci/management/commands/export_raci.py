import csv

from django.core.management.base import BaseCommand

from raci.selectors import raci_rows


class Command(BaseCommand):
    help = "Print the RACI table (Table 4-1) as CSV, in the columns of rm_raci.csv."

    def handle(self, *args, **options):
        csv.writer(self.stdout).writerows(raci_rows())
