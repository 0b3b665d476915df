"""Sending the outbox: after commit, by Celery, one SMTP connection per communication,
each recipient row locked, sent and marked in its own transaction so that a retry or a
redelivered task skips what went out already. Nothing here runs in a user's request
unless tasks are eager (the embedded default)."""

import logging
from email.mime.text import MIMEText

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F
from django.template.loader import get_template
from django.utils import timezone

from releasemgmt.accounts import personal_links

from .models import Communication, Recipient

log = logging.getLogger(__name__)


def render(recipient: Recipient) -> EmailMultiAlternatives:
    """The e-mail of one recipient: what the communication says (written by the domain
    when it was recorded) in the outbox's layout (templates/notifications/)."""
    comm = recipient.communication
    context = {
        "communication": comm,
        "recipient": recipient.user,
        "url": settings.SITE_URL.rstrip("/") + personal_path(recipient),
    }
    text = get_template("notifications/mail.txt").render(context)
    html = get_template("notifications/mail.html").render(context)
    message = EmailMultiAlternatives(
        subject=comm.subject,
        body=text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.user.email],
        headers={"Message-ID": recipient.message_id},
        reply_to=[comm.reply_to] if comm.reply_to else None,
    )
    message.attach_alternative(html, "text/html")
    if comm.attachment_type:
        message.attach(attachment_part(comm))
    return message


def personal_path(recipient: Recipient) -> str:
    """Where the recipient's e-mail links to: the communication's page, or, for one that
    asks for a personal link, a new link of the recipient's own (made in the transaction
    that marks the row sent: a failed send keeps none)."""
    comm = recipient.communication
    if not comm.personal_purpose:
        return comm.link
    target = comm.personal_target_type.get_object_for_this_type(pk=comm.personal_target_id)
    _, token = personal_links.issue(
        recipient.user, comm.personal_purpose, target, by=comm.created_by
    )
    return personal_links.path_of(token)


def attachment_part(comm: Communication) -> MIMEText:
    """The communication's attachment as a MIME part: its content type with its
    parameters (a meeting request's ``method=REQUEST``), its file name, UTF-8 text."""
    kind, *params = [p.strip() for p in comm.attachment_type.split(";") if p.strip()]
    part = MIMEText(comm.attachment, "plain", "utf-8")
    part.replace_header("Content-Type", kind)
    part.set_param("charset", "utf-8")
    for param in params:
        name, _, value = param.partition("=")
        part.set_param(name.strip(), value.strip().strip('"'))
    part.add_header("Content-Disposition", "attachment", filename=comm.attachment_name or "file")
    return part


def deliver(communication_id: int) -> int:
    """Send every queued recipient of the communication over one SMTP connection.
    Returns how many were sent. SMTP errors propagate (the task retries)."""
    queued = Recipient.objects.filter(
        communication_id=communication_id, status=Recipient.Status.QUEUED
    )
    ids = list(queued.values_list("id", flat=True))
    if not ids:
        return 0
    sent = 0
    with get_connection() as connection:
        for rid in ids:
            with transaction.atomic():
                recipient = (
                    Recipient.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("communication", "user")
                    .filter(pk=rid, status=Recipient.Status.QUEUED)
                    .first()
                )
                if recipient is None:  # sent meanwhile, or being sent by another worker
                    continue
                if not recipient.user.email:
                    recipient.status = Recipient.Status.FAILED
                    recipient.last_error = "The user has no e-mail address."
                    recipient.save(update_fields=["status", "last_error"])
                    continue
                connection.send_messages([render(recipient)])
                recipient.status = Recipient.Status.SENT
                recipient.sent_at = timezone.now()
                recipient.attempts = F("attempts") + 1
                recipient.save(update_fields=["status", "sent_at", "attempts"])
                sent += 1
    return sent


def note_failure(communication_id: int, error: Exception, *, final: bool) -> None:
    """Record a failed attempt on the rows still queued; on the last one, mark them failed."""
    queued = Recipient.objects.filter(
        communication_id=communication_id, status=Recipient.Status.QUEUED
    )
    changes = {"attempts": F("attempts") + 1, "last_error": f"{type(error).__name__}: {error}"}
    if final:
        changes["status"] = Recipient.Status.FAILED
    queued.update(**changes)


def owed_communications(older_than_seconds: int = 60):
    """Communications with recipients still queued (for the periodic flush)."""
    cutoff = timezone.now() - timezone.timedelta(seconds=older_than_seconds)
    return (
        Communication.objects.filter(
            recipients__status=Recipient.Status.QUEUED, created_at__lte=cutoff
        )
        .distinct()
        .values_list("id", flat=True)
    )
