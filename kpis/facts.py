"""The KPI facts of each release (``kpis.models.ReleaseFacts``), worked out from the
records by the expressions of ``kpis.definitions`` and kept up to date by the events that
change them (``kpis.receivers``): a release created, moved, re-planned or gone live; an
incident, a review, a lesson, a satisfaction answer or a Move2Run item recorded.

An installation window that moves changes whether other releases of the same application
overlap: those are refreshed with it. Inside a unit of work (``releasemgmt.units``:
performing an activity, firing a transition) the refreshes its events ask for are done
once, at its end. ``recount`` rebuilds every row (the nightly job and
``manage.py recount_kpi_facts`` after bulk loads); the tests check that the rows kept by
the events equal a recount."""

from django.db import transaction
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from aftercare.models import Incident, Lesson, PostReleaseReview
from readiness.models import ChecklistItem
from releasemgmt import units
from releasemgmt.windows import overlaps
from releases.models import ActivityRecord, Milestone, Release, Stage
from releases.stages import ActivityStatus
from satisfaction.models import Survey

from . import definitions, fact_counts, flow, flow_counts
from .models import ActivityWait, ReleaseFacts

#: releases refreshed per query by ``recount``
BATCH = 2_000
#: what an event asks of a release at the end of a unit of work (``releasemgmt.units``)
WAITS, FACTS, FLOW = "waits", "facts", "flow"
#: the facts copied as they are worked out
FIELDS = [
    "application_id",
    "release_type",
    "planned_on",
    "cancelled",
    "overlapping",
    "rolled_back",
    "live_at",
    "baseline_end",
    "late",
    "major_incident",
    "successful",
    "reviewed",
    "lessons",
    "satisfaction_sum",
    "satisfaction_answers",
    "threads",
]


def _answered(field: str):
    surveys = (
        Survey.objects.filter(release=OuterRef("pk"), answered_at__isnull=False)
        .order_by()
        .values("release")
    )
    total = Sum("score") if field == "sum" else Count("id")
    return Coalesce(
        Subquery(surveys.annotate(v=total).values("v")[:1], output_field=IntegerField()),
        Value(0),
    )


def _worked_out(releases):
    """``releases`` with every fact the KPIs ask, computed by the database."""
    return definitions.annotated(releases).annotate(
        major_incident=Exists(
            Incident.objects.filter(
                release=OuterRef("pk"), major=True, caused_by_release=Incident.Cause.YES
            )
        ),
        caused_incident=Exists(
            Incident.objects.filter(release=OuterRef("pk"), caused_by_release=Incident.Cause.YES)
        ),
        move2run_unmet=Exists(
            ChecklistItem.objects.filter(release=OuterRef("pk")).exclude(
                status=ChecklistItem.Status.DONE
            )
        ),
        reviewed=Exists(PostReleaseReview.objects.filter(release=OuterRef("pk"))),
        has_lessons=Exists(Lesson.objects.filter(release=OuterRef("pk"))),
        satisfaction_sum=_answered("sum"),
        satisfaction_answers=_answered("count"),
    )


def _late(live_at, baseline_end) -> bool:
    return live_at is not None and baseline_end is not None and live_at >= baseline_end


def _planning_respected(row) -> bool:
    """It went live within the installation planned at RM.1.4 (its baseline), or, with no
    baseline, on or before its planned installation date."""
    if row.baseline_end is not None:
        return row.live_at < row.baseline_end
    planned = row.planned_installation_date
    return planned is not None and timezone.localtime(row.live_at).date() <= planned


def _facts(row, threads: str) -> ReleaseFacts:
    successful = (
        row.live_at is not None
        and _planning_respected(row)
        and not row.rolled_back
        and not row.caused_incident
        and not row.move2run_unmet
    )
    return ReleaseFacts(
        release_id=row.pk,
        application_id=row.application_id,
        release_type=row.release_type,
        planned_on=row.planned_installation_date,
        cancelled=row.stage == Stage.CANCELLED,
        overlapping=bool(row.overlapping),
        rolled_back=bool(row.rolled_back),
        live_at=row.live_at,
        baseline_end=row.baseline_end,
        late=_late(row.live_at, row.baseline_end),
        major_incident=row.major_incident,
        successful=successful,
        reviewed=row.reviewed,
        lessons=row.has_lessons,
        satisfaction_sum=row.satisfaction_sum or 0,
        satisfaction_answers=row.satisfaction_answers or 0,
        threads=threads,
    )


def _lock_facts(ids) -> None:
    """Lock the facts rows of these releases, a row counting nothing put first for a
    release that has none (after a bulk load): two refreshes of it would otherwise both
    read "nothing counted yet" and both add what it counts."""
    ReleaseFacts.objects.bulk_create(
        [
            ReleaseFacts(release_id=pk, application_id=application, release_type=kind)
            for pk, application, kind in Release.objects.filter(pk__in=ids).values_list(
                "pk", "application_id", "release_type"
            )
        ],
        ignore_conflicts=True,
    )
    locked = ReleaseFacts.objects.select_for_update().filter(release_id__in=ids)
    list(locked.order_by("pk").values_list("pk", flat=True))


def _refresh_facts(ids, *, counted: bool = True) -> int:
    """Work out and store the facts of these releases; ``counted``: move the monthly counts
    of the KPIs (``kpis.fact_counts``) by what changed, reading the facts before under
    their rows' lock."""
    with transaction.atomic():
        before = None
        if counted:
            _lock_facts(ids)
            before = fact_counts.of_releases(ids)
        threads = flow_counts.threads_of(ids)
        rows = [
            _facts(r, threads.get(r.pk, ""))
            for r in _worked_out(Release.objects.filter(pk__in=ids))
        ]
        ReleaseFacts.objects.bulk_create(
            rows, update_conflicts=True, unique_fields=["release"], update_fields=FIELDS
        )
        if before is not None:
            delta = fact_counts.of_releases(ids)
            delta.subtract(before)
            fact_counts.add(delta)
    return len(rows)


def _at_end_of_unit(kind: str, ids) -> bool:
    """Whether a unit of work runs and takes these releases' refresh for its end."""
    return units.at_end(_refresh_touched, {(kind, pk) for pk in ids})


def _refresh_touched(keys: set) -> None:
    """What the events of a unit of work asked for, once per release and in order: the
    waits of the activities, then the facts, then the flow samples, which read both."""
    waits = sorted({pk for kind, pk in keys if kind == WAITS})
    flows = sorted({pk for kind, pk in keys if kind == FLOW})
    refresh_waits(waits)
    refresh({pk for _, pk in keys})
    if flows:
        flow_counts.refresh(flows)


def refresh(release_ids, *, flow: bool = False) -> int:
    """Work out the facts of these releases again and store them; with ``flow``, their
    flow samples too (after ``refresh_waits`` when activities changed: the samples read
    the waits)."""
    ids = sorted(set(release_ids))
    if not ids or _at_end_of_unit(FLOW if flow else FACTS, ids):
        return 0
    done = _refresh_facts(ids)
    if flow:
        # after the facts' upsert: its row locks serialise two refreshes of one release
        flow_counts.refresh(ids)
    return done


def _waits(releases) -> set[tuple]:
    """(record, release, activity, stage entered, performed) of the activities done by
    ``releases`` (ids, or None for all)."""
    done = ActivityRecord.objects.filter(status=ActivityStatus.DONE, performed_at__isnull=False)
    if releases is not None:
        done = done.filter(release_id__in=releases)
    rows = done.annotate(_stage=flow.stage_of_activity(), entered=flow.stage_entered())
    return {
        row
        for row in rows.values_list("pk", "release_id", "activity_id", "entered", "performed_at")
        if row[3] is not None
    }


def refresh_waits(release_ids) -> int:
    """The activities these releases have done, each with when its stage was entered
    (what a new round resets is no longer done: its wait goes)."""
    ids = sorted(set(release_ids))
    if not ids or _at_end_of_unit(WAITS, ids):
        return 0
    ActivityWait.objects.filter(release_id__in=ids).delete()
    rows = [
        ActivityWait(
            record_id=pk,
            release_id=release,
            activity_id=activity,
            stage_entered_at=entered,
            performed_at=performed,
        )
        for pk, release, activity, entered, performed in _waits(ids)
    ]
    ActivityWait.objects.bulk_create(rows)
    return len(rows)


def neighbours(release) -> set[int]:
    """The releases of the same application whose overlapping may change with this one's
    installation window: those it meets now and those flagged as overlapping."""
    window = (
        Milestone.objects.filter(release=release, kind=Milestone.Kind.INSTALLATION)
        .values_list("starts_at", "ends_at")
        .first()
    )
    found = set(
        ReleaseFacts.objects.filter(
            application_id=release.application_id, overlapping=True
        ).values_list("release_id", flat=True)
    )
    if window:
        found |= set(
            Milestone.objects.filter(
                overlaps("starts_at", "ends_at", window[0], window[1]),
                kind=Milestone.Kind.INSTALLATION,
                release__application_id=release.application_id,
            ).values_list("release_id", flat=True)
        )
    return found | {release.pk}


def recount() -> int:
    """Every release's facts from the records, and no row for a release that is gone."""
    ReleaseFacts.objects.exclude(release_id__in=Release.objects.values("pk")).delete()
    ActivityWait.objects.exclude(release_id__in=Release.objects.values("pk")).delete()
    done = 0
    last = 0
    while True:
        ids = list(
            Release.objects.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]
        )
        if not ids:
            flow_counts.recount()
            fact_counts.recount()
            return done
        refresh_waits(ids)
        done += _refresh_facts(ids, counted=False)
        last = ids[-1]


def differences() -> list[str]:
    """Where the rows kept by the events differ from a recount (empty: they agree); the
    rows are left as they were."""
    kept = {f.release_id: f for f in ReleaseFacts.objects.all()}
    found = []
    threads = flow_counts.threads_of(None)
    for row in _worked_out(Release.objects.all()):
        want = _facts(row, threads.get(row.pk, ""))
        have = kept.pop(row.pk, None)
        if have is None:
            found.append(f"release {row.pk}: no facts")
            continue
        for field in FIELDS:
            if getattr(have, field) != getattr(want, field):
                found.append(
                    f"release {row.pk} {field}: {getattr(have, field)!r}, "
                    f"recount {getattr(want, field)!r}"
                )
    found += [f"release {pk}: facts of a release that is gone" for pk in kept]
    kept_waits = set(
        ActivityWait.objects.values_list(
            "record_id", "release_id", "activity_id", "stage_entered_at", "performed_at"
        )
    )
    recounted = _waits(None)
    found += [f"activity record {w[0]}: wait kept as {w[3:]}" for w in kept_waits - recounted]
    found += [f"activity record {w[0]}: wait recounted {w[3:]}" for w in recounted - kept_waits]
    return found + flow_counts.differences() + fact_counts.differences()
