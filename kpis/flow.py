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

Medians and percentiles are PostgreSQL's ``percentile_cont``; on another database (the
embedded SQLite) they are worked out the same way in Python over the newest
``FALLBACK_ROWS`` rows of each.
"""

import datetime
import math
from collections import defaultdict

from django.db import connection
from django.db.models import (
    Aggregate,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncMonth

from changes.models import RfC
from deployments.models import Decision, InstallationReport
from raci.models import Party
from releases.models import ActivityRecord, Release, Stage, StageChange
from releases.stages import STAGE_OF_NUMBER, ActivityStatus

from .definitions import LIVE
from .models import ActivityWait

FALLBACK_ROWS = 20_000
HOUR = 3600.0
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


class PercentileCont(Aggregate):
    """PostgreSQL's continuous percentile of an ordered set."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


class Seconds(Func):
    """The length of an interval in seconds."""

    template = "EXTRACT(EPOCH FROM %(expressions)s)"
    output_field = FloatField()


def percentile(values: list[float], fraction: float) -> float | None:
    """``percentile_cont`` in Python: linear between the two nearest ranks."""
    if not values:
        return None
    ordered = sorted(values)
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def _hours(seconds):
    return None if seconds is None else round(seconds / HOUR, 1)


def spreads(queryset, key, begin, finish, order: str) -> dict:
    """Per value of ``key``: how many, and the median and 85th percentile of ``finish`` -
    ``begin`` in hours; one query."""
    if connection.vendor == "postgresql":
        length = Seconds(ExpressionWrapper(finish - begin, output_field=DurationField()))
        rows = (
            queryset.annotate(_key=key, _length=length)
            .values("_key")
            .annotate(
                n=Count("pk"),
                p50=PercentileCont("_length", 0.5),
                p85=PercentileCont("_length", 0.85),
            )
            .order_by()
        )
        return {
            r["_key"]: {"n": r["n"], "median": _hours(r["p50"]), "p85": _hours(r["p85"])}
            for r in rows
        }
    rows = (
        queryset.annotate(_key=key, _begin=begin, _finish=finish)
        .order_by(f"-{order}")
        .values_list("_key", "_begin", "_finish")[:FALLBACK_ROWS]
    )
    lengths = defaultdict(list)
    for group, start, end in rows:
        if start is not None and end is not None:
            lengths[group].append((end - start).total_seconds())
    return {
        group: {
            "n": len(values),
            "median": _hours(percentile(values, 0.5)),
            "p85": _hours(percentile(values, 0.85)),
        }
        for group, values in lengths.items()
    }


def _which(field: str, period, previous):
    """'current' or 'previous' by the moment ``field``, for one query over both."""
    now, before = period.moments(), previous.moments()
    return Case(
        When(**{f"{field}__gte": now[0], f"{field}__lt": now[1]}, then=Value("current")),
        When(**{f"{field}__gte": before[0], f"{field}__lt": before[1]}, then=Value("previous")),
        default=Value("other"),
    )


def _within(field: str, period) -> Q:
    start, end = period.moments()
    return Q(**{f"{field}__gte": start, f"{field}__lt": end})


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


def rollbacks(scope, start, end):
    return _mine(
        StageChange.objects.filter(transition="roll_back", at__gte=start, at__lt=end), scope
    )


def dora(scope, period, previous) -> list[dict]:
    """The four DORA keys over ``period`` and ``previous``; ``scope`` the releases the
    reader may see (None: all), as a subquery."""
    low, high = (
        min(period.moments()[0], previous.moments()[0]),
        max(period.moments()[1], previous.moments()[1]),
    )
    live = installations(scope, low, high).aggregate(
        current=Count("pk", filter=_within("performed_at", period)),
        previous=Count("pk", filter=_within("performed_at", previous)),
    )
    failed = rollbacks(scope, low, high).aggregate(
        current=Count("pk", filter=_within("at", period)),
        previous=Count("pk", filter=_within("at", previous)),
    )
    first_rfc = Subquery(
        RfC.objects.filter(release=OuterRef("release_id"), authorised_at__isnull=False)
        .order_by()
        .values("release_id")
        .annotate(first=Min("authorised_at"))
        .values("first")[:1]
    )
    lead = spreads(
        installations(scope, low, high),
        _which("performed_at", period, previous),
        first_rfc,
        F("performed_at"),
        "performed_at",
    )
    failure = Subquery(
        InstallationReport.objects.filter(
            release=OuterRef("release_id"), successful=False, uploaded_at__lte=OuterRef("at")
        )
        .order_by("-uploaded_at")
        .values("uploaded_at")[:1]
    )
    restore = spreads(
        rollbacks(scope, low, high), _which("at", period, previous), failure, F("at"), "at"
    )

    def rate(which):
        tried = live[which] + failed[which]
        return {
            "value": round(100 * failed[which] / tried, 1) if tried else None,
            "numerator": failed[which],
            "denominator": tried,
        }

    def per_week(count, p):
        return {"value": round(count * 7 / p.days, 2), "numerator": count, "denominator": None}

    def spread(found, which):
        row = found.get(which) or {"n": 0, "median": None, "p85": None}
        return {"value": row["median"], "p85": row["p85"], "numerator": row["n"]}

    return [
        {
            "slug": "deployments",
            "name": "Deployment frequency",
            "unit": "per week",
            "definition": "Production installations (RM.6.5, successful installation "
            "published) in the period, per week.",
            **per_week(live["current"], period),
            "previous": per_week(live["previous"], previous),
        },
        {
            "slug": "lead-time",
            "name": "Lead time for changes",
            "unit": "hours (median)",
            "definition": "From the authorisation of the first RfC the release carries to "
            "its production installation (RM.6.5): median and 85th percentile over the "
            "releases installed in the period.",
            **spread(lead, "current"),
            "previous": spread(lead, "previous"),
        },
        {
            "slug": "failed-installations",
            "name": "Change failure rate",
            "unit": "%",
            "definition": "Installations rolled back (RM.6.4) / production installations "
            "tried (rolled back + successful) x 100. Major incidents are added once "
            "hypercare records them.",
            **rate("current"),
            "previous": rate("previous"),
        },
        {
            "slug": "restore",
            "name": "Time to restore",
            "unit": "hours (median)",
            "definition": "From the failed installation report (RM.6.3) to the rollback "
            "done (RM.6.4): median and 85th percentile over the rollbacks of the period.",
            **spread(restore, "current"),
            "previous": spread(restore, "previous"),
        },
    ]


def stage_times(scope, period) -> list[dict]:
    """How long releases stayed in each stage: the stays that ended in the period."""
    start, end = period.moments()
    found = spreads(
        _mine(StageChange.objects.filter(at__gte=start, at__lt=end), scope),
        F("from_stage"),
        F("entered_from_at"),
        F("at"),
        "at",
    )
    none = {"n": 0, "median": None, "p85": None}
    return [{"stage": s.value, "label": s.label, **found.get(s.value, none)} for s in WORKING[:-1]]


def thread_waits(scope, period) -> list[dict]:
    """How long each business thread takes to decide (GO/NOGO, installation plan,
    authorisation, rollback validation, CT go-ahead): from the report or plan the
    decision rests on to the decision."""
    start, end = period.moments()
    asked = Coalesce(
        F("test_report__uploaded_at"),
        F("installation_plan__uploaded_at"),
        F("installation_report__uploaded_at"),
    )
    found = spreads(
        _mine(Decision.objects.filter(decided_at__gte=start, decided_at__lt=end), scope),
        F("business_thread__name"),
        asked,
        F("decided_at"),
        "decided_at",
    )
    return [{"party": name, **row} for name, row in sorted(found.items())]


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


def party_waits(scope, period) -> list[dict]:
    """How long each party takes over the activities it is Responsible or Accountable
    for (Table 4-1): from the release entering the activity's stage to the activity
    done, for the activities done in the period (``kpis.models.ActivityWait``, kept as
    they are done)."""
    start, end = period.moments()
    waits = _mine(ActivityWait.objects.filter(performed_at__gte=start, performed_at__lt=end), scope)
    responsible = Q(activity__cells__letters__contains="R") | Q(
        activity__cells__letters__contains="A"
    )
    found = spreads(
        waits.filter(responsible),
        F("activity__cells__party__name"),
        F("stage_entered_at"),
        F("performed_at"),
        "performed_at",
    )
    order = dict(Party.objects.values_list("name", "position"))
    return [
        {"party": name, **row}
        for name, row in sorted(found.items(), key=lambda item: order.get(item[0], 0))
    ]


def cumulative_flow(scope, quarters) -> list[dict]:
    """Releases that had entered each stage by the end of each month of the quarters:
    the bands of a cumulative flow chart (the gaps between them are the work waiting
    there). Two queries: the moves into each stage by month, the releases formalised."""
    first = quarters[0].moments()[0]
    end = quarters[-1].moments()[1]
    moves = (
        _mine(StageChange.objects.filter(at__lt=end, to_stage__in=WORKING), scope)
        .annotate(month=TruncMonth("at"))
        .values("month", "to_stage")
        .annotate(n=Count("pk"))
        .order_by()
    )
    created = (
        (Release.objects.all() if scope is None else Release.objects.filter(pk__in=scope))
        .filter(created_at__lt=end)
        .annotate(month=TruncMonth("created_at"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    arrivals: dict = defaultdict(lambda: defaultdict(int))
    for row in moves:
        arrivals[_month(row["month"])][row["to_stage"]] += row["n"]
    for row in created:
        arrivals[_month(row["month"])][Stage.PLANNING] += row["n"]
    months = []
    day = _month(first)
    last = _month(end - datetime.timedelta(seconds=1))
    while day <= last:
        months.append(day)
        day = (day + datetime.timedelta(days=32)).replace(day=1)
    totals = dict.fromkeys(WORKING, 0)
    for month in sorted(m for m in arrivals if m < months[0]):
        for stage, n in arrivals[month].items():
            totals[stage] += n
    result = []
    for month in months:
        for stage, n in arrivals.get(month, {}).items():
            totals[stage] += n
        result.append({"month": month.strftime("%Y-%m"), **{s.value: totals[s] for s in WORKING}})
    return result


def _month(moment) -> datetime.date:
    if isinstance(moment, datetime.datetime):
        moment = moment.date()
    return moment.replace(day=1)
