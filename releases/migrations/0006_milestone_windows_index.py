"""Milestone windows as ranges in a GiST index (PostgreSQL): the calendar's month and
the conflicts of an installation find the milestones that meet a span in the index
(``releasemgmt.windows``) instead of reading every later milestone. SQLite, the embedded
default, compares the two ends instead."""

from django.db import migrations


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS milestone_window ON releases_milestone "
            "USING gist (tstzrange(starts_at, ends_at))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS milestone_window")


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0005_release_types_and_policies"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
