"""The reminders' beat job in a real Celery worker process, killed (SIGKILL) in the middle
of its sweep and restarted, then run again: still one mail per step and day. The worker
runs on the test Redis and the test database; the SMTP server is aiosmtpd."""

import os
import signal
import threading
from collections import Counter
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection, connections, transaction

from deployments.models import Reminder
from deployments.services import reminders
from deployments.tasks import remind_due_steps_task
from releasemgmt.notifications.models import Recipient
from releasemgmt.notifications.tasks import flush_outbox_task
from tests.lifecycle import upload
from tests.smtp import Sink, free_port
from tests.waiting import PATIENCE, wait_until
from tests.workers import celery_workers

pytestmark = pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs the test Redis")

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def sink():
    sink = Sink()
    controller = Controller(sink, hostname="127.0.0.1", port=free_port(), ready_timeout=PATIENCE)
    controller.start()
    yield sink, controller.port
    controller.stop()


@pytest.fixture
def start_worker(redis_broker, sink, tmp_path):
    """Start `celery worker` processes (prefork, one child) in their own process groups."""
    with celery_workers(tmp_path, redis_broker, EMAIL_URL=f"smtp://127.0.0.1:{sink[1]}") as start:
        yield start


class HeldStep(threading.Thread):
    """Another connection inserts the reminder row of one step for the day and holds its
    transaction open: the worker that reaches this step waits on the unique index, in
    the middle of its sweep, until ``release`` is set (then the row is rolled back)."""

    def __init__(self, step, kind, day):
        super().__init__(daemon=True)
        self.step, self.kind, self.day = step, kind, day
        self.inserted = threading.Event()
        self.release = threading.Event()

    def run(self):
        try:
            with transaction.atomic():
                Reminder.objects.create(
                    release=self.step.release,
                    activity=self.step.activity,
                    step=self.step.key,
                    thread=self.step.thread,
                    kind=self.kind,
                    day=self.day,
                    due_date=self.step.due_date,
                )
                self.inserted.set()
                self.release.wait(PATIENCE)
                transaction.set_rollback(True)
        finally:
            connections.close_all()


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0] > 0


def test_worker_killed_mid_sweep_then_restarted_sends_one_mail_per_step_and_day(
    cast, release_at, sink, start_worker
):
    smtp, _ = sink
    release = release_at("acceptance")
    report = {"kind": "psat", "file": upload("psat.pdf")}
    cast.ok(cast.act(cast.dc, release, "submit-test-report", report), 201)
    steps = {s.key: s for s in reminders.owed_steps()}
    # On the day RM.4.1 is due, the thread's pSAT decision (due days after its report)
    # is long late: the coordinator is reminded, the release manager told.
    day = steps["RM.4.1"].due_date
    decision = next(s for k, s in steps.items() if k.startswith("decision:"))
    assert decision.due_date < day
    held = HeldStep(decision, Reminder.Kind.ESCALATION, day)
    held.start()
    try:
        wait_until(held.inserted.is_set, "the step to be held")
        first = start_worker()
        remind_due_steps_task.delay(today=day.isoformat())
        # The sweep has sent the activities' reminders and waits on the held decision.
        wait_until(lambda: Reminder.objects.filter(step="RM.4.1").exists(), "RM.4.1 reminded")
        wait_until(waiting_on_a_lock, "the worker to wait on the held step")
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=PATIENCE)
    finally:
        held.release.set()
        held.join(PATIENCE)
    assert not Reminder.objects.filter(step=decision.key).exists()

    # Restarted, the job runs again, and the outbox's sweep sends what the dead worker
    # left queued; then once more in this process: nothing more to send.
    start_worker()
    remind_due_steps_task.delay(today=day.isoformat())
    wait_until(
        lambda: Reminder.objects.filter(step=decision.key).exists(), "the escalation to be sent"
    )
    flush_outbox_task.delay(older_than_seconds=0)
    wait_until(
        lambda: (
            not Recipient.objects.filter(communication__reminder__isnull=False)
            .exclude(status=Recipient.Status.SENT)
            .exists()
        ),
        "every reminder to be sent",
    )
    assert reminders.remind_due_steps(today=day) == 0

    rows = Counter(Reminder.objects.values_list("step", "kind", "day"))
    assert rows == {
        ("RM.4.1", Reminder.Kind.DUE, day): 1,
        ("RM.4.2", Reminder.Kind.DUE, day): 1,  # no SAT planned: due with RM.4.1
        (decision.key, Reminder.Kind.ESCALATION, day): 1,
    }
    subjects = Counter(
        (rcpt, message["Subject"]) for rcpts, _, message in smtp.messages for rcpt in rcpts
    )
    reminder_mails = {k: n for k, n in subjects.items() if "Due today" in k[1] or "Late" in k[1]}
    assert set(reminder_mails.values()) == {1}
    assert {rcpt for rcpt, _ in reminder_mails} == {"dave@example.org", "rita@example.org"}
