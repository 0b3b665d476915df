"""Reads of change management, for the pages and the API alike: what a user may see,
the filtered list, a request's history and conflicts, the change schedule (the forward
schedule of changes of seed 003) and what waits for the change manager."""

from bisect import bisect_left
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.db.models import F, Q
from django.db.models.functions import TruncDate
from django.http import Http404
from django.utils import timezone

from raci import permissions
from releasemgmt.audit.models import AuditEntry
from releasemgmt.windows import overlaps, overlaps_any
from releases.models import Stage

from .models import Advice, CabDecision, CabMeeting, ChangeType, Level, Priority, RfC

S = RfC.Status
#: the fields of an RfC's window, [start, end)
WINDOW = ("planned_start", "planned_end")
#: an RfC with its window given, as the indexes of windows hold them (a range with a
#: missing end never ends)
HAS_WINDOW = Q(planned_start__isnull=False, planned_end__isnull=False)
#: the RfCs whose window is booked: they appear on the change schedule
ON_SCHEDULE = (S.AUTHORISED, S.SCHEDULED)
#: still live: they can collide with another change
LIVE = (S.SUBMITTED, S.ASSESSED, S.AWAITING_CAB, S.AUTHORISED, S.SCHEDULED)


def visible_rfcs(user, queryset=None):
    rfcs = RfC.objects.all() if queryset is None else queryset
    return permissions.visible_rfcs(user, rfcs)


def visible_rfcs_among(user, rfcs):
    """A handful of ``rfcs`` the user may see (``permissions.visible_rfcs_among``)."""
    return permissions.visible_rfcs_among(user, rfcs)


def visible_rfc_or_404(user, reference: str) -> RfC:
    rfc = (
        visible_rfcs_among(user, RfC.objects.all())
        .select_related("release", "requester", "change_model", "raised_at")
        .filter(reference=reference)
        .first()
    )
    if rfc is None:
        raise Http404("No such RfC.")
    return rfc


def _filtered(rfcs, *, status="", change_type="", application=None, risk="", text=""):
    """``rfcs`` narrowed by the list's filters; every filter is an index."""
    if status:
        rfcs = rfcs.filter(status=status)
    if change_type:
        rfcs = rfcs.filter(change_type=change_type)
    if application is not None:
        rfcs = rfcs.filter(applications=application)
    if risk:
        rfcs = rfcs.filter(risk_level=risk)
    text = (text or "").strip()
    if text:
        rfcs = rfcs.filter(Q(reference__iexact=text) | Q(title__icontains=text))
    return rfcs


#: what a row of the RfC list shows, on the page and in the API (and a brief row)
LIST_FIELDS = (
    "reference",
    "title",
    "requester__username",
    "change_type",
    "category",
    "priority",
    "risk_level",
    "planned_start",
    "planned_end",
    "status",
    "complementary",
    "created_at",
    "release__identifier",
    "release__stage",
)


def rfc_list(user, **filters):
    """The RfCs a user may see, newest first, filtered; each row with ``LIST_FIELDS``
    alone (not the texts, risk answers and the release's whole record: issue 17)."""
    rfcs = visible_rfcs(user).select_related("release", "requester").only(*LIST_FIELDS)
    return _filtered(rfcs, **filters).order_by("-id")


def with_application_codes(rfcs) -> list:
    """``rfcs`` as a list, each with ``application_codes`` (what a row shows of the
    applications it affects), read in one query of codes: Django's prefetch made a
    manager and an instance per RfC and application, a fifth of a thread's list page
    at 100,000 releases (issue 17)."""
    rows = list(rfcs)
    codes: dict[int, list[str]] = {row.pk: [] for row in rows}
    affected = RfC.applications.through.objects.filter(rfc_id__in=codes).order_by(
        "application__code"
    )
    for rfc_id, code in affected.values_list("rfc_id", "application__code"):
        codes[rfc_id].append(code)
    for row in rows:
        row.application_codes = codes[row.pk]
    return rows


def rfc_keys(user, **filters):
    """The keys of the RfCs ``rfc_list`` holds, in its order: what the list's pager
    (``Walked``) counts and pages from one walk, the rows of a page read by ``rfc_rows``.
    Counted apart, a thread's count and page each built the set of its 19,000 releases
    (issue 17)."""
    rfcs = _filtered(visible_rfcs(user), **filters)
    return rfcs.order_by("-id").values_list("pk", flat=True)


class RfCRow(SimpleNamespace):
    """A row of the RfC list read as values (``rfc_rows``): the fields of ``LIST_FIELDS``,
    its ``release`` (identifier and stage; None when no release carries it) and
    ``requester`` (username), and the labels of its choices, as the table and the API
    read an RfC's. Made as RfCs with their release and requester, a thread's 50 rows took
    the ORM 9 ms at 100,000 releases; as values, 3 (issue 17)."""

    _LABELS = {
        "change_type": dict(ChangeType.choices),
        "status": dict(RfC.Status.choices),
        "risk_level": dict(Level.choices),
        "priority": dict(Priority.choices),
    }

    def _label(self, name: str) -> str:
        value = getattr(self, name)
        return self._LABELS[name].get(value, value)

    def get_change_type_display(self) -> str:
        return self._label("change_type")

    def get_status_display(self) -> str:
        return self._label("status")

    def get_risk_level_display(self) -> str:
        return self._label("risk_level")

    def get_priority_display(self) -> str:
        return self._label("priority")


def rfc_rows(keys) -> list[RfCRow]:
    """The rows of the RfC list of ``keys`` (found by ``rfc_keys``, so seen by the user),
    newest first as they are: ``LIST_FIELDS`` and the codes of their applications."""
    rows = []
    for values in RfC.objects.filter(pk__in=keys).order_by("-id").values("pk", *LIST_FIELDS):
        identifier, stage = values.pop("release__identifier"), values.pop("release__stage")
        release = SimpleNamespace(identifier=identifier, stage=stage) if identifier else None
        requester = SimpleNamespace(username=values.pop("requester__username"))
        rows.append(RfCRow(**values, release=release, requester=requester))
    return with_application_codes(rows)


def history(rfc):
    """Every audit entry of the request, oldest first."""
    return AuditEntry.objects.filter(object_type="changes.rfc", object_id=str(rfc.pk)).order_by(
        "timestamp", "id"
    )


def conflicts_of(rfc):
    """Other live RfCs on one of its applications whose windows overlap its own: shown
    before the CAB decides (ServiceNow's conflict detection, seed 002's overlap risk)."""
    return _by_start(overlapping([rfc.pk]).get(rfc.pk, []))


#: what a conflict shows of an RfC (its row on an RfC's page, its reference in the API)
CONFLICT_FIELDS = ("reference", "title", "status", "planned_start", "planned_end", "release_id")


def _by_start(ids):
    """The RfCs ``ids`` by start, with the fields a conflict shows: read whole, the
    query's columns cost the ORM 2 ms to compile on every RfC's page (issue 17)."""
    return RfC.objects.filter(pk__in=ids).only(*CONFLICT_FIELDS).order_by("planned_start", "id")


def conflicts_of_seen_by(user, rfc, application_ids) -> tuple[list, int]:
    """``conflicts_of`` as ``user`` sees them: those they may see, and how many others
    there are (counted, not named). The RfC's window and the ids of its applications
    (``application_ids``) are those its page has read already, not asked again; only the
    visible conflicts are read: the others are known by their ids."""
    if rfc.planned_start is None or rfc.planned_end is None:
        return [], 0
    window = {rfc.pk: (rfc.planned_start, rfc.planned_end)}
    others = _overlapping(window, {rfc.pk: set(application_ids)}).get(rfc.pk, [])
    if not others:
        return [], 0
    shown = list(visible_rfcs_among(user, _by_start(others)))
    return shown, len(others) - len(shown)


def _seen_by(user, ids) -> set[int]:
    """Which of the RfCs ``ids`` the user may see (one query)."""
    visible = visible_rfcs_among(user, RfC.objects.filter(pk__in=ids))
    return set(visible.values_list("pk", flat=True))


def overlapping(ids, statuses=LIVE, *, meet=overlaps_any) -> dict[int, list[int]]:
    """For each RfC of ``ids``: the other RfCs in ``statuses`` on one of its applications
    whose window overlaps its own, by planned start, in three queries whatever their
    number. The windows meeting one of theirs are found in one scan of the index of
    windows, then matched on application and window here: matched in the database, each
    window's overlaps on every application (233 of them at 100,000 releases) were joined
    to the applications of all RfCs, 88 ms for the change schedule's page (issue 17)."""
    own = RfC.objects.filter(HAS_WINDOW, pk__in=ids)
    windows = {pk: (start, end) for pk, start, end in own.values_list("pk", *WINDOW)}
    if not windows:
        return {}
    applications = RfC.applications.through.objects
    theirs: dict[int, set[int]] = defaultdict(set)
    for rfc_id, application_id in applications.filter(rfc_id__in=windows).values_list(
        "rfc_id", "application_id"
    ):
        theirs[rfc_id].add(application_id)
    return _overlapping(windows, theirs, statuses, meet=meet)


def _overlapping(windows, theirs, statuses=LIVE, *, meet=overlaps_any) -> dict[int, list[int]]:
    """``overlapping`` of the RfCs whose ``windows`` (id: (start, end)) and applications
    (``theirs``, id: application ids) are known: one query."""
    meeting = RfC.objects.filter(meet(*WINDOW, windows.values()), HAS_WINDOW, status__in=statuses)
    on_each: dict[int, list[tuple]] = defaultdict(list)
    # read from the RfCs meeting one of the windows to their applications: each is read
    # once, with the index of (RfC, application), not looked up again per application
    rows = (
        meeting.filter(applications__in=set().union(*theirs.values()))
        .order_by()
        .values_list("applications", *WINDOW, "pk")
    )
    for application_id, *window in rows:
        on_each[application_id].append(tuple(window))
    on_each = {application_id: Windows(found) for application_id, found in on_each.items()}
    found: dict[int, list[int]] = {}
    for rfc_id, (start, end) in windows.items():
        others = {
            other: other_start
            for application_id in theirs[rfc_id]
            if application_id in on_each
            for other_start, other in on_each[application_id].meeting(start, end)
            if other != rfc_id
        }
        if others:
            found[rfc_id] = sorted(others, key=lambda other: (others[other], other))
    return found


class Windows:
    """The windows ``(start, end, id)`` of one application, sorted by start, asked which
    meet a window: those starting before it ends and no earlier than its start less the
    longest of them, found by bisection. A CAB's agenda of 600 RfCs meets 12,000 windows
    over two months at 10,000 releases; compared each with each, they cost the meeting's
    page 50 ms (issue 17)."""

    def __init__(self, windows: list[tuple]):
        self.windows = sorted(windows)
        self.starts = [start for start, _, _ in self.windows]
        self.longest = max(end - start for start, end, _ in self.windows)

    def meeting(self, start, end):
        """(start, id) of each window that overlaps [start, end)."""
        low = bisect_left(self.starts, start - self.longest)
        high = bisect_left(self.starts, end)
        return [(s, key) for s, e, key in self.windows[low:high] if e > start]


#: conflicts shown per request on a list; the rest are counted
SHOWN_CONFLICTS = 5


class Overlap(NamedTuple):
    """A conflicting RfC as a list names it."""

    pk: int
    reference: str


def conflicts_among(rfcs, shown: int = SHOWN_CONFLICTS) -> dict[int, tuple[list[Overlap], int]]:
    """``conflicts_of`` for several requests at once (a CAB's agenda) in two queries
    whatever their number: request id -> (the first ``shown`` conflicting RfCs, how many
    there are in all). The conflicting ones are read as their references: read as whole
    RfCs, the 125 of a CAB agenda's page took a tenth of its time (issue 17)."""
    found = overlapping([r.pk for r in rfcs if r.planned_start and r.planned_end])
    wanted = {other for others in found.values() for other in others[:shown]}
    objects = {
        pk: Overlap(pk, reference)
        for pk, reference in RfC.objects.filter(pk__in=wanted).values_list("id", "reference")
    }
    return {
        rfc_id: ([objects[o] for o in others[:shown]], len(others))
        for rfc_id, others in found.items()
    }


def conflicts_seen_by(user, rfcs) -> dict[int, tuple[list[Overlap], int]]:
    """``conflicts_among`` as ``user`` sees them: request id -> (the first conflicting
    RfCs the user may see, how many others there are: those they may not see, and
    those past the first few)."""
    conflicts = conflicts_among(rfcs)
    seen = _seen_by(user, {c.pk for found, _ in conflicts.values() for c in found})
    answer = {}
    for rfc_id, (found, total) in conflicts.items():
        shown = [c for c in found if c.pk in seen]
        answer[rfc_id] = (shown, total - len(shown))
    return answer


@dataclass
class Slot:
    """One change on the schedule, with the changes it overlaps on the same application
    (the first few, and how many in all)."""

    rfc: RfC
    applications: list = field(default_factory=list)
    overlaps: list = field(default_factory=list)
    overlap_count: int = 0


#: the most changes the API's schedule answers with; a narrower range or an application
#: shows the rest
SCHEDULE_LIMIT = 100
#: changes per page of the schedule's web page
SCHEDULE_PAGE = 50
#: the most changes one export of the schedule holds
SCHEDULE_EXPORT_LIMIT = 1_000


#: what a change on the schedule shows (its row on the page, in the export and the API):
#: read whole with their releases, the page's fifty rows and their overlaps made a
#: quarter of its time (issue 17); the release's stage, which django-fsm reads as a
#: release is made
SCHEDULE_FIELDS = (
    "reference",
    "title",
    "status",
    "change_type",
    "planned_start",
    "planned_end",
    "outage_start",
    "outage_end",
    "outage_description",
    "release__identifier",
    "release__stage",
)


def schedule_rfcs(user, *, start=None, end=None, application=None):
    """The forward schedule of changes: authorised and scheduled RfCs whose window meets
    [start, end) (the next 90 days unless given), by planned start, with
    ``SCHEDULE_FIELDS``."""
    start = start or timezone.now() - timedelta(days=1)
    end = end or start + timedelta(days=90)
    rfcs = (
        visible_rfcs(user)
        # by planned start, as the partial index on it reads them: a page is found
        # without reading the rest
        .filter(HAS_WINDOW, status__in=ON_SCHEDULE)
        .filter(meeting_span(start, end))
        .select_related("release")
        .only(*SCHEDULE_FIELDS)
        .order_by("planned_start", "id")
    )
    if application is not None:
        rfcs = rfcs.filter(applications=application)
    return rfcs


def meeting_span(start, end) -> Q:
    """RfCs on the change schedule whose window meets [start, end) (the schedule, the
    calendar), as the index of planned starts reads them: those starting in the span,
    and those open at its start, which started no earlier than the earliest of them.
    Said as "ends after the start", the planner took the ends for independent of the
    starts, expected 46 windows of 13,000 and sorted them all (issue 17)."""
    earliest = _earliest_open_at(start)
    meeting = Q(planned_start__gte=earliest, planned_start__lt=end)
    if earliest < start:  # a window starting in the span ends after it starts (RfC.Meta)
        meeting &= Q(planned_start__gte=start) | Q(planned_end__gt=start)
    return meeting


def _earliest_open_at(moment):
    """The start of the earliest booked window still open at ``moment`` (``moment`` when
    none is): where the schedule's index is read from. Read from the start of the index,
    the windows booked before ``moment`` and long over were read to be left out (35,000
    at 100,000 releases, 21 ms; issue 17); the windows open at a moment are few and the
    index of windows finds them."""
    instant = overlaps(*WINDOW, moment, moment + timedelta(microseconds=1))
    open_then = RfC.objects.filter(instant, HAS_WINDOW, status__in=ON_SCHEDULE)
    # their starts, not MIN(): PostgreSQL would answer MIN() by reading the index of
    # starts from the first, back to the same 35,000; in no order (the model's would sort
    # them by id for nothing)
    starts = open_then.order_by().values_list("planned_start", flat=True)
    return min(starts, default=moment)


def slots_of(user, rows) -> list[Slot]:
    """Each change of ``rows`` flagged with the scheduled changes it overlaps on one of
    its applications (those the user may see), in a fixed number of queries."""
    rows = with_application_codes(rows)
    found = overlapping([r.pk for r in rows], ON_SCHEDULE)
    # the overlapping changes the user may see, by their references alone
    shown = RfC.objects.filter(pk__in={o for v in found.values() for o in v[:SHOWN_CONFLICTS]})
    objects = {
        pk: Overlap(pk, reference)
        for pk, reference in visible_rfcs_among(user, shown).values_list("pk", "reference")
    }
    return [
        Slot(
            r,
            r.application_codes,
            [objects[o] for o in found.get(r.pk, [])[:SHOWN_CONFLICTS] if o in objects],
            len(found.get(r.pk, [])),
        )
        for r in rows
    ]


def change_schedule(user, *, start=None, end=None, application=None) -> list[Slot]:
    """The first SCHEDULE_LIMIT changes of the schedule, flagged (a fixed number of
    queries)."""
    rows = schedule_rfcs(user, start=start, end=end, application=application)
    return slots_of(user, list(rows[:SCHEDULE_LIMIT]))


def next_meeting():
    return CabMeeting.objects.filter(starts_at__gte=timezone.now()).order_by("starts_at").first()


#: what a brief row of RfCs shows (changes/_rfc_brief.jinja), in ``Brief``'s order
BRIEF_FIELDS = (
    "pk",
    "reference",
    "title",
    "change_type",
    "status",
    "planned_start",
    "release__identifier",
    "release__stage",
)
_CHANGE_TYPES = dict(ChangeType.choices)
_STATUSES = dict(S.choices)
_STAGES = dict(Stage.choices)


class Brief(NamedTuple):
    """An RfC as a brief row shows it, read as values (``BRIEF_FIELDS``): the lists of the
    change manager's page made a hundred RfCs and their releases, a fifth of its time,
    after their texts and risk answers had been left out (issue 17)."""

    pk: int
    reference: str
    title: str
    change_type: str
    status: str
    planned_start: datetime | None
    release_identifier: str | None
    release_stage: str | None

    def get_change_type_display(self) -> str:
        return _CHANGE_TYPES.get(self.change_type, self.change_type)

    def get_status_display(self) -> str:
        return _STATUSES.get(self.status, self.status)

    def get_release_stage_display(self) -> str:
        return _STAGES.get(self.release_stage, self.release_stage or "")


def briefs(rfcs, limit: int) -> list[Brief]:
    """The first ``limit`` of ``rfcs`` (in their order) as brief rows."""
    return [Brief(*row) for row in rfcs.values_list(*BRIEF_FIELDS)[:limit]]


def change_manager_work(user, limit: int = 20) -> dict:
    """What waits for the change manager: RfCs to assess, those awaiting the CAB and
    those whose decision is overdue, the next CAB, reviews owed and RfCs whose release
    is in trouble (each a brief row, ``Brief``)."""
    rfcs = visible_rfcs(user)
    # in trouble: rolled back, sent back by a NOGO, or installing after the RfC's window
    in_trouble = (
        rfcs.filter(status=S.SCHEDULED)
        .annotate(end_day=TruncDate("planned_end"))
        .filter(
            Q(release__stage=Stage.ROLLED_BACK)
            | Q(failed_attempts__gt=0)
            | Q(release__stage=Stage.RECEIVING, release__round_started_at__isnull=False)
            | Q(release__planned_installation_date__gt=F("end_day"))
        )
    )
    reviews = rfcs.filter(status=S.IMPLEMENTED).filter(
        Q(change_type=ChangeType.EMERGENCY)
        | Q(retrospective=True)
        | Q(failed_attempts__gt=0)
        | Q(change_model__review_required=True)
    )
    return {
        "to_assess": briefs(rfcs.filter(status=S.SUBMITTED).order_by("submitted_at", "id"), limit),
        "overdue": _overdue(rfcs, limit),
        "awaiting_cab": briefs(rfcs.filter(status=S.AWAITING_CAB).order_by("id"), limit),
        "reviews_owed": briefs(reviews.order_by("implemented_at", "id"), limit),
        "in_trouble": briefs(in_trouble.order_by("id"), limit),
        "next_meeting": next_meeting(),
    }


def _overdue(rfcs, limit: int) -> list[Brief]:
    """The undecided ``rfcs`` whose change model sets a limit (the ECAB decides within
    hours) and whose decision is due (``RfC.decision_due_at``), the earliest submitted
    first."""
    timed = rfcs.filter(
        status__in=(S.SUBMITTED, S.ASSESSED, S.AWAITING_CAB),
        change_model__decision_within_hours__gt=0,
        submitted_at__isnull=False,
    ).order_by("submitted_at", "id")
    now = timezone.now()
    return [
        Brief(*row)
        for *row, submitted_at, hours in timed.values_list(
            *BRIEF_FIELDS, "submitted_at", "change_model__decision_within_hours"
        )[:limit]
        if RfC.decision_due(submitted_at, hours) < now
    ]


def meetings(user):
    """CAB meetings: ITSM staff see them all; others those they sit on and those that
    heard an RfC of theirs (their minutes reach them)."""
    qs = CabMeeting.objects.select_related("chair").order_by("-starts_at", "-id")
    if permissions.may_manage_changes(user) or permissions.sees_all_releases(user):
        return qs
    seated = CabMeeting.objects.filter(members__user=user).values("pk")
    heard = CabMeeting.objects.filter(agenda__rfc__requester=user).values("pk")
    return qs.filter(Q(pk__in=seated) | Q(pk__in=heard))


#: what a row of a meeting's agenda shows of its RfC (changes/_agenda_rows.jinja)
AGENDA_RFC_FIELDS = (
    "reference",
    "title",
    "change_type",
    "status",
    "risk_level",
    "priority",
    "planned_start",
    "planned_end",
    "outage_start",
    "outage_end",
)


def agenda_of(meeting):
    """The meeting's agenda in its order, each item with its RfC's ``AGENDA_RFC_FIELDS``:
    read whole, with every application, the 25 RfCs of a page and their applications
    were a fifth of the meeting's page (issue 17)."""
    # its meeting too: the related manager sets each item's meeting by its id
    return meeting.agenda.select_related("rfc").only(
        "meeting", "rfc", "position", *(f"rfc__{name}" for name in AGENDA_RFC_FIELDS)
    )


class Advised(NamedTuple):
    """An advice as the agenda shows it: who gave it, the verdict's label, the comment."""

    member_id: int
    who: str
    verdict: str
    comment: str


class Decided(NamedTuple):
    """A CAB decision as the agenda shows it."""

    outcome: str
    conditions: str
    who: str
    decided_at: object


def heard(meeting, rfc_ids) -> tuple[dict[int, list[Advised]], dict[int, Decided]]:
    """The advice given at the meeting on each of ``rfc_ids`` (in the order given) and
    its decision on each (the last), as the agenda shows them: two queries of values,
    not advice and decisions made as instances with their whole users (issue 17)."""
    verdicts, outcomes = dict(Advice.Verdict.choices), dict(CabDecision.Outcome.choices)
    named = get_user_model().named
    advice, decisions = {}, {}
    given = meeting.advice.filter(rfc_id__in=rfc_ids).values_list(
        "rfc_id", "member_id", *_person("member"), "verdict", "comment"
    )
    for rfc_id, member_id, first, last, username, verdict, comment in given:
        who = named(first, last, username)
        advice.setdefault(rfc_id, []).append(
            Advised(member_id, who, verdicts.get(verdict, verdict), comment)
        )
    taken = meeting.decisions.filter(rfc_id__in=rfc_ids).values_list(
        "rfc_id", "outcome", "conditions", *_person("decided_by"), "decided_at"
    )
    for rfc_id, outcome, conditions, first, last, username, decided_at in taken:
        who = named(first, last, username)
        decisions[rfc_id] = Decided(outcomes.get(outcome, outcome), conditions, who, decided_at)
    return advice, decisions


def _person(field: str) -> list[str]:
    return [f"{field}__{name}" for name in ("first_name", "last_name", "username")]


def meeting_or_404(user, pk) -> CabMeeting:
    meeting = meetings(user).filter(pk=pk).first()
    if meeting is None:
        raise Http404("No such meeting.")
    return meeting


def authorised_to_include(limit: int = 200):
    """RM.1.1's picker: authorised RfCs no release carries yet, newest first."""
    return RfC.objects.filter(status=S.AUTHORISED, release__isnull=True).order_by("-id")[:limit]
