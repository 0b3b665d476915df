"""Reads of the start pages that span rooms (fixed queries each)."""

from deployments.selectors import owed_decisions_page
from releasemgmt.notifications.models import Communication, Recipient
from releases.due_dates import with_due_dates
from releases.selectors import first_waiting
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


#: how many open activities and owed decisions the owed list gives of each
OWED_LISTED = 50


def owed_by(user, limit: int | None = None) -> dict:
    """What the user owes now with its due date, the earliest due first: the open
    activities they are R or A for (each a record with ``due_date`` and ``lateness``) and
    the decisions their business thread owes, up to ``limit`` of each, and whether more
    of either are owed (``more_activities``, ``more_decisions``); a fixed number of
    queries."""
    limit = limit or OWED_LISTED
    activities = with_due_dates(first_waiting(user, limit + 1))
    decisions = owed_decisions_page(user, 0, limit)
    return {
        "activities": activities[:limit],
        "more_activities": len(activities) > limit,
        "decisions": decisions.owed,
        "more_decisions": decisions.more,
    }
