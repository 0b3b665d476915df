"""Communications go out by e-mail through a real Celery worker on the test Redis to a real
SMTP server (aiosmtpd in the test process): each addressee exactly once; SMTP failures are
retried, then shown as failed, never a 500 to the user."""

import os

import pytest

from deployments import services
from releasemgmt.celery import app
from releasemgmt.notifications.models import Recipient
from tests.lifecycle import PLAN_ITEMS
from tests.smtp import free_port
from tests.waiting import wait_until

pytestmark = [
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the test Redis"),
    pytest.mark.serial,  # stops and restarts the Redis server every process shares
]


def nothing_left_to_run() -> bool:
    """No task waits in the broker, and none taken by a worker is unfinished (tasks are
    acknowledged when done): nothing more can be sent."""
    with app.connection_for_write() as conn:
        client = conn.default_channel.client
        queues = [k for k in client.scan_iter("celery*") if client.type(k) == b"list"]
        return sum(client.llen(k) for k in queues) == 0 and client.hlen("unacked") == 0


def plan_and_publish(release, by):
    services.initialise_deployment_plan(
        release,
        by=by,
        option="big_bang",
        summary="x",
        components="core 1.0",
        last_known_good_build="0.9",
        rollback_procedure="redeploy 0.9",
        **PLAN_ITEMS,
    )
    services.publish_release_schedule(release, by=by)


def test_each_addressee_gets_exactly_one_mail(
    redis_worker, smtp_sink, make_release, release_manager, make_user
):
    thread_user = make_user("cust", "DG TAXUD A3/Cust")
    make_user("amy", "ITSM Application Manager")
    release = make_release(threads=["a3-cust"])
    plan_and_publish(release, release_manager)

    owed = Recipient.objects.filter(communication__release=release)
    wait_until(lambda: len(smtp_sink.messages) >= owed.count(), "a mail to each addressee")
    wait_until(nothing_left_to_run, "the worker to finish every task")  # nothing more comes
    assert len(smtp_sink.messages) == owed.count(), (
        len(smtp_sink.messages),
        list(owed.values_list("status", "last_error", "user__email")),
    )
    assert set(owed.values_list("status", flat=True)) == {"sent"}
    ids = [message_id for _, message_id, _ in smtp_sink.messages]
    assert len(set(ids)) == len(ids)  # never twice
    expected = {(r.user.email, r.message_id) for r in owed.select_related("user")}
    assert {(rcpt[0], mid) for rcpt, mid, _ in smtp_sink.messages} == expected
    # The Table 4-2 "Release Plan" mail reaches the business thread, linking back.
    plan_mails = [
        m
        for rcpt, _, m in smtp_sink.messages
        if rcpt == (thread_user.email,) and "Release plan published" in m["Subject"]
    ]
    assert len(plan_mails) == 1
    text = plan_mails[0].get_payload()[0].get_payload(decode=True).decode()
    assert "/releases/schedule/" in text


def test_smtp_failure_is_retried_then_visible_and_the_activity_stands(
    redis_worker, settings, make_release, release_manager, make_user
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", free_port()  # nobody listens
    settings.NOTIFICATION_RETRY_BASE_SECONDS = 0
    make_user("cust", "DG TAXUD A3/Cust")
    release = make_release(threads=["a3-cust"])
    plan_and_publish(release, release_manager)  # no exception reaches the user

    owed = Recipient.objects.filter(communication__release=release)
    assert owed.exists()
    wait_until(
        lambda: set(owed.values_list("status", flat=True)) == {"failed"},
        "every attempt to fail and the mails to be marked failed",
    )
    failed = owed.first()
    assert failed.attempts == settings.NOTIFICATION_MAX_RETRIES + 1
    assert "Connection refused" in failed.last_error or "Error" in failed.last_error
    release.refresh_from_db()
    assert release.stage == "receiving"


def test_administrator_retries_failed_mails_from_the_outbox(
    client, make_release, release_manager, make_user
):
    from releasemgmt.notifications.models import Communication

    release = make_release()
    make_user("amy", "ITSM Application Manager")
    services.initialise_deployment_plan(
        release,
        by=release_manager,
        option="big_bang",
        summary="x",
        components="core 1.0",
        last_known_good_build="0.9",
        rollback_procedure="x",
    )
    comm = Communication.objects.get(release=release, activity="RM.1.3")
    comm.recipients.update(status="failed", last_error="SMTPServerDisconnected: gone")
    admin = make_user("root", is_staff=True, is_superuser=True)
    client.force_login(admin)
    listing = client.get("/admin/notifications/recipient/?status__exact=failed")
    assert "SMTPServerDisconnected" in listing.content.decode()
    ids = list(comm.recipients.values_list("pk", flat=True))
    response = client.post(
        "/admin/notifications/recipient/", {"action": "retry", "_selected_action": ids}
    )
    assert response.status_code == 302
    # Tasks are eager in this test: the retry sent them at once (locmem backend).
    from django.core import mail

    assert set(comm.recipients.values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == len(ids)


@pytest.fixture
def redis_port():
    from urllib.parse import urlparse

    return urlparse(os.environ["REDIS_URL"]).port


def test_with_redis_down_activities_complete_and_mails_go_once_it_is_back(
    redis_worker, smtp_sink, redis_port, tmp_path, make_release, release_manager, make_user
):
    import subprocess

    from releasemgmt.notifications.tasks import flush_outbox_task

    make_user("cust", "DG TAXUD A3/Cust")
    release = make_release(threads=["a3-cust"])
    subprocess.run(["redis-cli", "-p", str(redis_port), "shutdown", "nosave"], check=False)
    try:
        plan_and_publish(release, release_manager)  # the broker is down: no error
        release.refresh_from_db()
        assert release.stage == "receiving"
        owed = Recipient.objects.filter(communication__release=release)
        assert set(owed.values_list("status", flat=True)) == {"queued"}
        assert smtp_sink.messages == []
    finally:
        subprocess.run(
            [
                "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--dir",
                str(tmp_path),
            ],
            check=True,
        )
        wait_until(
            lambda: (
                subprocess.run(
                    ["redis-cli", "-p", str(redis_port), "ping"], capture_output=True, text=True
                ).stdout.strip()
                == "PONG"
            ),
            "Redis to answer again",
        )
    assert flush_outbox_task(older_than_seconds=0) == 3
    wait_until(lambda: len(smtp_sink.messages) >= owed.count(), "a mail to each addressee")
    wait_until(nothing_left_to_run, "the worker to finish every task")
    assert len(smtp_sink.messages) == owed.count()
    assert set(owed.values_list("status", flat=True)) == {"sent"}
    ids = [message_id for _, message_id, _ in smtp_sink.messages]
    assert len(set(ids)) == len(ids)
