"""What comes after go-live in the demo, through aftercare's services: ECS 3.2.0 (live,
in conformance testing) is in hypercare with two incidents, one of them resolved, and
reviewed with two lessons (shown when ECS 3.1.7 is planned) and two improvement actions,
one done; the releases closed since have their hypercare closed by the release manager;
NCTS 5.0.9, rolled back, still owes its review."""

import datetime

from django.utils import timezone

from aftercare import lessons, services
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
    _review(live, users)
    for hypercare in Hypercare.objects.filter(
        release__stage=Stage.CLOSED, closed_at__isnull=True
    ).select_related("release"):
        services.close_hypercare(
            hypercare.release,
            by=users["release-manager"],
            reason="No incident since go-live; the run teams have taken over.",
            override_reason="Closed with the release: its users confirmed it stable.",
        )


def roll_back_from_hypercare(release, *, dc) -> None:
    """Live since this morning, a P1 caused by the release: the coordinator triggers the
    rollback plan from hypercare; the thread's validation (RM.6.4) is owed."""
    services.record_incident(
        release,
        by=dc,
        reference="INC-2026-0412",
        title="Guarantees refused at the office of departure since the installation",
        priority="P1",
        major=True,
        caused_by_release="yes",
        opened_at=timezone.now() - datetime.timedelta(hours=2),
    )
    services.trigger_rollback(
        release,
        by=dc,
        reason="INC-2026-0412: guarantees refused since the installation, no fix today.",
    )


def _review(release, users) -> None:
    rm = users["release-manager"]
    services.write_review(
        release,
        by=rm,
        note="Live in both waves; one P2 incident caused by the release, fixed in hypercare.",
        objectives="partly",
        objectives_comment="The new export rules work; validation is slower than planned.",
        schedule_comment="The second wave went a day late, as re-planned with the threads.",
        stakeholder_feedback="A3/Cust content with the rules; A4/CPT asks for earlier notice.",
    )
    lessons.add_lesson(
        release,
        by=rm,
        what_happened="Validation slowed down under the volumes of the first morning.",
        next_time="Run the SAT with a day of production volumes before the GO.",
        tags="performance, testing",
    )
    lessons.add_lesson(
        release,
        by=rm,
        what_happened="A4/CPT heard of the second wave two days before it.",
        next_time="Send the mass notification of each wave a week ahead.",
        tags="communication",
    )
    today = timezone.localdate()
    done = services.add_action(
        release,
        by=rm,
        title="Add a volume test to the SAT plan",
        owner=users["deployment-coordinator"],
        due_date=today - datetime.timedelta(days=1),
    )
    services.set_action_status(release, done.pk, by=users["deployment-coordinator"], status="done")
    services.add_action(
        release,
        by=rm,
        title="Notify each wave a week ahead in the deployment plan template",
        owner=users["service-desk"],
        due_date=today + datetime.timedelta(days=14),
    )
