"""Subscribers and mass notifications now belong to the DSL and the process; the outbox
keeps only communications (the tables stay, owned by their new apps)."""

from django.db import migrations

from releasemgmt.migration_helpers import state_only


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_mass_uncertain"),
        ("deployments", "0002_mass_notifications"),
        ("dsl", "0003_subscriber"),
    ]

    operations = [
        state_only(
            migrations.DeleteModel(name="MassRecipient"),
            migrations.DeleteModel(name="MassNotification"),
            migrations.DeleteModel(name="Subscriber"),
        ),
    ]
