"""What the two-node test needs, called in a Django shell on the served app's database
(tests.served.call): a mass notification half sent, then finished, as a worker on any
machine would leave it. Each prints one line of JSON."""

import json

from django.contrib.auth import get_user_model

from deployments.models import MassNotification, MassRecipient
from releases.models import Release


def half_sent(identifier):
    """A mass notification of the release, 40 of 100 sent and 2 failed."""
    notification = MassNotification.objects.create(
        release=Release.objects.get(identifier=identifier),
        moment="before",
        subject="Downtime on Saturday",
        body="ECS is unavailable from 8:00 to 12:00.",
        total=100,
        sent=40,
        failed=2,
        requested_by=get_user_model().objects.get(username="rita"),
    )
    MassRecipient.objects.bulk_create(
        MassRecipient(
            notification=notification,
            email=f"user{n}@example.org",
            status="sent" if n < 40 else "failed" if n < 42 else "queued",
            error="550 mailbox unavailable" if 40 <= n < 42 else "",
        )
        for n in range(100)
    )
    print(json.dumps({"pk": notification.pk}))


def finish(pk):
    MassNotification.objects.filter(pk=pk).update(sent=98, status="done")
    MassRecipient.objects.filter(notification_id=pk, status="queued").update(status="sent")
    print(json.dumps({"pk": pk}))
