"""Benchmark: one mass notification to N subscribers (default 10,000) through a real Celery
worker on Redis, to a local SMTP sink (aiosmtpd). Prints mails per second, duplicates and
losses. Run with ``make bench-mass`` (throwaway PostgreSQL and Redis)."""

import argparse
import os
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--subscribers", type=int, default=10_000)
    args = parser.parse_args()
    sys.path[:0] = [str(ROOT)]
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "releasemgmt.settings.test")
    import django

    django.setup()
    from aiosmtpd.controller import Controller
    from celery.contrib.testing.worker import start_worker
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from deployments.models import MassRecipient, NotificationRequest
    from deployments.services import mass_notifications
    from dsl.models import Subscriber
    from raci.loader import ensure_process_loaded
    from raci.models import Party
    from releasemgmt.celery import app
    from releases.models import Application, Release
    from tests.smtp import Sink, free_port

    ensure_process_loaded()
    desk = get_user_model().objects.create_user("bench-desk", "desk@example.org", "x")
    desk.groups.add(Party.objects.get(name="ITSM Service Desk").group)
    application = Application.objects.create(code=f"bench{int(time.time())}", name="Bench")
    today = timezone.localdate()
    release = Release.objects.create(
        identifier=f"{application.code.upper()}-1.0",
        name="Bench",
        application=application,
        version="1.0",
        release_type="minor",
        planned_delivery_date=today,
        planned_installation_date=today,
        created_by=desk,
    )
    NotificationRequest.objects.create(
        release=release, moment="before", message="Bench", recorded_by=desk
    )
    Subscriber.objects.bulk_create(
        (
            Subscriber(application=application, email=f"user{i}@example.org")
            for i in range(args.subscribers)
        ),
        batch_size=5000,
    )

    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    app.conf.update(
        task_always_eager=False, broker_url=os.environ["REDIS_URL"], result_backend=None
    )
    with start_worker(app, perform_ping_check=False, shutdown_timeout=60):
        started = time.perf_counter()
        notification = mass_notifications.send_mass_notification(
            release, by=desk, moment="before", subject="Bench", body="Bench"
        )
        while True:
            notification.refresh_from_db()
            if notification.status == "done":
                break
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
    controller.stop()

    received = Counter(rcpt for rcpts, _, _ in sink.messages for rcpt in rcpts)
    duplicates = sum(n - 1 for n in received.values() if n > 1)
    expected = set(
        MassRecipient.objects.filter(notification=notification).values_list("email", flat=True)
    )
    lost = len(expected - set(received))
    print(f"mass notification to {args.subscribers:,} subscribers through Celery and SMTP")
    print(f"  time            {elapsed:8.1f} s   (budget: 10,000 in under 30 s)")
    print(f"  mails/second    {len(sink.messages) / elapsed:8.0f}")
    print(f"  sent / failed   {notification.sent:,} / {notification.failed:,}")
    print(f"  duplicates      {duplicates:8d}")
    print(f"  lost            {lost:8d}")


if __name__ == "__main__":
    main()
