"""Applications now belong to the core (``releases``); the table stays."""

from django.db import migrations

from releasemgmt.migration_helpers import state_only


class Migration(migrations.Migration):
    dependencies = [
        ("dsl", "0003_subscriber"),
        ("notifications", "0003_moved_out"),
    ]

    operations = [state_only(migrations.DeleteModel(name="Application"))]
