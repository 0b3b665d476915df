"""A worker killed in the middle of a mass notification (SIGKILL, no chance to clean up),
then restarted: every recipient ends with exactly one mail. A real Celery worker runs in
its own process on the test Redis and the test database; the SMTP server is aiosmtpd."""

import os
import signal
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.utils import timezone

from deployments.models import MassRecipient
from deployments.services import mass_notifications
from deployments.tasks import resume_mass_notifications_task
from tests.smtp import HoldingSink, free_port
from tests.waiting import PATIENCE, wait_until
from tests.workers import celery_workers

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the test Redis")

ROOT = Path(__file__).resolve().parents[2]
HOLD_AT = 119  # the 120th recipient, in the first claim of 200
STALE_SECONDS = 1  # MASS_NOTIFICATION_STALE_SECONDS of the workers


@pytest.fixture
def held_sink():
    sink = HoldingSink(hold_for="")  # the address is set once the audience is known
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), ready_timeout=PATIENCE)
    controller.start()
    yield sink, controller.port
    sink.release.set()
    controller.stop()


@pytest.fixture
def start_worker(redis_broker, held_sink, tmp_path):
    """Start `celery worker` processes (prefork, one child) in their own process groups."""
    _, smtp_port = held_sink
    with celery_workers(
        tmp_path,
        redis_broker,
        EMAIL_URL=f"smtp://127.0.0.1:{smtp_port}",
        MASS_NOTIFICATION_STALE_SECONDS=str(STALE_SECONDS),
    ) as start:
        yield start
        held_sink[0].release.set()


def mass_mails(sink):
    return [m for m in sink.messages if m[1].startswith("<mass-")]


def statuses(notification):
    return Counter(notification.recipients.values_list("status", flat=True))


def test_worker_killed_mid_notification_then_restarted_sends_each_mail_once(
    cast, release_in_installation, held_sink, start_worker, client
):
    sink, _ = held_sink
    release = release_in_installation
    cast.ok(cast.perform(cast.dc, release, "RM.6.1", {"message": "Downtime"}))
    audience = list(release.application.subscribers.values_list("email", flat=True))
    sink.hold_for = audience[HOLD_AT]  # recipients are sent in the audience's order
    first = start_worker()
    notification = mass_notifications.send_mass_notification(
        release, by=cast.desk, moment="before", subject="Downtime", body="Saturday"
    )

    # The worker is waiting for the server's reply to the 120th message when it is killed.
    wait_until(sink.holding.is_set, "the worker to reach the held message")
    assert statuses(notification) == {"sent": HOLD_AT, "sending": 200 - HOLD_AT, "queued": 250}
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=PATIENCE)
    # The server still holds the message: it notices the client is gone and drops it. Were
    # it released first, a busy loop could answer before it saw the connection close.
    wait_until(lambda: sink.dropped, "the server to drop the orphaned message")
    sink.release.set()
    assert len(mass_mails(sink)) == HOLD_AT

    # Restarted: the periodic flush finds the notification idle and queues it again, once
    # the dead worker's claims are older than the restarted worker's stale limit.
    start_worker()
    claims = notification.recipients.filter(status="sending")
    wait_until(
        lambda: (
            not claims.filter(
                claimed_at__gte=timezone.now() - timedelta(seconds=STALE_SECONDS + 0.2)
            ).exists()
        ),
        "the dead worker's claims to be stale",
    )
    resume_mass_notifications_task.delay(older_than_seconds=STALE_SECONDS)
    wait_until(
        lambda: notification.recipients.exclude(status="sent").count() == 0,
        "every recipient to be sent",
    )
    # the counters the progress bar reads are stored after the last recipient is sent
    done = type(notification).objects.filter(pk=notification.pk, status="done")
    wait_until(done.exists, "the notification's progress to be stored as done")

    per_recipient = Counter(rcpt for rcpt, _, _ in mass_mails(sink))
    assert len(per_recipient) == 450
    assert set(per_recipient.values()) == {1}
    assert len({message_id for _, message_id, _ in mass_mails(sink)}) == 450
    # The message that was in flight is flagged, and counted on the progress bar.
    interrupted = MassRecipient.objects.get(notification=notification, interrupted=True)
    assert (interrupted.email,) == sink.dropped[0]
    notification.refresh_from_db()
    assert (notification.status, notification.sent, notification.uncertain) == ("done", 450, 1)
    client.force_login(cast.desk)
    bar = client.get(f"/mass-notifications/{notification.pk}/progress/").content.decode()
    assert "450 sent" in bar
    assert "1 sent again after an interruption" in bar
    api = cast.api(cast.desk).get(f"/api/v1/mass-notifications/{notification.pk}/").json()
    assert (api["sent"], api["uncertain"], api["percent"]) == (450, 1, 100)
