"""The windows of the RfCs on the change schedule (authorised and scheduled) as ranges in
GiST indexes (PostgreSQL): their planned windows, and their projected outages, which an
installation's conflicts are checked against. Without them, a month's conflicts read
every outage that started before its end (10,800 at 100,000 releases), and the planned
windows were found among all live ones, then matched to the schedule's statuses through
a second index. An outage ends after it starts, as a window does, which a range needs.
SQLite, the embedded default, compares the ends instead."""

from django.db import migrations, models

ON_SCHEDULE = "('authorised', 'scheduled')"
#: name: the window's two fields (a range with a missing end would never end)
INDEXES = {
    "rfc_on_schedule_window": ("planned_start", "planned_end"),
    "rfc_on_schedule_outage_window": ("outage_start", "outage_end"),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name, (start, end) in INDEXES.items():
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON changes_rfc USING gist "
                f"(tstzrange({start}, {end})) WHERE status IN {ON_SCHEDULE} "
                f"AND {start} IS NOT NULL AND {end} IS NOT NULL"
            )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in INDEXES:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0008_live_windows"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="rfc",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("outage_start__isnull", True),
                    ("outage_end__isnull", True),
                    ("outage_end__gt", models.F("outage_start")),
                    _connector="OR",
                ),
                name="rfc_outage_ends_after_start",
            ),
        ),
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
