"""The monthly counts of the KPI figures (``kpis.models.FactCount``), kept with the release
facts: ``kpis.facts`` reads the cells a release's facts count in before it changes them and
after, and adds the difference, in the same transaction and under the lock of the facts'
rows (two refreshes of one release wait for each other). ``recount`` rebuilds the counts
from the facts; ``differences`` says where the kept ones disagree with it.

A cell is (thread, application, release type, month, figure): the cuts of
``kpis.flow_counts.slices`` (every release's, each of its business threads', its
application's and its type's), the month its installation is planned in, and the name of
the count in ``kpis.definitions.tallies``."""

from collections import Counter, defaultdict

from django.db import transaction
from django.db.models.functions import TruncMonth

from . import definitions, periods
from .flow import Cut
from .flow_counts import add_counts, lock_counts, slices
from .models import FactCount, ReleaseFacts

CELL = ["thread", "application", "release_type", "month", "figure"]


def cells(facts) -> Counter:
    """The cells ``facts`` (release facts) count in, each with its count: one query,
    grouped by month, application, type and threads."""
    tallies = definitions.tallies()
    rows = (
        definitions.of_period(facts, None, None)
        .filter(planned_on__isnull=False)
        .annotate(month=TruncMonth("planned_on"))
        .values("month", "application_id", "release_type", "threads")
        .annotate(**tallies)
        .order_by()
    )
    found = Counter()
    for row in rows:
        for cut in slices(row["threads"], row["application_id"], row["release_type"]):
            for figure in tallies:
                if row[figure]:
                    found[(*cut, row["month"], figure)] += row[figure]
    return found


def of_releases(ids) -> Counter:
    """The cells the facts of these releases count in now."""
    return cells(ReleaseFacts.objects.filter(release_id__in=ids))


def add(delta: Counter) -> None:
    add_counts(FactCount, CELL, delta)


def quarterly(cut: Cut, quarters) -> dict:
    """{quarter's first day: its ``tallies``} over ``quarters`` (contiguous, oldest
    first) for the releases ``cut`` counts: the same as ``definitions.quarterly``, added
    up from at most three months of rows per figure (one query)."""
    rows = FactCount.objects.filter(
        thread=cut.thread,
        application=cut.application,
        release_type=cut.release_type,
        month__gte=quarters[0].start,
        month__lte=quarters[-1].end,
    ).values_list("month", "figure", "n")
    found = defaultdict(Counter)
    for month, figure, n in rows:
        found[periods.quarter_of(month).start][figure] += n
    return dict(found)


@transaction.atomic
def recount() -> int:
    """Every count again from the facts, in one transaction (readers see the old counts
    until it commits, the events' writers wait for it). Returns the number of cells."""
    lock_counts(FactCount)
    FactCount.objects.all().delete()
    found = cells(ReleaseFacts.objects.all())
    FactCount.objects.bulk_create(
        [FactCount(**dict(zip(CELL, cell, strict=True)), n=n) for cell, n in found.items()],
        batch_size=5000,
    )
    return len(found)


def differences() -> list[str]:
    """Where the kept counts differ from a recount over the facts (empty: they agree)."""
    kept = Counter(
        {
            (c.thread, c.application, c.release_type, c.month, c.figure): c.n
            for c in FactCount.objects.exclude(n=0)
        }
    )
    recounted = cells(ReleaseFacts.objects.all())
    return [
        f"fact count {cell}: {kept[cell]}, facts {recounted[cell]}"
        for cell in sorted(set(kept) | set(recounted), key=str)
        if kept[cell] != recounted[cell]
    ]
