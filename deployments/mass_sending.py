"""Sending a mass notification: recipients claimed in chunks, each marked sent as the
server accepts it, so that a worker killed mid-way resumes where it stopped and nobody
gets the mail twice (only the one message in flight is uncertain)."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import DatabaseError, transaction
from django.db.models import Count, Max, Min, Q
from django.utils import timezone

from .models import MassNotification, MassRecipient

#: recipients per SMTP connection (and per claim)
CLAIM_SIZE = 200
#: the server or the connection to it is down: retried later, the recipients queued again
SMTP_OUTAGE = (smtplib.SMTPException, OSError)


def claim(notification_id: int, size: int) -> list[MassRecipient]:
    """Take the next queued recipients for this worker, committed at once: a concurrent
    worker skips them, a restarted one knows they were being sent. Each is marked sent
    as soon as the server accepted it, so after a kill only the message in flight is
    uncertain."""
    with transaction.atomic():
        batch = list(
            MassRecipient.objects.select_for_update(skip_locked=True)
            .filter(notification_id=notification_id, status=MassRecipient.Status.QUEUED)
            .order_by("id")[:size]
        )
        MassRecipient.objects.filter(pk__in=[r.pk for r in batch]).update(
            status=MassRecipient.Status.SENDING, claimed_at=timezone.now()
        )
    return batch


def reclaim_stale(notification_id: int, older_than_seconds: int) -> int:
    """Recipients a killed worker had claimed go back to the queue. Only the one message
    in flight at the moment of the kill can have reached the server already."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    stale = MassRecipient.objects.filter(
        notification_id=notification_id,
        status=MassRecipient.Status.SENDING,
        claimed_at__lt=cutoff,
    )
    # A claim is sent in id order and each recipient marked sent on acceptance, so the
    # lowest id still being sent in each claim is the one that may have been in flight.
    in_flight = stale.values("claimed_at").annotate(first=Min("id")).values("first")
    MassRecipient.objects.filter(pk__in=in_flight).update(interrupted=True)
    return stale.update(status=MassRecipient.Status.QUEUED, claimed_at=None)


def send_batches(notification_id: int, stale_after_seconds: int | None = None) -> int:
    """Send what is still queued, CLAIM_SIZE per SMTP connection. Each recipient is claimed
    and then marked sent in its own commit, so a worker killed mid-way and restarted
    resumes where it stopped and nobody gets the mail twice. What cannot be sent is marked
    failed with the reason; an SMTP outage is raised for the task to retry. Returns how
    many were sent."""
    if stale_after_seconds is None:
        stale_after_seconds = settings.MASS_NOTIFICATION_STALE_SECONDS
    notification = MassNotification.objects.get(pk=notification_id)
    reclaim_stale(notification_id, stale_after_seconds)
    if problem := unsendable(notification):
        # The same for every recipient (a subject stored before it was checked): say it
        # once for all of them instead of asking the server 10,000 times.
        fail_remaining(notification_id, problem)
        return 0
    sent_now = 0
    try:
        while batch := claim(notification_id, CLAIM_SIZE):
            handled = 0
            try:
                with get_connection() as connection:
                    for recipient in batch:
                        sent_now += _send_one(connection, notification, recipient)
                        handled += 1
            except SMTP_OUTAGE:
                # Nothing more goes through now: what this worker claimed and did not
                # handle goes back to the queue at once, for the retry.
                _requeue(batch[handled:])
                raise
            except DatabaseError:
                # The claim stays as it is: reclaimed after the stale delay, the recipient
                # in hand counted uncertain (it may have been sent before the failure).
                raise
            except Exception as exc:
                # A fault of ours, the same on every retry: the recipient in hand is failed
                # with it, the rest of the claim queued again for the task to fail.
                _fail(batch[handled:][:1], exc)
                _requeue(batch[handled + 1 :])
                raise
            update_progress(notification_id)
    finally:
        update_progress(notification_id)
    return sent_now


def _requeue(recipients) -> None:
    MassRecipient.objects.filter(pk__in=[r.pk for r in recipients]).update(
        status=MassRecipient.Status.QUEUED, claimed_at=None
    )


def _fail(recipients, error) -> None:
    MassRecipient.objects.filter(pk__in=[r.pk for r in recipients]).update(
        status=MassRecipient.Status.FAILED, error=reason(error)
    )


def _send_one(connection, notification, recipient) -> int:
    """Send to one recipient and record the outcome: 1 if sent. A refused address, or one
    no message can be addressed to, is failed with the reason; an SMTP outage is raised."""
    try:
        connection.send_messages([_message(notification, recipient)])
    except smtplib.SMTPRecipientsRefused as exc:
        recipient.status = MassRecipient.Status.FAILED
        recipient.error = refusal(exc)
    except SMTP_OUTAGE:
        raise
    except ValueError as exc:  # BadHeaderError, UnicodeError: this address cannot be used
        recipient.status = MassRecipient.Status.FAILED
        recipient.error = reason(exc)
    else:
        recipient.status = MassRecipient.Status.SENT
        recipient.sent_at = timezone.now()
    recipient.save(update_fields=["status", "error", "sent_at"])
    return int(recipient.status == MassRecipient.Status.SENT)


def unsendable(notification) -> str:
    """Why no message of this notification can be built, or '' when it can."""
    probe = MassRecipient(notification=notification, email="probe@example.org", pk=0)
    try:
        _message(notification, probe).message()
    except ValueError as exc:  # BadHeaderError, UnicodeError
        return reason(exc)
    return ""


def reason(error: Exception | str) -> str:
    """An error as the page shows it against a failed recipient."""
    if isinstance(error, str):
        return error[:500]
    return f"{type(error).__name__}: {error}"[:500]


def refusal(exc: smtplib.SMTPRecipientsRefused) -> str:
    """The server's reply to the refused address, readable: '550 5.1.1 No such user'."""
    replies = [
        f"{code} {message.decode(errors='replace') if isinstance(message, bytes) else message}"
        for code, message in exc.recipients.values()
    ]
    return "; ".join(replies)[:500] or str(exc)[:500]


def update_progress(notification_id: int) -> None:
    """Store the counters the progress bar reads; done when nothing is left to send."""
    status = MassRecipient.Status
    counts = MassRecipient.objects.filter(notification_id=notification_id).aggregate(
        sent=Count("pk", filter=Q(status=status.SENT)),
        failed=Count("pk", filter=Q(status=status.FAILED)),
        left=Count("pk", filter=Q(status__in=[status.QUEUED, status.SENDING])),
        uncertain=Count("pk", filter=Q(interrupted=True)),
    )
    left = counts.pop("left")
    MassNotification.objects.filter(pk=notification_id).update(
        **counts,
        **({"status": MassNotification.Status.DONE} if not left else {}),
    )


def _message(notification, recipient) -> EmailMessage:
    return EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Message-ID": recipient.message_id},
    )


def fail_remaining(notification_id: int, error: Exception | str) -> None:
    """What is still queued is failed, with the reason (after the last retry, or when the
    message cannot be sent at all), and the notification is done."""
    MassRecipient.objects.filter(
        notification_id=notification_id, status=MassRecipient.Status.QUEUED
    ).update(status=MassRecipient.Status.FAILED, error=reason(error))
    MassNotification.objects.filter(pk=notification_id).update(status=MassNotification.Status.DONE)
    update_progress(notification_id)


def unfinished(older_than_seconds: int):
    """Mass notifications still sending whose recipients nobody has touched for a while
    (their worker died, or the broker lost the task): to be queued again."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    return (
        MassNotification.objects.filter(
            status=MassNotification.Status.SENDING, created_at__lte=cutoff
        )
        .annotate(last=Max("recipients__claimed_at"))
        .filter(Q(last__isnull=True) | Q(last__lte=cutoff))
        .values_list("id", flat=True)
    )
