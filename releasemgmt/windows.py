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


class TimeRange(Func):
    """A window as PostgreSQL's half-open ``tstzrange``: what the GiST indexes hold."""

    function = "TSTZRANGE"
    output_field = DateTimeRangeField()


def _expression(bound):
    """A field name or an expression as it is; a moment as a value of its own type."""
    if isinstance(bound, datetime.datetime):
        return Value(bound, output_field=DateTimeField())
    return bound


def ranges_meet(start: str, end: str, low, high):
    """The rows' window [``start``, ``end``) meets [``low``, ``high``), as ranges."""
    return Q(Overlap(TimeRange(start, end), TimeRange(_expression(low), _expression(high))))


def ends_meet(start: str, end: str, low, high):
    """The same, as the two comparisons."""
    return Q(**{f"{start}__lt": high, f"{end}__gt": low})


def overlaps(start: str, end: str, low, high):
    """A filter: the rows whose window [``start``, ``end``) (two field names) meets
    [``low``, ``high``) (moments, or ``F()`` of another row's fields). Rows whose
    window lacks an end must be filtered out by the caller: a range without an end
    never ends."""
    meet = ranges_meet if connection.vendor == "postgresql" else ends_meet
    return meet(start, end, low, high)
