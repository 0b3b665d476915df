"""The DORA keys and the flow of the process, counted from the same records as the KPIs
(issue 15 points 4 and 5).

DORA keys, over a period (each event by its own date):

- **Deployment frequency**: production installations, the successful installations
  published at RM.6.5 in the period, per week.
- **Lead time for changes**: from the authorisation of the first RfC a release carries
  (``changes.RfC.authorised_at``) to its going live (RM.6.5); median and 85th percentile
  over the releases that went live in the period.
- **Change failure rate**: installations rolled back (RM.6.4, the ``roll_back`` moves of
  the stage history) / production installations tried (rolled back + successful) x 100.
  Major incidents caused by a release are added once hypercare records them.
- **Time to restore**: from the failed installation report (RM.6.3) to the rollback
  done (RM.6.4, the last known good build in production again); median and 85th
  percentile over the rollbacks of the period.

The flow: how long releases stay in each stage (median and 85th percentile of the
stays that ended in the period, from ``releases.StageChange``), how long each business
thread takes to decide (``deployments.Decision``: from the report or plan it rests on to
its decision) and each party to perform the activities it is R or A for (Table 4-1: from
the release entering the activity's stage to the activity done), and the cumulative flow
of releases into each stage, month by month.

The lengths and counts are read from the samples the process events keep
(``kpis.flow_counts``, one row per measured event). Up to ``EXACT_UP_TO`` samples the
medians and percentiles are exact (PostgreSQL's ``percentile_cont``; on the embedded
SQLite the same worked out in Python over the newest ``FALLBACK_ROWS``). Beyond, when
one of the monthly histograms (``kpis.FlowCount``, a ``Cut``: every release, one
thread's, one application's or one type's) holds exactly the releases of the reader and
the slices, they are estimated from it (``PER_OCTAVE`` buckets per doubling of the
length): within
``RELATIVE_ERROR`` of the exact figure, at a cost that does not grow with the number of
releases. Counts are always exact.
"""

import calendar
import datetime
import math
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from raci.models import Party
from releases.models import ActivityRecord, Stage, StageChange
from releases.stages import STAGE_OF_NUMBER, ActivityStatus

from . import periods
from .definitions import LIVE
from .models import FlowCount, FlowSample

FALLBACK_ROWS = 20_000
HOUR = 3600.0
#: buckets of the histograms per doubling of a length
PER_OCTAVE = 16
#: the largest error of an estimated median or percentile, relative to the exact one:
#: the width of a bucket (a value is placed inside its bucket, never outside)
RELATIVE_ERROR = 2 ** (1 / PER_OCTAVE) - 1
#: up to this many samples in a period, the figures are worked out exactly
EXACT_UP_TO = 1_000
#: the measures only counted (events), never measured (lengths)
COUNTED = {"live", "rollback", "entered"}
#: the stages a release works through, in order (the cumulative flow's bands)
WORKING = [
    Stage.PLANNING,
    Stage.RECEIVING,
    Stage.KICKOFF,
    Stage.ACCEPTANCE,
    Stage.AUTHORISATION,
    Stage.INSTALLATION,
    Stage.CONFORMANCE,
    Stage.CLOSED,
]


@dataclass(frozen=True)
class Cut:
    """Which histograms of ``kpis.FlowCount`` to read: every release's (all empty), one
    business thread's, one application's or one release type's (one at most)."""

    thread: int = 0
    application: int = 0
    release_type: str = ""

    def counts(self):
        return FlowCount.objects.filter(
            thread=self.thread, application=self.application, release_type=self.release_type
        )

    def samples(self, measures):
        """The samples counted in these histograms: a thread's by the threads each sample
        keeps, as its histograms were counted. Read through the thread's assignments,
        the set of every release it was ever affected by was built for each period
        (16,000 at 83,000 releases: 20 ms, and growing with the years; issue 17)."""
        found = _samples(measures, None)
        if self.thread:
            one = str(self.thread)
            found = found.filter(
                Q(threads=one)
                | Q(threads__startswith=f"{one},")
                | Q(threads__endswith=f",{one}")
                | Q(threads__contains=f",{one},")
            )
        if self.application:
            found = found.filter(application=self.application)
        if self.release_type:
            found = found.filter(release_type=self.release_type)
        return found


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile of an ordered set."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


def _hours(seconds):
    return None if seconds is None else round(seconds / HOUR, 1)


def bucket_of(seconds) -> int:
    """The histogram bucket of a length: -1 not measured, 0 under a second, then
    ``PER_OCTAVE`` buckets per doubling (bucket b holds [2^((b-1)/P), 2^(b/P)) seconds)."""
    if seconds is None:
        return -1
    if seconds < 1:
        return 0
    return 1 + math.floor(PER_OCTAVE * math.log2(seconds))


def estimate(buckets: dict, fraction: float) -> float | None:
    """``percentile_cont`` estimated from a histogram: the ranks spread evenly, on a log
    scale, over their bucket."""
    measured = sorted((b, n) for b, n in buckets.items() if b >= 0 and n > 0)
    total = sum(n for _, n in measured)
    if not total:
        return None

    def at(rank: int) -> float:
        seen = 0
        for b, n in measured:
            if rank < seen + n:
                if b == 0:
                    return 0.0
                return 2 ** ((b - 1 + (rank - seen + 0.5) / n) / PER_OCTAVE)
            seen += n
        raise AssertionError("rank beyond the histogram")

    position = fraction * (total - 1)
    low, high = math.floor(position), math.ceil(position)
    below = at(low)
    return below + (at(high) - below) * (position - low)


def percentile(values: list[float], fraction: float) -> float | None:
    """``percentile_cont`` in Python: linear between the two nearest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def whole_months(period) -> tuple[tuple | None, list[tuple]]:
    """The whole months of ``period`` as (first, last) first days (None: none), and the
    moments of the days before and after them (a custom range's edges). Worked out from
    the period's own days: the day after a period of 9999 is not a date (a 500 for
    ``period=9999``)."""
    day = datetime.timedelta(days=1)
    start, end = period.start, period.end
    first = start if start.day == 1 else _next_month(start)
    ends_a_month = end.day == calendar.monthrange(end.year, end.month)[1]
    last = end.replace(day=1) if ends_a_month else (end.replace(day=1) - day).replace(day=1)
    if first is None or first > last:
        return None, [periods.moments(start, end)]
    edges = []
    if start < first:
        edges.append(periods.moments(start, first - day))
    if not ends_a_month:
        edges.append(periods.moments(end.replace(day=1), end))
    return (first, last), edges


def _next_month(day: datetime.date) -> datetime.date | None:
    """The first day of the month after ``day``'s; None after December 9999."""
    if (day.year, day.month) == (datetime.date.max.year, 12):
        return None
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _samples(measures, scope):
    found = FlowSample.objects.filter(measure__in=measures)
    return found if scope is None else found.filter(release__in=scope)


def histograms(measures, period, cut: Cut) -> dict:
    """Per (measure, key): the count per bucket of the samples of ``period`` counted in
    ``cut``'s histograms, from the monthly histograms and, for the days of a custom range
    outside whole months, the samples themselves. One or two queries."""
    months, edges = whole_months(period)
    found: dict = defaultdict(Counter)
    if months:
        rows = (
            cut.counts()
            .filter(measure__in=measures, month__gte=months[0], month__lte=months[1])
            .values("measure", "key", "bucket")
            .annotate(total=Sum("n"))
            .order_by()
        )
        for r in rows:
            found[(r["measure"], r["key"])][r["bucket"]] += r["total"]
    if edges:
        within = Q()
        for start, end in edges:
            within |= Q(ended_at__gte=start, ended_at__lt=end)
        rows = (
            cut.samples(measures)
            .filter(within)
            .values("measure", "key", "bucket")
            .annotate(total=Count("id"))
            .order_by()
        )
        for r in rows:
            found[(r["measure"], r["key"])][r["bucket"]] += r["total"]
    return found


def exact(measures, period, scope, counted=None) -> dict:
    """Per (measure, key): how many samples ended in ``period``, and the median and 85th
    percentile of their lengths in hours, worked out over the samples (one query)."""
    start, end = period.moments()
    samples = _samples(measures, scope) if counted is None else counted.samples(measures)
    samples = samples.filter(ended_at__gte=start, ended_at__lt=end)
    if connection.vendor == "postgresql":
        rows = (
            samples.values("measure", "key")
            .annotate(
                n=Count("id"),
                p50=PercentileCont("seconds", 0.5),
                p85=PercentileCont("seconds", 0.85),
            )
            .order_by()
        )
        return {
            (r["measure"], r["key"]): {
                "n": r["n"],
                "median": _hours(r["p50"]),
                "p85": _hours(r["p85"]),
            }
            for r in rows
        }
    counted: Counter = Counter()
    lengths = defaultdict(list)
    for measure, key, seconds in samples.order_by("-ended_at").values_list(
        "measure", "key", "seconds"
    )[:FALLBACK_ROWS]:
        counted[(measure, key)] += 1
        if seconds is not None:
            lengths[(measure, key)].append(seconds)
    return {
        group: {
            "n": n,
            "median": _hours(percentile(lengths[group], 0.5)),
            "p85": _hours(percentile(lengths[group], 0.85)),
        }
        for group, n in counted.items()
    }


def summary(measures, period, scope, counted) -> dict:
    """Per (measure, key): n, median and 85th percentile (hours) of ``period``, exact up to
    ``EXACT_UP_TO`` samples, estimated beyond from the histograms ``counted`` (a ``Cut``)
    when they hold the reader's releases (None: they do not, the samples of ``scope`` are
    read)."""
    if counted is not None:
        found = histograms(measures, period, counted)
        if sum(n for buckets in found.values() for n in buckets.values()) > EXACT_UP_TO:
            return {
                group: {
                    "n": sum(buckets.values()),
                    "median": _hours(estimate(buckets, 0.5)),
                    "p85": _hours(estimate(buckets, 0.85)),
                    "estimated": True,
                }
                for group, buckets in found.items()
            }
    return exact(measures, period, scope, counted)


NONE = {"n": 0, "median": None, "p85": None}


def _mine(queryset, scope, path: str = "release"):
    return queryset if scope is None else queryset.filter(**{f"{path}__in": scope})


def installations(scope, start, end):
    """RM.6.5 records of the successful installations between two moments."""
    return _mine(
        ActivityRecord.objects.filter(
            activity__code=LIVE,
            status=ActivityStatus.DONE,
            performed_at__gte=start,
            performed_at__lt=end,
        ),
        scope,
    )


def dora(scope, period, previous, counted=None) -> list[dict]:
    """The four DORA keys over ``period`` and ``previous``; ``scope`` the releases the
    reader may see (None: all), as a subquery; ``counted`` as for ``summary``."""
    keys = ["live", "rollback", "lead", "restore"]
    now = summary(keys, period, scope, counted)
    before = summary(keys, previous, scope, counted)

    def count(found, measure):
        return found.get((measure, ""), NONE)["n"]

    def rate(found):
        failed = count(found, "rollback")
        tried = count(found, "live") + failed
        return {
            "value": round(100 * failed / tried, 1) if tried else None,
            "numerator": failed,
            "denominator": tried,
        }

    def per_week(found, p):
        live = count(found, "live")
        return {"value": round(live * 7 / p.days, 2), "numerator": live, "denominator": None}

    def spread(found, measure):
        row = found.get((measure, ""), NONE)
        return {
            "value": row["median"],
            "p85": row["p85"],
            "numerator": row["n"],
            "estimated": row.get("estimated", False),
        }

    return [
        {
            "slug": "deployments",
            "name": "Deployment frequency",
            "unit": "per week",
            "definition": "Production installations (RM.6.5, successful installation "
            "published) in the period, per week.",
            **per_week(now, period),
            "previous": per_week(before, previous),
        },
        {
            "slug": "lead-time",
            "name": "Lead time for changes",
            "unit": "hours (median)",
            "definition": "From the authorisation of the first RfC the release carries to "
            "its production installation (RM.6.5): median and 85th percentile over the "
            "releases installed in the period.",
            **spread(now, "lead"),
            "previous": spread(before, "lead"),
        },
        {
            "slug": "failed-installations",
            "name": "Change failure rate",
            "unit": "%",
            "definition": "Installations rolled back (RM.6.4) / production installations "
            "tried (rolled back + successful) x 100. Major incidents are added once "
            "hypercare records them.",
            **rate(now),
            "previous": rate(before),
        },
        {
            "slug": "restore",
            "name": "Time to restore",
            "unit": "hours (median)",
            "definition": "From the failed installation report (RM.6.3) to the rollback "
            "done (RM.6.4): median and 85th percentile over the rollbacks of the period.",
            **spread(now, "restore"),
            "previous": spread(before, "restore"),
        },
    ]


def waits(scope, period, counted=None) -> dict:
    """The stays, the threads' decisions and the parties' activities of ``period``."""
    return summary(["stay", "decision", "wait"], period, scope, counted)


def stage_times(found) -> list[dict]:
    """How long releases stayed in each stage: the stays that ended in the period."""
    return [
        {"stage": s.value, "label": s.label, **found.get(("stay", s.value), NONE)}
        for s in WORKING[:-1]
    ]


def thread_waits(found) -> list[dict]:
    """How long each business thread takes to decide (GO/NOGO, installation plan,
    authorisation, rollback validation, CT go-ahead): from the report or plan the
    decision rests on to the decision."""
    return [
        {"party": key, **row}
        for (measure, key), row in sorted(found.items())
        if measure == "decision"
    ]


def stage_of_activity():
    """The stage of an activity record's activity, as ``StageChange.to_stage`` names it."""
    return Case(
        *[When(activity__stage=n, then=Value(s.value)) for n, s in STAGE_OF_NUMBER.items()],
        default=Value(""),
    )


def stage_entered():
    """When the record's release last entered the stage of its activity (``_stage``),
    before it was performed (the release's creation for RM.1)."""
    entered = Subquery(
        StageChange.objects.filter(
            release=OuterRef("release_id"),
            to_stage=OuterRef("_stage"),
            at__lte=OuterRef("performed_at"),
        )
        .order_by("-at")
        .values("at")[:1]
    )
    return Coalesce(entered, F("release__created_at"))


def party_waits(found) -> list[dict]:
    """How long each party takes over the activities it is Responsible or Accountable
    for (Table 4-1): from the release entering the activity's stage to the activity
    done, for the activities done in the period."""
    order = dict(Party.objects.values_list("name", "position"))
    rows = [(key, row) for (measure, key), row in found.items() if measure == "wait"]
    return [{"party": name, **row} for name, row in sorted(rows, key=lambda r: order.get(r[0], 0))]


def cumulative_flow(scope, quarters, counted=None) -> list[dict]:
    """Releases that had entered each stage by the end of each month of the quarters:
    the bands of a cumulative flow chart (the gaps between them are the work waiting
    there). One query over the months' counts (``counted`` as for ``summary``)."""
    first = quarters[0].start
    end = quarters[-1].end
    if counted is not None:
        rows = (
            counted.counts()
            .filter(measure="entered", month__lte=end)
            .values("month", "key")
            .annotate(total=Sum("n"))
            .order_by()
        )
    else:
        rows = (
            _samples(["entered"], scope)
            .filter(month__lte=end)
            .values("month", "key")
            .annotate(total=Count("id"))
            .order_by()
        )
    arrivals: dict = defaultdict(lambda: defaultdict(int))
    for row in rows:
        arrivals[row["month"]][row["key"]] += row["total"]
    months = []
    day = first.replace(day=1)
    while day is not None and day <= end:
        months.append(day)
        day = _next_month(day)
    totals = dict.fromkeys([s.value for s in WORKING], 0)
    for month in sorted(m for m in arrivals if m < months[0]):
        for stage, n in arrivals[month].items():
            totals[stage] += n
    result = []
    for month in months:
        for stage, n in arrivals.get(month, {}).items():
            totals[stage] += n
        result.append({"month": month.strftime("%Y-%m"), **totals})
    return result
