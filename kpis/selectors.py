"""Reads of the KPI page, its API and its export: every figure for one reader, period
and slices, in a fixed number of queries whatever the number of releases."""

from dataclasses import dataclass

from django.db import connection
from django.http import QueryDict
from django.urls import reverse

from raci import permissions as raci
from raci.models import Assignment, Party
from releases.models import Release

from . import definitions, fact_counts, flow, periods


@dataclass(frozen=True)
class Slices:
    application: object = None
    thread: object = None
    release_type: str = ""

    def params(self) -> dict:
        return {
            k: v
            for k, v in {
                "application": self.application.code if self.application else "",
                "thread": self.thread.slug if self.thread else "",
                "release_type": self.release_type,
            }.items()
            if v
        }


def releases_for(user, slices: Slices):
    """The releases whose figures ``user`` may see (a business thread: its own), cut to
    the slices."""
    releases = raci.visible_releases(user, Release.objects.all())
    if slices.application is not None:
        releases = releases.filter(application=slices.application)
    if slices.thread is not None:
        assigned = Assignment.objects.filter(party=slices.thread).values("release_id")
        releases = releases.filter(id__in=assigned)
    if slices.release_type:
        releases = releases.filter(release_type=slices.release_type)
    return releases


def scope_for(user, slices: Slices):
    """The same as a subquery of ids for the records of other tables; None when the
    reader sees every release and no slice cuts them (no subquery at all)."""
    if raci.sees_all_releases(user) and not slices.params():
        return None
    return releases_for(user, slices).values("pk")


def counted_for(user, slices: Slices) -> flow.Cut | None:
    """Which cut of the flow's histograms (``kpis.FlowCount``) and of the KPIs' monthly
    counts (``kpis.FactCount``) holds exactly the releases of the reader and slices: ITSM
    staff's every release, or the one thread, application or release type they slice by;
    a user who holds one business thread alone, with no release granted to them in
    person, that thread's (RM.1.2 assignments), unsliced or sliced by it. None: none does
    (two slices at once, or a narrower reader), the figures are worked out over the
    samples and facts of the releases in scope. At most two queries."""
    cut = flow.Cut(
        thread=slices.thread.pk if slices.thread is not None else 0,
        application=slices.application.pk if slices.application is not None else 0,
        release_type=slices.release_type,
    )
    if sum(map(bool, (cut.thread, cut.application, cut.release_type))) > 1:
        return None
    if raci.sees_all_releases(user):
        return cut
    if cut.application or cut.release_type:
        return None
    held = list(Party.objects.filter(group__user=user).values_list("pk", "kind")[:2])
    if len(held) != 1 or held[0][1] != Party.Kind.BUSINESS_THREAD:
        return None
    if cut.thread and cut.thread != held[0][0]:
        return None
    if raci.granted_in_person(user):
        return None
    return flow.Cut(thread=held[0][0])


def drill_link(slug: str, period, slices: Slices) -> str:
    """The release list showing the releases behind a figure (issue 15 point 3)."""
    query = QueryDict(mutable=True)
    query.update(
        {"kpi": slug, "kpi_from": period.start.isoformat(), "kpi_to": period.end.isoformat()}
        | slices.params()
    )
    return reverse("releases:list") + "?" + query.urlencode()


def relieve_planner() -> None:
    """PostgreSQL's JIT compiles a query whose estimated cost is high (the KPIs' counts
    carry subqueries per release): compiling takes longer than running them. Off for
    the rest of the request's transaction (``ATOMIC_REQUESTS``)."""
    if connection.vendor == "postgresql" and connection.in_atomic_block:
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL jit = off")


def report(user, period, slices: Slices) -> dict:
    """The KPIs with the previous period and their trend over the last eight quarters,
    added up from the monthly counts when one cut of them holds exactly the releases of
    the reader and the slices (``counted_for``), else counted over the release facts (a
    fixed number of queries either way)."""
    previous = period.previous()
    scope = scope_for(user, slices)
    quarters = periods.last_quarters(period)
    counted = counted_for(user, slices)
    if counted is not None:
        found = fact_counts.quarterly(counted, quarters)
    else:
        found = definitions.quarterly(scope, quarters)
    kpis = definitions.figures_of_quarters(found, quarters, period, previous)
    if kpis is None:  # a period not made of whole quarters
        kpis = definitions.figures(scope, period, previous)
    for kpi in kpis:
        kpi["link"] = drill_link(kpi["slug"], period, slices)
        kpi["base_link"] = drill_link(f"{kpi['slug']}-base", period, slices)
        kpi["previous"]["link"] = drill_link(kpi["slug"], previous, slices)
    return {
        "period": period,
        "previous": previous,
        "slices": slices,
        "kpis": kpis,
        "trend": definitions.trend(scope, quarters, found),
    }


def flow_report(user, period, slices: Slices) -> dict:
    """The DORA keys, the time per stage, who the process waits for and the cumulative
    flow: counted from the records of the period (``kpis.flow``), a part of the KPI page
    loaded on its own."""
    relieve_planner()
    previous = period.previous()
    scope = scope_for(user, slices)
    counted = counted_for(user, slices)
    dora = flow.dora(scope, period, previous, counted)
    waits = flow.waits(scope, period, counted)
    for key in dora:
        key["link"] = drill_link(key["slug"], period, slices)
    estimated = any(row.get("estimated") for row in waits.values()) or any(
        key.get("estimated") for key in dora
    )
    return {
        "period": period,
        "previous": previous,
        "slices": slices,
        # the largest error of a median or percentile read from the histograms, in %
        "estimated_within": round(100 * flow.RELATIVE_ERROR, 1) if estimated else None,
        "dora": dora,
        "stages": flow.stage_times(waits),
        "threads": flow.thread_waits(waits),
        "parties": flow.party_waits(waits),
        "cumulative": flow.cumulative_flow(scope, periods.last_quarters(period), counted),
    }
