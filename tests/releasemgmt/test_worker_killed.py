"""A worker killed in the middle of a mass notification (SIGKILL, no chance to clean up),
then restarted: every recipient ends with exactly one mail. A real Celery worker runs in
its own process on the test Redis and the test database; the SMTP server is aiosmtpd."""

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

from deployments.models import MassRecipient
from deployments.services import mass_notifications
from deployments.tasks import resume_mass_notifications_task
from releasemgmt.celery import app
from tests.smtp import HoldingSink, free_port

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the test Redis")

ROOT = Path(__file__).resolve().parents[2]
HOLD_AT = 119  # the 120th recipient, in the first claim of 200


def url_of_the_test_database() -> str:
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture
def held_sink():
    sink = HoldingSink(hold_for="")  # the address is set once the audience is known
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield sink, controller.port
    sink.release.set()
    controller.stop()


@pytest.fixture
def broker(redis_broker):
    """The real broker, emptied of what earlier tests left in it."""
    with app.connection_for_write() as conn:
        conn.default_channel.client.flushdb()
    return redis_broker


@pytest.fixture
def start_worker(broker, held_sink, tmp_path):
    """Start `celery worker` processes (prefork, one child) in their own process groups."""
    _, smtp_port = held_sink
    workers = []
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "releasemgmt.settings.local",
        "DATABASE_URL": url_of_the_test_database(),
        "REDIS_URL": broker,
        "EMAIL_URL": f"smtp://127.0.0.1:{smtp_port}",
        "MASS_NOTIFICATION_STALE_SECONDS": "1",
        "LOG_LEVEL": "WARNING",
    }

    def start():
        log = open(tmp_path / f"worker{len(workers)}.log", "wb")  # noqa: SIM115
        command = [sys.executable, "-m", "celery", "-A", "releasemgmt", "worker"]
        command += ["--concurrency=1", "--without-gossip", "--without-mingle", "-l", "warning"]
        worker = subprocess.Popen(
            command,
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        workers.append(worker)
        return worker

    yield start
    held_sink[0].release.set()
    for worker in workers:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGTERM)
            try:
                worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(worker.pid, signal.SIGKILL)


def wait_for(condition, timeout=60, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


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
    assert sink.holding.wait(timeout=60), "the worker never reached the held message"
    assert statuses(notification) == {"sent": HOLD_AT, "sending": 200 - HOLD_AT, "queued": 250}
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    sink.release.set()
    wait_for(lambda: sink.dropped, timeout=10, what="the server to drop the orphaned message")
    assert len(mass_mails(sink)) == HOLD_AT

    # Restarted: the periodic flush finds the notification idle and queues it again.
    start_worker()
    time.sleep(1.2)  # past MASS_NOTIFICATION_STALE_SECONDS of the restarted worker
    resume_mass_notifications_task.delay(older_than_seconds=1)
    wait_for(
        lambda: notification.recipients.exclude(status="sent").count() == 0,
        what="every recipient to be sent",
    )

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
