"""A mass notification answers the deployment coordinator's request of one moment of one
installation round (RM.6.1, RM.6.6): one per request. Those sent before are linked to the
latest request of their moment made before them, when it is not answered already."""

import django.db.models.deletion
from django.db import migrations, models


def link_requests(apps, schema_editor):
    notifications = apps.get_model("deployments", "MassNotification")
    requests = apps.get_model("deployments", "NotificationRequest")
    answered = set()
    for notification in notifications.objects.order_by("created_at"):
        request = (
            requests.objects.filter(
                release_id=notification.release_id,
                moment=notification.moment,
                recorded_at__lte=notification.created_at,
            )
            .exclude(pk__in=answered)
            .order_by("-recorded_at")
            .first()
        )
        if request is not None:
            answered.add(request.pk)
            notification.request = request
            notification.save(update_fields=["request"])


class Migration(migrations.Migration):
    dependencies = [
        ("deployments", "0002_mass_notifications"),
    ]

    operations = [
        migrations.AddField(
            model_name="massnotification",
            name="request",
            field=models.OneToOneField(
                blank=True,
                help_text="The request it answers (empty only for those sent before requests "
                "were linked).",
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="mass_notification",
                to="deployments.notificationrequest",
            ),
        ),
        migrations.RunPython(link_requests, migrations.RunPython.noop, elidable=True),
    ]
