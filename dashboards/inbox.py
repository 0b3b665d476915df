"""The inbox's reads: a user's messages, newest first, filtered by release, kind, read
state and whether they concern something the user still owes now; and the counts the
navigation shows. The outbox (releasemgmt.notifications) knows nothing of the process,
so what a user owes is settled here, from the start page's own selectors.

None of it counts or sorts all of a user's messages: the rows come from the (user,
communication) indexes newest first, a page at a time (one row more says there is a next
page), and the unread are counted up to a bound."""

from dataclasses import dataclass
from datetime import datetime

from django.http import Http404

from deployments.models import DECISION_ACTIVITY
from deployments.selectors import owed_decisions
from releasemgmt.conditions import PairAmong
from releasemgmt.notifications.models import Recipient
from releases.models import Release
from releases.selectors import waiting_for

#: messages on a page of the inbox and of its API
PER_PAGE = 50
#: the navigation counts the unread up to this, then says "or more"
UNREAD_COUNTED = 99
#: how many open activities and owed decisions are looked at for "needs action"
OWED_LOOKED_AT = 200
#: the navigation counts the actions owed up to this, as the unread: it is asked on
#: every page, and settling a business thread's decisions owed up to 200 rather than 99
#: cost 6 to 15 ms more (issue 17)
ACTIONS_COUNTED = 99


#: the deepest page the inbox pages to (its offset stays a number the database takes)
LAST_PAGE = 100_000


def release_problem(identifier: str) -> str | None:
    """Why a release filter is no identifier: text that arrived as something other than
    UTF-8 (a lone surrogate among it) is decoded to replacement characters."""
    if "\ufffd" in identifier:
        return "Not a release identifier: the text was not valid UTF-8."
    return None


@dataclass(frozen=True)
class Filters:
    """What the inbox shows: every message, or those of one release (its identifier), of
    one kind, unread only, or only those about something the user owes now."""

    release: str = ""
    kind: str = ""
    unread: bool = False
    needs_action: bool = False

    @classmethod
    def of(cls, values: dict) -> "Filters":
        """From a valid form's or query's values ("yes" for the two boxes)."""
        return cls(
            release=values.get("release") or "",
            kind=values.get("kind") or "",
            unread=values.get("unread") in ("yes", True),
            needs_action=values.get("needs_action") in ("yes", True),
        )

    def query(self) -> dict:
        """As the query string of the inbox (the pager and the forms keep them)."""
        values = {
            "release": self.release,
            "kind": self.kind,
            "unread": "yes" if self.unread else "",
            "needs_action": "yes" if self.needs_action else "",
        }
        return {k: v for k, v in values.items() if v}


@dataclass(frozen=True)
class Owed:
    """What the user owes now: (release id, activity code) of each open activity they are
    R or A for and of each decision their business thread owes, and how many."""

    pairs: frozenset
    count: int
    more: bool  # more than the bound: the count is a floor


def owed_now(user, releases=None, bound: int = OWED_LOOKED_AT) -> Owed:
    """The open activities (``waiting_for``) and owed decisions (``owed_decisions``) of
    the user, each list read up to ``bound``: a fixed number of queries. ``releases``
    (ids) narrows both to those releases: what a page of messages is about."""
    activities = list(
        waiting_for(user, releases)
        .values_list("release_id", "activity__code")
        .order_by()[: bound + 1]
    )
    decisions = owed_decisions(user, limit=bound + 1, dated=False, releases=releases)
    more = len(activities) > bound or len(decisions) > bound
    activities, decisions = activities[:bound], decisions[:bound]
    pairs = set(activities) | {(d["release"].pk, DECISION_ACTIVITY[d["kind"]]) for d in decisions}
    return Owed(frozenset(pairs), len(activities) + len(decisions), more)


def _release_id(identifier: str) -> int:
    """The release's id (0, which no release has, for an unknown identifier: its filter
    shows nothing, and says nothing of releases the user may not see)."""
    found = Release.objects.filter(identifier=identifier).values_list("id", flat=True).first()
    return found or 0


def messages(user, filters: Filters, owed: Owed | None = None):
    """The user's messages (their recipient rows, with the communication and its release;
    ``ROW_FIELDS`` of them for a page), newest first. With ``needs_action``, ``owed``
    must be given: only the messages about one of its (release, activity) pairs, a small
    set the database looks up directly."""
    rows = Recipient.objects.filter(user=user)
    if filters.unread:
        rows = rows.filter(read_at__isnull=True)
    if filters.release:
        rows = rows.filter(communication__release_id=_release_id(filters.release))
    if filters.kind:
        rows = rows.filter(communication__kind=filters.kind)
    if filters.needs_action:
        pairs = owed.pairs if owed else frozenset()
        if not pairs:
            return rows.none()
        # the pairs as two arrays: a condition per activity with its releases took
        # Django 13 ms to build and compile for 200 pairs (``PairAmong``)
        rows = rows.filter(PairAmong("communication__release_id", "communication__activity", pairs))
    # Ids follow creation: the (user, communication) indexes give the newest first
    # without sorting all of a busy user's rows.
    return rows.select_related("communication__release").order_by("-communication_id", "-id")


#: what a row of the inbox reads of its recipient row, communication and release, in
#: the order of ``MessageRow``'s fields
ROW_FIELDS = (
    "id",
    "read_at",
    "status",
    "last_error",
    "communication__subject",
    "communication__body",
    "communication__link",
    "communication__activity",
    "communication__kind",
    "communication__created_at",
    "communication__release_id",
    "communication__release__identifier",
)
_STATUS_LABELS = dict(Recipient.Status.choices)


@dataclass
class MessageRow:
    """A message as the inbox and its API show it: read as values, not as a recipient,
    a communication and a release with its state machine each (issue 17: the inbox's
    50 rows spent more making instances than reading them)."""

    id: int
    read_at: datetime | None
    status: str
    last_error: str
    subject: str
    body: str
    link: str
    activity: str
    kind: str
    created_at: datetime
    release_id: int | None
    release: str | None  # its identifier
    needs_action: bool = False

    @property
    def pk(self) -> int:
        return self.id

    def get_status_display(self) -> str:
        return _STATUS_LABELS.get(self.status, self.status)

    @classmethod
    def of(cls, recipient: Recipient) -> "MessageRow":
        """One recipient row, as the lists show it (the API's answer to a mark)."""
        c = recipient.communication
        return cls(
            recipient.pk,
            recipient.read_at,
            recipient.status,
            recipient.last_error,
            c.subject,
            c.body,
            c.link,
            c.activity,
            c.kind,
            c.created_at,
            c.release_id,
            c.release.identifier if c.release_id else None,
        )


def message(user, pk) -> Recipient:
    """One of the user's messages; another user's, or none, is a 404 alike."""
    found = (
        Recipient.objects.filter(user=user, pk=pk).select_related("communication__release").first()
    )
    if found is None:
        raise Http404("No such message.")
    return found


@dataclass
class Window:
    """One page of a list read without counting it: its rows and whether pages come
    before and after."""

    rows: list
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(rows, number, per_page: int = PER_PAGE) -> Window:
    """Page ``number`` (1 for anything that is not a page number) of ``rows``: one row
    more than the page is read, to know whether a next page exists."""
    try:
        number = min(max(1, int(number)), LAST_PAGE)
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    found = list(rows[start : start + per_page + 1])
    return Window(found[:per_page], number, len(found) > per_page)


def needing_action(rows, owed: Owed) -> list:
    """The page's rows, each marked ``needs_action`` if it concerns what the user owes."""
    for row in rows:
        row.needs_action = (row.release_id, row.activity) in owed.pairs
    return rows


def inbox_page(user, filters: Filters, number: int | None) -> Window:
    """A page of the user's messages (``messages``, ``page_of``), each row marked
    ``needs_action`` if it is about what the user owes now. Only the "needs action"
    filter needs everything owed; otherwise what is owed is read for the page's releases
    alone: a business thread owing 200 decisions spent nearly three quarters of its
    inbox (sampled) settling them to mark at most 50 rows (issue 17)."""
    owed = owed_now(user) if filters.needs_action else None
    page = page_of(messages(user, filters, owed).values_list(*ROW_FIELDS), number)
    page.rows = [MessageRow(*values) for values in page.rows]
    if owed is None:
        about = {r.release_id for r in page.rows} - {None}
        owed = owed_now(user, releases=about) if about else Owed(frozenset(), 0, False)
    needing_action(page.rows, owed)
    return page


@dataclass(frozen=True)
class Counts:
    unread: int
    unread_more: bool  # more than UNREAD_COUNTED
    actions_owed: int
    actions_more: bool


def counts(user) -> Counts:
    """The navigation's counts: the unread and the actions owed now, each up to a bound."""
    unread = (
        Recipient.objects.filter(user=user, read_at__isnull=True)
        .order_by()
        .values("id")[: UNREAD_COUNTED + 1]
        .count()
    )
    owed = owed_now(user, bound=ACTIONS_COUNTED)
    return Counts(
        min(unread, UNREAD_COUNTED),
        unread > UNREAD_COUNTED,
        min(owed.count, ACTIONS_COUNTED),
        owed.more or owed.count > ACTIONS_COUNTED,
    )
