"""Whether windows of time overlap, asked of the database so that an index answers.

A window [start, end) meets [low, high) when start < high and end > low. As two
comparisons, a B-tree index can bound only one of them: finding the windows of one month
reads every window that ends after the month starts (all the future ones). On PostgreSQL
the windows are compared as ``tstzrange`` values instead, which a GiST index on the
range answers directly (the indexes are created by the migrations of the tables that
hold windows: RfCs, milestones). SQLite, the embedded default, compares the ends.

Where a page reads windows in the order of a B-tree index and stops after a page's worth
(the calendar, the change schedule), the comparisons stay: the range index finds every
window of the span before any can be sorted. The ranges serve the reads that want them
all: the conflicts of a set of windows with the others."""

import datetime

from django.contrib.postgres.fields import DateTimeRangeField
from django.contrib.postgres.lookups import Overlap
from django.db import connection
from django.db.models import DateTimeField, Func, Q, Value

from .conditions import any_of


class TimeRange(Func):
    """A window as PostgreSQL's half-open ``tstzrange``: what the GiST indexes hold."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


#: the type of a moment given as a value, made once: a field made per value cost a
#: thread's calendar month 14 ms for the windows of its installations (issue 17)
MOMENT = DateTimeField()


def _expression(bound):
    """A field name or an expression as it is; a moment as a value of its own type."""
    if isinstance(bound, datetime.datetime):
        return Value(bound, output_field=MOMENT)
    return bound


def ranges_meet(start: str, end: str, low, high):
    """The rows' window [``start``, ``end``) meets [``low``, ``high``), as ranges."""
    return Q(Overlap(TimeRange(start, end), TimeRange(_expression(low), _expression(high))))


def ends_meet(start: str, end: str, low, high):
    """The same, as the two comparisons."""
    return Q(**{f"{start}__lt": high, f"{end}__gt": low})


class TimeRanges(Func):
    """Several windows as one ``tstzmultirange`` (PostgreSQL 14): the GiST index of a
    window column finds the rows meeting any of them in one scan."""

    function = "TSTZMULTIRANGE"
    output_field = DateTimeRangeField()


def ranges_meet_any(start: str, end: str, spans) -> Q:
    """The rows' window [``start``, ``end``) meets one of ``spans`` ((low, high) moments),
    as ranges."""
    ranges = [TimeRange(_expression(low), _expression(high)) for low, high in spans]
    return Q(Overlap(TimeRange(start, end), TimeRanges(*ranges)))


def ends_meet_any(start: str, end: str, spans) -> Q:
    """The same, as the two comparisons for each span."""
    return any_of(ends_meet(start, end, low, high) for low, high in spans)


def merged(spans) -> list[tuple]:
    """``spans`` ((low, high) pairs) as the fewest spans covering the same moments: a
    window meets one of these exactly when it meets one of those."""
    found = []
    for low, high in sorted(spans):
        if found and low <= found[-1][1]:
            found[-1] = (found[-1][0], max(found[-1][1], high))
        else:
            found.append((low, high))
    return found


def overlaps_any(start: str, end: str, spans) -> Q:
    """A filter: the rows whose window meets one of ``spans`` (at least one). Asked with
    the span from the first to the last, a CAB agenda's 25 windows over seven weeks read
    11,400 changes to find the 2,500 meeting one of them (issue 17). The spans are merged
    first: a thread's calendar month of 130 installations, mostly overlapping, cost the
    ORM 20 ms to build as 130 ranges."""
    meet = ranges_meet_any if connection.vendor == "postgresql" else ends_meet_any
    return meet(start, end, merged(spans))


def overlaps(start: str, end: str, low, high):
    """A filter: the rows whose window [``start``, ``end``) (two field names) meets
    [``low``, ``high``) (moments, or ``F()`` of another row's fields). Rows whose
    window lacks an end must be filtered out by the caller: a range without an end
    never ends."""
    meet = ranges_meet if connection.vendor == "postgresql" else ends_meet
    return meet(start, end, low, high)
