"""An application's subscribers (its impacted users) move from the outbox to the DSL's
master data. The table keeps its name."""

import django.db.models.deletion
from django.db import migrations, models

from releasemgmt.migration_helpers import move_content_type, state_only


class Migration(migrations.Migration):
    dependencies = [
        ("dsl", "0002_document_component"),
        ("releases", "0003_application"),
        ("notifications", "0002_mass_uncertain"),
    ]

    operations = [
        state_only(
            migrations.CreateModel(
                name="Subscriber",
                fields=[
                    (
                        "id",
                        models.BigAutoField(
                            auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                        ),
                    ),
                    ("email", models.EmailField(max_length=254)),
                    ("name", models.CharField(blank=True, max_length=200)),
                    ("created_at", models.DateTimeField(auto_now_add=True)),
                    (
                        "application",
                        models.ForeignKey(
                            on_delete=django.db.models.deletion.CASCADE,
                            related_name="subscribers",
                            to="releases.application",
                        ),
                    ),
                ],
                options={
                    "db_table": "notifications_subscriber",
                    "ordering": ["email"],
                    "constraints": [
                        models.UniqueConstraint(
                            fields=("application", "email"), name="subscriber_unique"
                        )
                    ],
                },
            ),
        ),
        move_content_type("subscriber", "notifications", "dsl"),
    ]
