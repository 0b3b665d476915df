"""Reads of the start pages that span rooms (fixed queries each)."""

from releasemgmt.notifications.models import Communication, Recipient
from releases.stages import Stage

#: how many of the mails that asked something of the user the start page lists
ASKED_SHOWN = 10


def asked_of(user, limit: int = ASKED_SHOWN):
    """The newest mails that asked this user, as an addressee (not in copy), to act on a
    release still open: what the process told them to do. The (user, communication) index
    gives them in id order."""
    return (
        Recipient.objects.filter(
            user=user,
            role=Recipient.Role.TO,
            communication__kind=Communication.Kind.PROCESS,
        )
        .exclude(communication__release__stage__in=[Stage.CLOSED, Stage.CANCELLED])
        .select_related("communication__release")
        .order_by("-communication_id")[:limit]
    )
