"""What comes after go-live in the demo, through aftercare's services: ECS 3.2.0 (live,
in conformance testing) is in hypercare with two incidents, one of them resolved; the
releases closed since have their hypercare closed by the release manager."""

import datetime

from django.utils import timezone

from aftercare import services
from aftercare.models import Hypercare, Incident
from releases.models import Release, Stage


def walk_aftercare(users) -> None:
    """Once: a second run finds the incidents there and leaves them."""
    live = Release.objects.filter(application__code="ecs", version="3.2.0").first()
    if live is None or Incident.objects.filter(release=live).exists():
        return
    now = timezone.now()
    services.record_incident(
        live,
        by=users["service-desk"],
        reference="INC-2026-0311",
        title="Export declarations slow to validate in two member states",
        priority="P2",
        major=False,
        caused_by_release="yes",
        opened_at=now - datetime.timedelta(hours=20),
    )
    services.record_incident(
        live,
        by=users["deployment-coordinator"],
        reference="INC-2026-0307",
        title="Users asked to log in again after the installation",
        priority="P4",
        major=False,
        caused_by_release="unknown",
        opened_at=now - datetime.timedelta(days=1, hours=2),
        resolved_at=now - datetime.timedelta(hours=23),
    )
    for hypercare in Hypercare.objects.filter(
        release__stage=Stage.CLOSED, closed_at__isnull=True
    ).select_related("release"):
        services.close_hypercare(
            hypercare.release,
            by=users["release-manager"],
            reason="No incident since go-live; the run teams have taken over.",
            override_reason="Closed with the release: its users confirmed it stable.",
        )
