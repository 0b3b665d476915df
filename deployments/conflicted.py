"""Which of many installations have a conflict, for the calendar: the rules of
``deployments.conflicts`` (same application, blackout, maintenance windows, booked
coordinator, authorised changes) applied to every installation window at once, in at
most four queries whatever their number, where ``conflicts_of`` spends a few per
release. It says only whether an installation has a conflict; the release page says
which."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection
from django.db.models import OuterRef, Q, Subquery

from changes.models import RfC
from raci.models import Assignment, Party
from raci.permissions import Parties
from releasemgmt.windows import overlaps_any
from releases.models import Milestone, Stage, Window
from releases.planning import occurrences

#: the stages of a release still to install: its installation can collide
STILL_TO_INSTALL = [s for s in Stage.values if s not in (Stage.CLOSED, Stage.CANCELLED)]


@dataclass(frozen=True)
class Installation:
    release_id: int
    application_id: int
    starts_at: datetime
    ends_at: datetime


def _overlap(a_start, a_end, b_start, b_end) -> bool:
    return a_start < b_end and a_end > b_start


def _window_meets(start: str, end: str, spans) -> Q:
    """An RfC's window (planned, or its outage) that is given and meets one of ``spans``,
    as the indexes of the schedule's windows hold them (``changes`` migration 0009)."""
    given = Q(**{f"{start}__isnull": False, f"{end}__isnull": False})
    return overlaps_any(start, end, spans) & given


def conflicted(installations: list[Installation]) -> set[int]:
    """The release ids among ``installations`` whose installation window has at least
    one conflict by the rules of ``deployments.conflicts``. Only whether there is one:
    each rule asks about the installations the rules before it left unflagged, the
    cheapest rules first. In a thread's busy month every installation meets another, and
    reading the 3,200 changes that also met them was half the calendar's time (issue 17)."""
    flagged = _colliding(installations)
    for rule in (_in_closed_windows, _meeting_changes):
        rest = [i for i in installations if i.release_id not in flagged]
        if not rest:
            break
        flagged |= rule(rest)
    return flagged


def _colliding(installations: list[Installation]) -> set[int]:
    """Same application, or the same deployment coordinator: the installations still to
    come meeting one of theirs, each with its release's named coordinator, swept in the
    database (one query, ``SWEEP``)."""
    if not installations:
        return set()
    # the windows meeting one of the installations', not all those from the first to
    # the last: a thread's month at 100,000 releases read 3,200 changes for 120
    # installations (issue 17)
    spans = [(i.starts_at, i.ends_at) for i in installations]
    # the party asked once (PostgreSQL: an InitPlan), not joined for each installation
    party = Party.objects.filter(name=Parties.DEPLOYMENT_COORDINATOR).values("id")[:1]
    coordinator = (
        Assignment.objects.filter(
            release_id=OuterRef("release_id"),
            party_id=Subquery(party),
            user__isnull=False,
        )
        .order_by("id")
        .values("user_id")[:1]
    )
    others = (
        Milestone.objects.filter(
            overlaps_any("starts_at", "ends_at", spans),
            kind=Milestone.Kind.INSTALLATION,
            release__stage__in=STILL_TO_INSTALL,
        )
        .annotate(coordinator=Subquery(coordinator))
        .order_by()
        .values_list("release_id", "release__application_id", "starts_at", "ends_at", "coordinator")
    )
    sql, params = others.query.sql_with_params()
    ours = sorted({i.release_id for i in installations})
    with connection.cursor() as cursor:
        cursor.execute(
            SWEEP.format(others=sql, ours=", ".join(["%s"] * len(ours))), [*params, *ours]
        )
        return {release_id for (release_id,) in cursor.fetchall()}


#: Of the installations still to come (``others``: release, application, window and
#: coordinator), those of ``ours`` that overlap another of their application or of their
#: coordinator. Sorted by start in each group, a window overlaps an earlier one when it
#: starts before the latest end so far, and a later one when the next starts before it
#: ends. Read back to be swept in Python, a month of the release manager's calendar at
#: 100,000 releases was 1,651 installations and half of the 29 ms this took (issue 17).
SWEEP = """
WITH installation (release_id, application_id, starts_at, ends_at, coordinator) AS ({others}),
swept AS (
    SELECT release_id, starts_at, ends_at, coordinator,
        MAX(ends_at) OVER (by_application ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
            AS application_latest_end,
        LEAD(starts_at) OVER by_application AS application_next_start,
        MAX(ends_at) OVER (by_coordinator ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
            AS coordinator_latest_end,
        LEAD(starts_at) OVER by_coordinator AS coordinator_next_start
    FROM installation
    WINDOW by_application AS (PARTITION BY application_id ORDER BY starts_at, ends_at),
        by_coordinator AS (PARTITION BY coordinator ORDER BY starts_at, ends_at)
)
SELECT DISTINCT release_id FROM swept
WHERE release_id IN ({ours})
    AND (
        starts_at < application_latest_end
        OR application_next_start < ends_at
        OR (
            coordinator IS NOT NULL
            AND (starts_at < coordinator_latest_end OR coordinator_next_start < ends_at)
        )
    )
"""


def _in_closed_windows(installations: list[Installation]) -> set[int]:
    """A blackout that applies (to all, to the application or to one of the release's
    business threads), or maintenance windows of the application that do not hold the
    installation (two queries)."""
    low = min(i.starts_at for i in installations)
    high = max(i.ends_at for i in installations)
    applications = {i.application_id for i in installations}
    threads = defaultdict(set)
    for release_id, party_id in Assignment.objects.filter(
        release_id__in={i.release_id for i in installations},
        party__kind=Party.Kind.BUSINESS_THREAD,
    ).values_list("release_id", "party_id"):
        threads[release_id].add(party_id)
    windows = list(
        Window.objects.filter(
            Q(kind=Window.Kind.BLACKOUT, starts_at__lt=high)
            & (
                Q(ends_at__gt=low)
                | Q(repeats_weekly=True, repeat_until__isnull=True)
                # an occurrence lasts a week at most: it may start before the span
                | Q(repeats_weekly=True, repeat_until__gte=low.date() - timedelta(days=8))
            )
            | Q(kind=Window.Kind.MAINTENANCE, application_id__in=applications)
        )
    )
    blackouts = [w for w in windows if w.kind == Window.Kind.BLACKOUT]
    maintenance = defaultdict(list)
    for w in windows:
        if w.kind == Window.Kind.MAINTENANCE:
            maintenance[w.application_id].append(w)
    return {
        i.release_id
        for i in installations
        if _in_blackout(i, threads.get(i.release_id, set()), blackouts)
        or _outside_maintenance(i, maintenance.get(i.application_id))
    }


def _meeting_changes(installations: list[Installation]) -> set[int]:
    """An authorised or scheduled change on the application, carried by another release,
    whose planned or outage window meets the installation's (one query, joined in the
    database: read as the changes' ids and then their applications, a thread's busy month
    sent 3,200 ids back as parameters; issue 17)."""
    spans = [(i.starts_at, i.ends_at) for i in installations]
    changes = defaultdict(list)  # application id: (carrying release id, windows)
    for application_id, carried_by, *times in (
        RfC.applications.through.objects.filter(
            application_id__in={i.application_id for i in installations},
            rfc__status__in=(RfC.Status.AUTHORISED, RfC.Status.SCHEDULED),
        )
        .filter(
            _window_meets("rfc__planned_start", "rfc__planned_end", spans)
            | _window_meets("rfc__outage_start", "rfc__outage_end", spans)
        )
        .values_list(
            "application_id",
            "rfc__release_id",
            "rfc__planned_start",
            "rfc__planned_end",
            "rfc__outage_start",
            "rfc__outage_end",
        )
    ):
        changes[application_id].append((carried_by, times))
    return {
        i.release_id for i in installations if _meets_a_change(i, changes.get(i.application_id, ()))
    }


def _in_blackout(i: Installation, mine: set, blackouts) -> bool:
    for w in blackouts:
        applies = (
            (w.application_id is None and w.business_thread_id is None)
            or w.application_id == i.application_id
            or w.business_thread_id in mine
        )
        if applies and w.starts_at < i.ends_at and occurrences(w, i.starts_at, i.ends_at):
            return True
    return False


def _outside_maintenance(i: Installation, windows) -> bool:
    """An application with maintenance windows is installed inside one of them."""
    start, end = i.starts_at, i.ends_at
    return bool(windows) and not any(
        s <= start and end <= e for w in windows for s, e in occurrences(w, start, end)
    )


def _meets_a_change(i: Installation, changes) -> bool:
    start, end = i.starts_at, i.ends_at
    for carried_by, (p_start, p_end, o_start, o_end) in changes:
        if carried_by == i.release_id:
            continue
        if (p_start and p_end and _overlap(start, end, p_start, p_end)) or (
            o_start and o_end and _overlap(start, end, o_start, o_end)
        ):
            return True
    return False
