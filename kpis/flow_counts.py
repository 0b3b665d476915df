"""The samples of the process flow (``kpis.models.FlowSample``) and their monthly
histograms (``kpis.models.FlowCount``), kept by the process events like the release facts
(``kpis.facts`` calls ``refresh`` for the releases an event changed).

A release's samples are worked out from its records each time: the stays in each stage
(``releases.StageChange``), the threads' decisions (``deployments.Decision``, from the
report or plan to the decision), the activities of each party R or A (``ActivityWait``),
its lead time (first RfC authorised to RM.6.5), its times to restore (failed installation
report to RM.6.4) and the events only counted (gone live, rolled back, entered a stage).
The histograms change by the difference between the samples before and after, in the
same transaction, under the lock of the release's facts row. ``recount`` rebuilds both
tables from the records; ``differences`` says where the kept rows disagree with it."""

from collections import Counter, defaultdict

from django.db import connection, transaction
from django.db.models import Count, F, Min, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from changes.models import RfC
from deployments.models import Decision, InstallationReport
from raci.models import Assignment, Party
from releases.models import ActivityRecord, Release, StageChange
from releases.stages import ActivityStatus

from .definitions import LIVE
from .flow import COUNTED, WORKING, bucket_of
from .models import ActivityWait, FlowCount, FlowSample

#: releases worked out per query by ``recount``
BATCH = 2_000


def _first_rfc_authorised():
    return Subquery(
        RfC.objects.filter(release=OuterRef("release_id"), authorised_at__isnull=False)
        .order_by()
        .values("release_id")
        .annotate(first=Min("authorised_at"))
        .values("first")[:1]
    )


def _failed_report_before():
    return Subquery(
        InstallationReport.objects.filter(
            release=OuterRef("release_id"), successful=False, uploaded_at__lte=OuterRef("at")
        )
        .order_by("-uploaded_at")
        .values("uploaded_at")[:1]
    )


def _measured(ids):
    """(release, measure, key, begin, end) of every sample of these releases (None: all);
    ``begin`` None for an event only counted or a length that cannot be measured."""

    def mine(queryset):
        return queryset if ids is None else queryset.filter(release_id__in=ids)

    for release, stage, begin, end in mine(
        StageChange.objects.filter(entered_from_at__isnull=False)
    ).values_list("release_id", "from_stage", "entered_from_at", "at"):
        yield release, "stay", stage, begin, end
    asked = Coalesce(
        F("test_report__uploaded_at"),
        F("installation_plan__uploaded_at"),
        F("installation_report__uploaded_at"),
    )
    for row in mine(Decision.objects.annotate(asked=asked)).values_list(
        "release_id", "business_thread__name", "asked", "decided_at"
    ):
        yield row[0], "decision", row[1], row[2], row[3]
    responsible = Q(activity__cells__letters__contains="R") | Q(
        activity__cells__letters__contains="A"
    )
    for row in mine(ActivityWait.objects.filter(responsible)).values_list(
        "release_id", "activity__cells__party__name", "stage_entered_at", "performed_at"
    ):
        yield row[0], "wait", row[1], row[2], row[3]
    live = mine(
        ActivityRecord.objects.filter(
            activity__code=LIVE, status=ActivityStatus.DONE, performed_at__isnull=False
        )
    )
    for release, first, end in live.annotate(first=_first_rfc_authorised()).values_list(
        "release_id", "first", "performed_at"
    ):
        yield release, "live", "", None, end
        yield release, "lead", "", first, end
    rollbacks = mine(StageChange.objects.filter(transition="roll_back"))
    for release, failed, end in rollbacks.annotate(failed=_failed_report_before()).values_list(
        "release_id", "failed", "at"
    ):
        yield release, "rollback", "", None, end
        yield release, "restore", "", failed, end
    for release, stage, end in mine(StageChange.objects.filter(to_stage__in=WORKING)).values_list(
        "release_id", "to_stage", "at"
    ):
        yield release, "entered", stage, None, end
    created = Release.objects.all() if ids is None else Release.objects.filter(pk__in=ids)
    for release, end in created.values_list("pk", "created_at"):
        yield release, "entered", WORKING[0].value, None, end


def threads_of(ids) -> dict[int, str]:
    """The business threads affected by each release (RM.1.2), as kept on its samples."""
    found = defaultdict(list)
    assigned = Assignment.objects.filter(party__kind=Party.Kind.BUSINESS_THREAD)
    if ids is not None:
        assigned = assigned.filter(release_id__in=ids)
    for release, party in assigned.values_list("release_id", "party_id").order_by().distinct():
        found[release].append(party)
    return {release: ",".join(map(str, sorted(parties))) for release, parties in found.items()}


def _samples_of(ids) -> list[FlowSample]:
    threads = threads_of(ids)
    releases = Release.objects.all() if ids is None else Release.objects.filter(pk__in=ids)
    rows = releases.values_list("pk", "application_id", "release_type")
    kinds = {pk: (application, kind) for pk, application, kind in rows}
    return [
        _sample(*row, threads=threads.get(row[0], ""), of=kinds[row[0]]) for row in _measured(ids)
    ]


def _sample(release, measure, key, begin, end, *, threads: str, of: tuple) -> FlowSample:
    seconds = None
    if begin is not None and measure not in COUNTED:
        seconds = (end - begin).total_seconds()
    return FlowSample(
        release_id=release,
        measure=measure,
        key=key or "",
        ended_at=end,
        month=timezone.localtime(end).date().replace(day=1),
        seconds=seconds,
        bucket=bucket_of(seconds),
        threads=threads,
        application=of[0],
        release_type=of[1],
    )


def _identity(sample) -> tuple:
    return (
        sample.release_id,
        sample.measure,
        sample.key,
        sample.ended_at,
        sample.seconds,
        sample.threads,
        sample.application,
        sample.release_type,
    )


def slices(threads: str, application: int, release_type: str):
    """The histograms (thread, application, release type) a sample counts in: every
    release's, each of its threads', its application's and its type's."""
    yield 0, 0, ""
    for thread in filter(None, threads.split(",")):
        yield int(thread), 0, ""
    yield 0, application, ""
    yield 0, 0, release_type


def _cells(samples) -> Counter:
    """The histogram cells the samples count in."""
    found = Counter()
    for s in samples:
        for cut in slices(s.threads, s.application, s.release_type):
            found[(*cut, s.measure, s.month, s.key, s.bucket)] += 1
    return found


#: the columns of a histogram's cell, in the order of ``_cells``' keys
CELL = ["thread", "application", "release_type", "measure", "month", "key", "bucket"]


def lock_counts(model) -> None:
    """Hold off the writers of ``model``'s counts (readers go on) until the transaction
    ends: a recount replaces them all. PostgreSQL only; SQLite writes one at a time."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {model._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")


def add_counts(model, fields: list[str], delta: Counter) -> None:
    """Add ``delta`` (a count per cell, each cell the values of ``fields``) to ``model``'s
    ``n``: an upsert per cell that adds to what another transaction may have added
    meanwhile."""
    # in one order, so that two writers adding to the same cells wait for each other
    # instead of each holding one the other wants
    rows = sorted(((*cell, n) for cell, n in delta.items() if n), key=str)
    if not rows:
        return
    table = model._meta.db_table
    columns = ", ".join(connection.ops.quote_name(f) for f in fields)
    values = ", ".join(["%s"] * (len(fields) + 1))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({columns}, n) VALUES ({values}) "
            f"ON CONFLICT ({columns}) DO UPDATE SET n = {table}.n + excluded.n",
            rows,
        )


def refresh(release_ids) -> int:
    """Work out these releases' samples again; when they changed, replace them and move
    the histograms by the difference. Returns the number of samples now kept."""
    ids = sorted(set(release_ids))
    if not ids:
        return 0
    kept = list(FlowSample.objects.filter(release_id__in=ids))
    found = _samples_of(ids)
    if Counter(map(_identity, kept)) == Counter(map(_identity, found)):
        return len(found)
    FlowSample.objects.filter(release_id__in=ids).delete()
    FlowSample.objects.bulk_create(found, batch_size=1000)
    delta = _cells(found)
    delta.subtract(_cells(kept))
    add_counts(FlowCount, CELL, delta)
    return len(found)


def _histograms_of_samples() -> Counter:
    """The histograms the kept samples make, grouped by the database where it can."""
    found = Counter()
    rows = (
        FlowSample.objects.values(
            "threads", "application", "release_type", "measure", "month", "key", "bucket"
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    for r in rows:
        cell = (r["measure"], r["month"], r["key"], r["bucket"])
        for cut in slices(r["threads"], r["application"], r["release_type"]):
            found[(*cut, *cell)] += r["n"]
    return found


def recount() -> int:
    """Every release's samples from the records, then the histograms from the samples in
    one transaction: readers see the old ones until it commits, and the events' writers
    wait for it (``lock_counts``) instead of adding to a cell it is about to insert."""
    FlowSample.objects.all().delete()
    last = 0
    while True:
        ids = list(
            Release.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            break
        FlowSample.objects.bulk_create(_samples_of(ids), batch_size=5000)
        last = ids[-1]
    with transaction.atomic():
        lock_counts(FlowCount)
        FlowCount.objects.all().delete()
        FlowCount.objects.bulk_create(
            [
                FlowCount(**dict(zip(CELL, cell, strict=True)), n=n)
                for cell, n in _histograms_of_samples().items()
            ],
            batch_size=5000,
        )
    return FlowSample.objects.count()


def differences() -> list[str]:
    """Where the kept samples and histograms differ from a recount (empty: they agree)."""
    kept = Counter(map(_identity, FlowSample.objects.all()))
    recounted = Counter(map(_identity, _samples_of(None)))
    found = [f"flow sample kept, not recounted: {s}" for s in (kept - recounted)]
    found += [f"flow sample recounted, not kept: {s}" for s in (recounted - kept)]
    histograms = Counter(
        {
            (c.thread, c.application, c.release_type, c.measure, c.month, c.key, c.bucket): c.n
            for c in FlowCount.objects.exclude(n=0)
        }
    )
    of_samples = _histograms_of_samples()
    if histograms != of_samples:
        for cell in sorted(set(histograms) | set(of_samples), key=str):
            if histograms[cell] != of_samples[cell]:
                found.append(f"flow count {cell}: {histograms[cell]}, samples {of_samples[cell]}")
    return found
