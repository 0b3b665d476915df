"""The conflicts between changes, as ``changes.selectors.overlapping`` finds them, are
exactly those a plain comparison of every pair finds: live RfCs sharing an application
whose half-open windows meet. Both ways of asking the database are checked here, the
ranges (PostgreSQL, with its GiST index) and the two comparisons (the embedded SQLite)."""

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from changes import selectors, services
from changes.models import RfC
from releasemgmt import windows
from releases.models import Application

from .conftest import complete

pytestmark = pytest.mark.django_db


def by_brute_force(rfcs, statuses):
    """Each RfC's others in ``statuses`` on one of its applications whose window meets."""
    found = {}
    for rfc in rfcs:
        others = [
            o
            for o in rfcs
            if o.pk != rfc.pk
            and o.status in statuses
            and o.apps & rfc.apps
            and o.planned_start < rfc.planned_end
            and o.planned_end > rfc.planned_start
        ]
        if others:
            found[rfc.pk] = sorted(o.pk for o in others)
    return found


@pytest.fixture
def many(requester, application):
    """Forty changes on three applications, windows of one to six hours over a week
    (some touching end to start, which is no overlap), authorised and drafts mixed."""
    rng = random.Random(7)
    apps = [application, *(Application.objects.create(code=c, name=c) for c in ("ncts", "ics"))]
    base = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=10)
    rfcs = []
    for i in range(40):
        start = base + timedelta(hours=rng.randrange(0, 7 * 24))
        chosen = rng.sample(apps, rng.choice((1, 1, 2)))
        window = complete(chosen[0], applications=chosen)
        window |= {
            "planned_start": start,
            "planned_end": start + timedelta(hours=rng.randint(1, 6)),
        }
        rfc = services.raise_rfc(by=requester, title=f"C{i}", change_type="standard", **window)
        if i % 4:
            rfc = services.fire(rfc, "submit", by=requester)  # standard: authorised
        rfcs.append(rfc)
    # one that ends exactly when another starts: touching windows do not conflict
    touching = complete(application, planned_start=rfcs[1].planned_end)
    touching["planned_end"] = touching["planned_start"] + timedelta(hours=2)
    touching = services.raise_rfc(
        by=requester, title="Touching", change_type="standard", **touching
    )
    rfcs.append(services.fire(touching, "submit", by=requester))
    rfcs = list(RfC.objects.filter(pk__in=[r.pk for r in rfcs]).prefetch_related("applications"))
    for rfc in rfcs:
        rfc.apps = {a.pk for a in rfc.applications.all()}
    return rfcs


@pytest.mark.parametrize("meet", [windows.ranges_meet_any, windows.ends_meet_any])
def test_overlapping_finds_what_comparing_every_pair_finds(many, meet):
    if meet is windows.ranges_meet_any and connection.vendor != "postgresql":
        pytest.skip("ranges are PostgreSQL's")
    ids = [r.pk for r in many]
    for statuses in (selectors.LIVE, selectors.ON_SCHEDULE):
        found = selectors.overlapping(ids, statuses, meet=meet)
        assert {k: sorted(v) for k, v in found.items() if v} == by_brute_force(many, statuses)
    assert any(found.values()), "the fixture has overlaps to find"


def test_the_conflicts_come_by_planned_start(many):
    for rfc in many:
        others = selectors.overlapping([rfc.pk]).get(rfc.pk, [])
        starts = [RfC.objects.get(pk=o).planned_start for o in others]
        assert starts == sorted(starts)


@pytest.mark.parametrize("meet", [windows.ranges_meet, windows.ends_meet])
def test_the_windows_meeting_a_span_are_those_comparing_the_ends_finds(many, meet):
    if meet is windows.ranges_meet and connection.vendor != "postgresql":
        pytest.skip("ranges are PostgreSQL's")
    first = min(r.planned_start for r in many)
    for hours, length in ((0, 1), (5, 30), (47, 2), (24 * 8, 1), (-5, 5)):
        low = first + timedelta(hours=hours)
        high = low + timedelta(hours=length)
        found = RfC.objects.filter(meet("planned_start", "planned_end", low, high))
        expected = {r.pk for r in many if r.planned_start < high and r.planned_end > low}
        assert set(found.values_list("pk", flat=True)) == expected, (hours, length)


@pytest.mark.parametrize("meet", [windows.ranges_meet_any, windows.ends_meet_any])
def test_the_windows_meeting_any_of_several_spans_are_those_comparing_the_ends_finds(many, meet):
    """Spans apart, overlapping each other, touching a window's end, a single one, and
    spans touching each other (merged into one before they are asked)."""
    if meet is windows.ranges_meet_any and connection.vendor != "postgresql":
        pytest.skip("ranges are PostgreSQL's")
    first = min(r.planned_start for r in many)
    at = [first + timedelta(hours=h) for h in range(-5, 24 * 9, 7)]
    groups = [
        [(at[0], at[1]), (at[5], at[6]), (at[20], at[22])],
        [(at[2], at[4]), (at[3], at[5])],
        [(many[1].planned_end, many[1].planned_end + timedelta(minutes=30))],
        [(at[9], at[10])],
        [(at[12], at[13]), (at[11], at[12])],  # touching, given out of order
    ]
    for spans in groups:
        found = RfC.objects.filter(meet("planned_start", "planned_end", spans))
        expected = {
            r.pk
            for r in many
            if any(r.planned_start < high and r.planned_end > low for low, high in spans)
        }
        assert set(found.values_list("pk", flat=True)) == expected, spans
    assert any(
        RfC.objects.filter(meet("planned_start", "planned_end", spans)).exists() for spans in groups
    ), "the spans meet some windows"


def test_the_schedule_of_a_span_holds_every_window_meeting_it_by_planned_start(many, requester):
    """The change schedule (and the calendar) read a span from the index of planned
    starts, from the earliest window still open when the span starts
    (``selectors.meeting_span``): the same changes, in the same order, as comparing
    every window with the span finds."""
    first = min(r.planned_start for r in many)
    on_schedule = [r for r in many if r.status in selectors.ON_SCHEDULE]
    open_at_start = []
    # and half an hour into each booked window: spans that start while it is open
    into = [((r.planned_start - first).total_seconds() / 3600 + 0.5, 2) for r in on_schedule]
    for hours, length in ((0, 1), (3, 30), (47, 2), (24 * 8, 1), (-5, 5), *into[:5]):
        low = first + timedelta(hours=hours)
        high = low + timedelta(hours=length)
        open_at_start += [r for r in on_schedule if r.planned_start < low < r.planned_end]
        found = selectors.schedule_rfcs(requester, start=low, end=high)
        expected = sorted(
            (r for r in on_schedule if r.planned_start < high and r.planned_end > low),
            key=lambda r: (r.planned_start, r.pk),
        )
        assert [r.pk for r in found] == [r.pk for r in expected], (hours, length)
    assert open_at_start, "some span starts while a window is open"


def test_an_outage_ends_after_it_starts_in_the_database_too(many):
    """The indexes of the schedule's outages hold them as ranges (``changes`` migration
    0009), which cannot end before they start: the database refuses such an outage,
    whatever writes it."""
    from django.db import IntegrityError, transaction

    rfc = many[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        RfC.objects.filter(pk=rfc.pk).update(
            outage_start=rfc.planned_start, outage_end=rfc.planned_start - timedelta(hours=1)
        )
