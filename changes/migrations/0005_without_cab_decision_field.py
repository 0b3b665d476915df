"""The CAB's decision is a record of its own now (``CabDecision``): the field goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("changes", "0004_carry_over_rfcs")]

    operations = [
        migrations.RemoveIndex(
            model_name="rfc",
            name="changes_rfc_cab_dec_5db8f1_idx",
        ),
        migrations.RemoveField(
            model_name="rfc",
            name="cab_decision",
        ),
    ]
