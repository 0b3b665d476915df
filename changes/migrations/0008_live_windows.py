"""The live RfCs' windows as ranges in a GiST index (PostgreSQL), so that the conflicts
of a CAB's agenda or of the change schedule cost a few index probes per window rather
than a scan of every later window; and a window that ends after it starts, which a range
needs. Also the order of the reviews owed (implemented RfCs, oldest first). SQLite, the embedded default, compares the two ends instead (no index needed at
its size)."""

from django.db import migrations, models

LIVE = "('submitted', 'assessed', 'awaiting_cab', 'authorised', 'scheduled')"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS rfc_live_window ON changes_rfc USING gist "
            f"(tstzrange(planned_start, planned_end)) WHERE status IN {LIVE}"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS rfc_live_window")


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0007_schedule_by_end"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="rfc",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("planned_start__isnull", True),
                    ("planned_end__isnull", True),
                    ("planned_end__gt", models.F("planned_start")),
                    _connector="OR",
                ),
                name="rfc_window_ends_after_start",
            ),
        ),
        migrations.AddIndex(
            model_name="rfc",
            index=models.Index(
                condition=models.Q(("status", "implemented")),
                fields=["implemented_at", "id"],
                name="rfc_implemented_order",
            ),
        ),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
