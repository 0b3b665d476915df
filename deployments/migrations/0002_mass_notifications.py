"""The service desk's mass notifications move from the outbox to the process (RM.6.1,
RM.6.6): the outbox knows nothing of releases. The tables keep their names."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

from releasemgmt.migration_helpers import move_content_type, state_only


class Migration(migrations.Migration):
    dependencies = [
        ("deployments", "0001_initial"),
        ("releases", "0003_application"),
        ("notifications", "0002_mass_uncertain"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        state_only(
            migrations.CreateModel(
                name="MassNotification",
                fields=[
                    (
                        "id",
                        models.BigAutoField(
                            auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                        ),
                    ),
                    (
                        "moment",
                        models.CharField(
                            choices=[
                                ("before", "Imminent installation (RM.6.1)"),
                                ("after", "Installation done or rolled back (RM.6.6)"),
                            ],
                            max_length=10,
                        ),
                    ),
                    ("subject", models.CharField(max_length=250)),
                    ("body", models.TextField()),
                    (
                        "status",
                        models.CharField(
                            choices=[("sending", "Sending"), ("done", "Done")],
                            default="sending",
                            max_length=10,
                        ),
                    ),
                    ("total", models.PositiveIntegerField(default=0)),
                    ("sent", models.PositiveIntegerField(default=0)),
                    ("failed", models.PositiveIntegerField(default=0)),
                    (
                        "uncertain",
                        models.PositiveIntegerField(
                            default=0,
                            help_text="Recipients whose message was in flight when a worker "
                            "stopped: sent again with the same Message-ID, so a server that "
                            "does not drop duplicates may show it twice.",
                        ),
                    ),
                    ("created_at", models.DateTimeField(auto_now_add=True)),
                    (
                        "release",
                        models.ForeignKey(
                            on_delete=django.db.models.deletion.CASCADE,
                            related_name="mass_notifications",
                            to="releases.release",
                        ),
                    ),
                    (
                        "requested_by",
                        models.ForeignKey(
                            on_delete=django.db.models.deletion.PROTECT,
                            related_name="+",
                            to=settings.AUTH_USER_MODEL,
                        ),
                    ),
                ],
                options={"db_table": "notifications_massnotification", "ordering": ["-created_at"]},
            ),
            migrations.CreateModel(
                name="MassRecipient",
                fields=[
                    (
                        "id",
                        models.BigAutoField(
                            auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                        ),
                    ),
                    ("email", models.EmailField(max_length=254)),
                    ("name", models.CharField(blank=True, max_length=200)),
                    (
                        "status",
                        models.CharField(
                            choices=[
                                ("queued", "Queued"),
                                ("sending", "Being sent"),
                                ("sent", "Sent"),
                                ("failed", "Failed"),
                            ],
                            default="queued",
                            max_length=10,
                        ),
                    ),
                    ("error", models.TextField(blank=True)),
                    ("claimed_at", models.DateTimeField(blank=True, null=True)),
                    ("interrupted", models.BooleanField(default=False)),
                    ("sent_at", models.DateTimeField(blank=True, null=True)),
                    (
                        "notification",
                        models.ForeignKey(
                            on_delete=django.db.models.deletion.CASCADE,
                            related_name="recipients",
                            to="deployments.massnotification",
                        ),
                    ),
                ],
                options={
                    "db_table": "notifications_massrecipient",
                    "indexes": [
                        models.Index(
                            fields=["notification", "status"],
                            name="notificatio_notific_978980_idx",
                        )
                    ],
                    "constraints": [
                        models.UniqueConstraint(
                            fields=("notification", "email"), name="mass_recipient_unique"
                        )
                    ],
                },
            ),
        ),
        move_content_type("massnotification", "notifications", "deployments"),
        move_content_type("massrecipient", "notifications", "deployments"),
    ]
