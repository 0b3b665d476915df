"""Data of change management: the change models a fresh install starts with, and the
RfCs of the first record carried into the lifecycle. Its own migration: on PostgreSQL a
table whose rows were just written cannot be altered in the same transaction."""

import re

from django.db import migrations
from django.db.models import F

from changes.loader import load_change_models

#: stages after which a release no longer carries RfCs to production
ENDED = ("cancelled", "closed")


def seed_change_models(apps, schema_editor):
    load_change_models(apps)


def carry_over_rfcs(apps, schema_editor):
    """The first record knew submitted, approved, rejected and implemented (and a CAB
    decision beside). Approved is authorised, scheduled while an open release carries
    it; a release that ended without installing it lets it go. The reference sequence
    starts after the highest number already used."""
    RfC = apps.get_model("changes", "RfC")
    ChangeModel = apps.get_model("changes", "ChangeModel")
    RfCNumber = apps.get_model("changes", "RfCNumber")
    normal = ChangeModel.objects.get(name="Normal change")
    RfC.objects.update(change_type="normal", change_model=normal)
    approved = RfC.objects.filter(status="approved")
    approved.filter(cab_decision="approved", release__isnull=False).exclude(
        release__stage__in=ENDED
    ).update(status="scheduled")
    approved.update(status="authorised")
    RfC.objects.filter(status="submitted", cab_decision="approved").update(status="authorised")
    RfC.objects.filter(status__in=["submitted", "rejected", "authorised"]).filter(
        release__stage__in=ENDED
    ).update(release=None)
    RfC.objects.filter(status__in=["scheduled", "authorised", "implemented"]).update(
        authorised_at=F("created_at")
    )
    numbers = [
        int(m.group(1))
        for m in map(re.compile(r"RFC-(\d{1,12})$").match, RfC.objects.values_list("reference", flat=True))
        if m
    ]
    if numbers:
        highest = max(numbers)
        if schema_editor.connection.vendor == "postgresql":
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT setval(pg_get_serial_sequence('changes_rfcnumber', 'id'), %s)",
                    [highest],
                )
        else:
            RfCNumber.objects.create(id=highest)  # SQLite counts on from the highest id


class Migration(migrations.Migration):
    dependencies = [("changes", "0003_rfc_lifecycle_and_cab")]

    operations = [
        migrations.RunPython(seed_change_models, migrations.RunPython.noop),
        migrations.RunPython(carry_over_rfcs, migrations.RunPython.noop),
    ]
