"""The outbox: a communication and its addressees, written in the caller's transaction
(so it exists exactly when the change that causes it does) and sent after commit.
Who is addressed and what is said is the domain's business; this only keeps and sends."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from .models import Communication, Preference, Recipient
from .tasks import enqueue


@dataclass(frozen=True)
class Attachment:
    """A text file sent with a communication: its name, its content type (with
    parameters: ``text/calendar; method=REQUEST``) and its text."""

    name: str
    content_type: str
    text: str


def post(
    *,
    release,
    activity: str,
    kind,
    interface: str,
    subject: str,
    body: str,
    link: str,
    by,
    to_users,
    cc_users=(),
    attachment: Attachment | None = None,
    personal: tuple[str, object] | None = None,
    reply_to: str = "",
) -> Communication:
    """Write one communication to ``to_users`` (and ``cc_users`` not already in it) and
    queue its sending after commit. Informational notices (``Kind.INFORMED``) stay in the
    tool for users who turned them off by e-mail. An ``attachment`` is kept with it, in
    the same transaction, and sent with every e-mail. With ``personal`` (a purpose and
    its object), each addressee's e-mail links to a personal link of that purpose, made
    as it is sent: the secret is never kept in the outbox. ``reply_to`` is the Reply-To
    address of its e-mails (a reply the tool reads)."""
    comm = Communication.objects.create(
        release=release,
        activity=activity,
        kind=kind,
        interface=interface,
        subject=subject,
        body=body,
        link=link,
        created_by=by,
        attachment_name=attachment.name if attachment else "",
        attachment_type=attachment.content_type if attachment else "",
        attachment=attachment.text if attachment else "",
        personal_purpose=personal[0] if personal else "",
        personal_target_type=ContentType.objects.get_for_model(personal[1]) if personal else None,
        personal_target_id=personal[1].pk if personal else None,
        reply_to=reply_to,
    )
    to_users = list(to_users)
    cc_users = [u for u in cc_users if u not in to_users]
    quiet = set()
    if kind == Communication.Kind.INFORMED:
        quiet = set(
            Preference.objects.filter(user__in=to_users, email_informed=False).values_list(
                "user_id", flat=True
            )
        )

    def row(user, role):
        status = Recipient.Status.IN_APP if user.pk in quiet else Recipient.Status.QUEUED
        return Recipient(communication=comm, user=user, role=role, status=status)

    Recipient.objects.bulk_create(
        [row(u, Recipient.Role.TO) for u in to_users]
        + [row(u, Recipient.Role.CC) for u in cc_users]
    )
    transaction.on_commit(lambda: enqueue(comm.pk))
    return comm


# --- the addressee's reading (not a business action: no audit entry, no event) -------


def mark_read(recipient: Recipient) -> Recipient:
    """The addressee opened the message: the first reading is kept, a second changes
    nothing."""
    if recipient.read_at is None:
        recipient.read_at = timezone.now()
        Recipient.objects.filter(pk=recipient.pk, read_at__isnull=True).update(
            read_at=recipient.read_at
        )
    return recipient


def mark_unread(recipient: Recipient) -> Recipient:
    """The addressee wants it back among the unread, to come back to it."""
    recipient.read_at = None
    Recipient.objects.filter(pk=recipient.pk).update(read_at=None)
    return recipient


def mark_all_read(recipients) -> int:
    """Mark read the unread among ``recipients`` (a user's rows, as a filter shows them);
    how many were unread."""
    return recipients.filter(read_at__isnull=True).update(read_at=timezone.now())


def set_preference(*, user, email_informed: bool) -> Preference:
    """Whether informational notices (the I of Table 4-1) also come by e-mail."""
    preference, _ = Preference.objects.update_or_create(
        user=user, defaults={"email_informed": email_informed}
    )
    return preference
