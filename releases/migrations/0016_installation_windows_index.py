"""The installation windows alone in a GiST index (PostgreSQL): the conflicts of the
calendar's installations (``deployments.conflicted``) ask for the installations meeting
their windows. With the index of every milestone's window, PostgreSQL also read the
100,000 installations of the index on kind to keep them (8 -> 3 ms at 100,000 releases;
issue 17)."""

from django.db import migrations

from releasemgmt.migration_helpers import postgresql_index


class Migration(migrations.Migration):
    dependencies = [
        ("releases", "0015_release_open"),
    ]

    operations = [
        postgresql_index(
            "milestone_installation_window",
            "releases_milestone",
            "USING gist (tstzrange(starts_at, ends_at)) WHERE kind = 'installation'",
        ),
    ]
