"""Mass notifications (RM.6.1, RM.6.6): subscriber lists per application, imported from
CSV, and the service desk's mass e-mail sent in batches over one SMTP connection each."""

import csv
import io
import smtplib

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMessage, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from raci import services as raci
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict

from .models import MassNotification, MassRecipient, Subscriber

SERVICE_DESK = "ITSM Service Desk"
BATCH_SIZE = 200


def require_service_desk(user) -> None:
    if not raci.holds_party(user, SERVICE_DESK):
        raise PermissionDenied("Only the ITSM Service Desk sends mass notifications.")


@transaction.atomic
def import_subscribers(application, *, by, text: str) -> tuple[int, list[str]]:
    """Add the subscribers of a CSV (columns: email, name). Good rows are kept; each bad
    row is reported with its line number. Returns (added, errors)."""
    require_service_desk(by)
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "email" not in [f.strip().lower() for f in reader.fieldnames]:
        raise ValidationError({"file": "The first line must name the columns: email,name"})
    known = set(application.subscribers.values_list("email", flat=True))
    added, errors = [], []
    for line, row in enumerate(reader, start=2):
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
        email = row.get("email", "").lower()
        try:
            validate_email(email)
        except ValidationError:
            errors.append(f"Line {line}: '{email}' is not an e-mail address.")
            continue
        if email in known:
            errors.append(f"Line {line}: {email} is already subscribed.")
            continue
        known.add(email)
        added.append(Subscriber(application=application, email=email, name=row.get("name", "")))
    Subscriber.objects.bulk_create(added)
    audit.record(
        actor=by,
        action="subscribers_imported",
        obj=application,
        after={"added": len(added), "errors": len(errors)},
    )
    return len(added), errors


def default_message(release, moment: str) -> tuple[str, str]:
    """The service desk's starting text, from the deployment coordinator's request."""
    request = release.notification_requests.filter(moment=moment).order_by("-recorded_at").first()
    if moment == MassNotification.Moment.BEFORE:
        subject = f"{release.application.name}: new release {release.version} to be installed"
    else:
        subject = f"{release.application.name}: release {release.version} " + (
            "rolled back" if release.rollback_plan_used else "available"
        )
    body = request.message if request else ""
    if request and request.disruption:
        body += f"\n\nExpected disruption: {request.disruption}"
    return subject, body


@transaction.atomic
def send_mass_notification(release, *, by, moment: str, subject: str, body: str):
    """The service desk sends the mass e-mail the deployment coordinator asked for
    (RM.6.1 before the installation, RM.6.6 after) to every subscriber of the release's
    application. The sending happens after commit, in batches."""
    from releases.services import lock

    require_service_desk(by)
    release = lock(release)
    if not release.notification_requests.filter(moment=moment).exists():
        code = "RM.6.1" if moment == MassNotification.Moment.BEFORE else "RM.6.6"
        raise Conflict(
            f"The deployment coordinator has not asked for it yet ({code}).", missing=[code]
        )
    if release.mass_notifications.filter(moment=moment).exists():
        raise Conflict("This mass notification has been sent already.")
    subscribers = list(release.application.subscribers.values_list("email", "name"))
    if not subscribers:
        raise Conflict(f"{release.application} has no subscriber: import the list first.")
    notification = MassNotification.objects.create(
        release=release,
        moment=moment,
        subject=subject,
        body=body,
        requested_by=by,
        total=len(subscribers),
    )
    MassRecipient.objects.bulk_create(
        [MassRecipient(notification=notification, email=e, name=n) for e, n in subscribers],
        batch_size=2000,
    )
    audit.record(
        actor=by,
        action="mass_notification_sent",
        obj=notification,
        release=release,
        after={"moment": moment, "subject": subject, "recipients": len(subscribers)},
    )
    from .tasks import send_mass_notification_task

    transaction.on_commit(lambda: send_mass_notification_task.delay(notification.pk))
    return notification


def send_batches(notification_id: int) -> int:
    """Send what is still queued, BATCH_SIZE at a time, one SMTP connection per batch.
    Each batch's outcome and the counters are committed before the next one (also when the
    server goes away mid-batch), so a worker restarted mid-way resumes where it stopped and
    nobody gets the mail twice. Returns how many were sent now."""
    notification = MassNotification.objects.get(pk=notification_id)
    sent_now = 0
    while True:
        error = None
        with transaction.atomic():
            batch = list(
                MassRecipient.objects.select_for_update(skip_locked=True)
                .filter(notification_id=notification_id, status=MassRecipient.Status.QUEUED)
                .order_by("id")[:BATCH_SIZE]
            )
            if not batch:
                break
            done = []
            try:
                with get_connection() as connection:
                    for r in batch:
                        try:
                            connection.send_messages([_message(notification, r)])
                        except smtplib.SMTPRecipientsRefused as exc:
                            r.status, r.error = MassRecipient.Status.FAILED, str(exc)[:500]
                        else:
                            r.status, r.sent_at = MassRecipient.Status.SENT, timezone.now()
                        done.append(r)
            except (smtplib.SMTPException, OSError) as exc:
                error = exc  # the server went away: keep what went out, retry the rest
            MassRecipient.objects.bulk_update(done, ["status", "error", "sent_at"])
            sent = sum(r.status == MassRecipient.Status.SENT for r in done)
            MassNotification.objects.filter(pk=notification_id).update(
                sent=F("sent") + sent, failed=F("failed") + len(done) - sent
            )
            sent_now += sent
        if error is not None:
            raise error
    MassNotification.objects.filter(pk=notification_id).update(status=MassNotification.Status.DONE)
    return sent_now


def _message(notification, recipient) -> EmailMessage:
    return EmailMessage(
        subject=notification.subject,
        body=notification.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.email],
        headers={"Message-ID": recipient.message_id},
    )


def fail_remaining(notification_id: int, error: Exception) -> None:
    """After the last retry: what is still queued is failed, with the reason."""
    remaining = MassRecipient.objects.filter(
        notification_id=notification_id, status=MassRecipient.Status.QUEUED
    )
    count = remaining.update(
        status=MassRecipient.Status.FAILED, error=f"{type(error).__name__}: {error}"[:500]
    )
    MassNotification.objects.filter(pk=notification_id).update(
        failed=F("failed") + count, status=MassNotification.Status.DONE
    )
