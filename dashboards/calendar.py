"""The calendar's reads (the page, its JSON and the iCalendar feed): the milestones of the
releases a user may see, the windows of the requests for change on the change schedule
(authorised and scheduled) they may see, and the blackout and maintenance windows, in a
range, with the filters of the page. A fixed number of queries whatever the number of
entries; an installation still to come is flagged when it has a conflict
(``deployments.conflicted``)."""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models
from django.db.models import Count, DateTimeField, F, Max, Min, Q, RowRange, Value
from django.db.models.functions import Greatest, RowNumber, TruncDate
from django.utils import timezone

from changes.models import RfC
from changes.selectors import HAS_WINDOW, ON_SCHEDULE, meeting_span, visible_rfcs
from deployments.conflicted import STILL_TO_INSTALL, Installation, conflicted
from deployments.models import PackageMember
from raci import permissions
from raci.models import Assignment, Party
from releasemgmt.links import Links
from releases.models import Application, Milestone, Stage, Window
from releases.planning import occurrences

#: the longest range one request may ask for
LONGEST = timedelta(days=370)
KIND_LABELS = dict(Milestone.Kind.choices)
WINDOW_LABELS = {Window.Kind.BLACKOUT: "Blackout", Window.Kind.MAINTENANCE: "Maintenance"}


@dataclass(frozen=True)
class Filters:
    """What the calendar shows: one application, business thread, release type, stage."""

    application: Application | None = None
    business_thread: Party | None = None
    release_type: str = ""
    stage: str = ""

    @property
    def on_releases(self) -> bool:
        """A filter only a release answers (an RfC answers it by the release carrying it)."""
        return bool(self.business_thread or self.release_type or self.stage)


def of_releases(user, filters: Filters, field: str = "release", per_row: bool = False) -> Q:
    """A filter of the records (milestones, RfCs) whose release (``field``) the user may
    see and the filters keep, asked of the records' own release column: of the set of
    the releases the user sees, or, ``per_row``, of each record's release."""
    if per_row and not permissions.sees_all_releases(user):
        kept = permissions.sees_release_of(user, f"{field}_id")
    else:
        kept = permissions.sees_release_in(user, f"{field}_id")
    if filters.application is not None:
        kept &= Q(**{f"{field}__application": filters.application})
    if filters.business_thread is not None:
        threads = Assignment.objects.filter(party=filters.business_thread)
        kept &= Q(**{f"{field}_id__in": threads.values("release_id")})
    if filters.release_type:
        kept &= Q(**{f"{field}__release_type": filters.release_type})
    if filters.stage:
        kept &= Q(**{f"{field}__stage": filters.stage})
    return kept


def milestones(user, start, end, filters: Filters, kept: Q | None = None):
    """The milestones whose window meets [start, end), with their release, the earliest
    to end first: read in the order of the index on ``ends_at``, a page's worth is found
    without reading the past ones (and faster than the range index, which finds them all
    before they can be sorted). The installation of a release in a package is the
    package's entry (``packages``). ``kept``: ``of_releases(user, filters)``, when the
    caller has it already."""
    kept = of_releases(user, filters) if kept is None else kept
    in_a_package = PackageMember.objects.values("release_id")
    # asked of the release column, not joined through the release: a month read day by
    # day counts all of its milestones, and the join built a hash of every release
    return (
        Milestone.objects.filter(kept, starts_at__lt=end, ends_at__gt=start)
        .exclude(kind=Milestone.Kind.INSTALLATION, release_id__in=in_a_package)
        .order_by("ends_at", "id")
    )


def packages(user, start, end, filters: Filters):
    """One entry per release package: from the first to the last installation of its
    releases the user may see (and the filters keep), when that span meets [start, end);
    one query, grouped in the database. Only the packages whose span over all their
    releases meets the range are grouped (what a user sees of a package lies within
    it): grouping every package ever made cost a month 14 ms at 100,000 releases. Read
    from the packages' members to their installations: from the installations, the
    planner read every installation of the install to keep those in a package (10,000
    for 61 at 10,000 releases; issue 17). Whether the user sees a member's release is
    asked per member (the members of a month's packages are a few hundred): the set of
    a thread's 19,000 releases took 6 of the query's 11 ms at 100,000 releases."""
    kept = of_releases(user, filters, per_row=True)
    installation = "release__milestones"
    return (
        PackageMember.objects.filter(
            kept,
            package__first_installation_at__lt=end,
            package__last_installation_at__gt=start,
            release__milestones__kind=Milestone.Kind.INSTALLATION,
        )
        .values("package_id", "package__reference", "package__name", "package__updated_at")
        .annotate(
            first=Min(f"{installation}__starts_at"),
            last=Max(f"{installation}__ends_at"),
            releases=Count("release"),
        )
        .filter(first__lt=end, last__gt=start)
        .order_by("first", "package_id")
    )


def scheduled_rfcs(user, start, end, filters: Filters):
    """The RfCs on the change schedule the user may see whose window meets [start, end);
    the release filters narrow them to the RfCs carried by a release that passes."""
    rfcs = visible_rfcs(user).filter(meeting_span(start, end), HAS_WINDOW, status__in=ON_SCHEDULE)
    if filters.application is not None:
        rfcs = rfcs.filter(applications=filters.application)
    if filters.on_releases:
        rfcs = rfcs.filter(of_releases(user, filters))
    return rfcs.order_by("planned_start", "id")


def windows(user, start, end, filters: Filters):
    """Blackout and maintenance windows that may meet [start, end): global ones, those of
    an application, and those of a business thread the user sees (ITSM staff: all;
    others: their own threads'). An application or a thread filter keeps the windows
    that hold for it."""
    found = Window.objects.filter(starts_at__lt=end).filter(
        Q(ends_at__gt=start)
        | Q(repeats_weekly=True, repeat_until__isnull=True)
        | Q(repeats_weekly=True, repeat_until__gte=start.date() - timedelta(days=8))
    )
    if not permissions.sees_all_releases(user):
        found = found.filter(Q(business_thread__isnull=True) | Q(business_thread__group__user=user))
    if filters.application is not None:
        found = found.filter(Q(application__isnull=True) | Q(application=filters.application))
    if filters.business_thread is not None:
        found = found.filter(
            Q(business_thread__isnull=True) | Q(business_thread=filters.business_thread)
        )
    return found.order_by("starts_at", "id")


# --- the entries of the page's calendar ---------------------------------------------

#: the most entries of each kind one answer holds (a month of a busy schedule seen by
#: the ITSM staff); past them the answer says it is cut short, and a filter or a shorter
#: range shows the rest
LIMITS = {"milestone": 500, "rfc": 300, "window": 300, "package": 200}


#: the most entries of a kind one day may show when the answer is asked day by day, and
#: the longest range asked so (a month's view is six weeks): the days' counts read every
#: entry of the range, which a year would make a client's cheap way to load the server
BUSIEST_DAY = 50
LONGEST_BY_DAY = timedelta(days=62)


class Days:
    """The answer of a long range asked day by day (``per_day``): of each kind of entry,
    the first ``per_day`` of each local day of the service (an entry is on the day it
    starts; one begun before the range, on its first day), and how many more each day
    holds, for its layer (``hidden``); the limits then cut the days' firsts, and
    ``truncated`` says so. A month of a busy schedule is 1,359 of a
    thread's milestones: cut at the first 500 by their end, its last weeks came back
    empty; a day's own range shows all of its entries (issue 17). ``per_day`` None:
    every entry, up to the limits."""

    def __init__(self, start, per_day: int | None):
        self.start, self.per_day = start, per_day
        self.zone = timezone.get_current_timezone()
        self.hidden: Counter = Counter()

    def first_of_each(self, queryset, field: str, limit: int) -> dict[int, int]:
        """The first ``per_day`` of ``queryset`` each day by ``field``, in that order, up
        to ``limit`` and one more: their ids, each with how many its day holds. One query,
        counted in the database; it reads the ids alone, the caller their columns."""
        day = TruncDate(
            Greatest(field, Value(self.start, output_field=DateTimeField())), tzinfo=self.zone
        )
        # both over the same window, the whole day in order: one pass over the sorted
        # rows instead of two (a month of the release manager's 6,900 milestones, 23 ms
        # down to 19 at 100,000 releases; issue 17)
        window = {
            "partition_by": [day],
            "order_by": [F(field).asc(), "id"],
            "frame": RowRange(start=None, end=None),
        }
        first = (
            queryset.annotate(
                on_day=models.Window(Count("id"), **window),
                place=models.Window(RowNumber(), **window),
            )
            .filter(place__lte=self.per_day)
            .order_by(field, "id")
        )
        return dict(first.values_list("id", "on_day")[: limit + 1])

    def count(self, rows, starts_at_of, on_day_of) -> None:
        """Count what each day of ``rows`` (read by ``first_of_each``) holds past them."""
        on_day, shown = {}, Counter()
        for row in rows:
            day = self.day(starts_at_of(row))
            on_day[day] = on_day_of(row)
            shown[day] += 1
        self.hidden.update({day: n - shown[day] for day, n in on_day.items() if n > shown[day]})

    def keep(self, entries: list, starts_at_of) -> list:
        """The first ``per_day`` of each day of ``entries`` by their start, the rest
        counted: for the kinds read whole (packages, windows)."""
        if self.per_day is None:
            return entries
        kept, on_day = [], Counter()
        for entry in sorted(entries, key=starts_at_of):
            day = self.day(starts_at_of(entry))
            on_day[day] += 1
            if on_day[day] <= self.per_day:
                kept.append(entry)
        self.hidden.update({day: n - self.per_day for day, n in on_day.items() if n > self.per_day})
        return kept

    def day(self, starts_at):
        return max(starts_at, self.start).astimezone(self.zone).date()

    def more(self, layer: str) -> list[dict]:
        return [
            {"date": day.isoformat(), "layer": layer, "count": count}
            for day, count in sorted(self.hidden.items())
        ]


class Span:
    """ISO 8601 start and end in the service's time zone (looked up once): the local
    days of an all-day entry (the end excluded), else the local date and time with its
    offset. Each moment is written once per answer: windows are planned on the hour, so
    a month's 1,700 ends are a few hundred moments (issue 17)."""

    def __init__(self):
        self.zone = timezone.get_current_timezone()
        self.written: dict = {}

    def __call__(self, starts_at, ends_at, all_day: bool) -> tuple[str, str]:
        # the folds too: two local moments an hour apart when the clocks go back compare
        # equal (an occurrence of a weekly window is made in local time)
        key = (starts_at, ends_at, all_day, starts_at.fold, ends_at.fold)
        found = self.written.get(key)
        if found is None:
            found = self.written[key] = self._write(starts_at, ends_at, all_day)
        return found

    def _write(self, starts_at, ends_at, all_day: bool) -> tuple[str, str]:
        if all_day:
            first = starts_at.astimezone(self.zone).date()
            last = (ends_at - timedelta(microseconds=1)).astimezone(self.zone).date()
            return first.isoformat(), (last + timedelta(days=1)).isoformat()
        return (
            starts_at.astimezone(self.zone).isoformat(),
            ends_at.astimezone(self.zone).isoformat(),
        )


def link(name: str, value: str) -> str:
    """The path of the page named ``name`` for ``value`` (a release, an RfC)."""
    return Links(name)(value)


#: the layers of the calendar, each asked for on its own by the page (FullCalendar's
#: event sources, fetched side by side and shown or hidden by the reader): a month of a
#: thread's releases, changes and windows was one answer of 240 KB whose parts waited for
#: each other (issue 17)
LAYERS = {
    "releases": "the milestones of the releases and the installations of release packages",
    "changes": "the windows of the changes on the change schedule",
    "windows": "the occurrences of blackout and maintenance windows",
}


def entries(
    user,
    start,
    end,
    filters: Filters | None = None,
    layer: str | None = None,
    per_day: int | None = None,
) -> tuple[list[dict], bool, list[dict]]:
    """The entries of the calendar in [start, end) for the user, of one ``layer`` or of
    all: milestones and packages, RfC windows and the occurrences of blackout and
    maintenance windows, each kind by its start up to its limit (``LIMITS``: milestones
    the earliest to end first, or, ``per_day``, the first of each day); whether any kind
    was cut short; and, ``per_day``, how many more each day holds of each layer."""
    if layer is not None and layer not in LAYERS:
        raise ValueError(f"No such layer of the calendar: {layer!r}")
    filters = filters or Filters()
    span = Span()
    found, truncated, more = [], False, []
    for name, of_layer in (
        ("releases", _release_entries),
        ("changes", _change_entries),
        ("windows", _window_entries),
    ):
        if layer in (None, name):
            days = Days(start, per_day)
            entries_, cut = of_layer(user, start, end, filters, span, days)
            found += entries_
            truncated |= cut
            more += days.more(name)
    return found, truncated, more


def _release_entries(
    user, start, end, filters: Filters, span: Span, days: Days
) -> tuple[list[dict], bool]:
    """The milestones (an installation still to come flagged when it has a conflict) and
    the packages' installations."""
    release_page, package_page = Links("releases:detail"), Links("packages:detail")
    kept = of_releases(user, filters)  # built once: the grants' subqueries cost the ORM
    columns = [
        "id",
        "kind",
        "starts_at",
        "ends_at",
        "all_day",
        "release_id",
        "release__identifier",
        "release__stage",
        "release__application_id",
    ]
    found = milestones(user, start, end, filters, kept)
    if days.per_day is None:
        rows = list(found.values_list(*columns)[: LIMITS["milestone"] + 1])
        truncated = len(rows) > LIMITS["milestone"]
        rows = rows[: LIMITS["milestone"]]
    else:
        on_day = days.first_of_each(found, "starts_at", LIMITS["milestone"])
        truncated = len(on_day) > LIMITS["milestone"]
        first = list(on_day)[: LIMITS["milestone"]]
        rows = list(Milestone.objects.filter(pk__in=first).values_list(*columns))
    rows.sort(key=lambda row: (row[2], row[0]))
    if days.per_day is not None:
        days.count(rows, lambda row: row[2], lambda row: on_day[row[0]])
    installations = [
        Installation(row[5], row[8], row[2], row[3])
        for row in rows
        if row[1] == Milestone.Kind.INSTALLATION and row[7] in STILL_TO_INSTALL
    ]
    flagged = conflicted(installations)
    found = []
    for pk, kind, starts_at, ends_at, all_day, release_id, identifier, stage, *_ in rows:
        first, last = span(starts_at, ends_at, all_day)
        found.append(
            {
                "id": f"m{pk}",
                "type": "milestone",
                "kind": kind,
                "title": f"{identifier} {KIND_LABELS[kind]}",
                "start": first,
                "end": last,
                "all_day": all_day,
                "url": release_page(identifier),
                "release": identifier,
                "stage": stage,
                "cancelled": stage == Stage.CANCELLED,
                "conflict": kind == Milestone.Kind.INSTALLATION and release_id in flagged,
            }
        )
    grouped = list(packages(user, start, end, filters)[: LIMITS["package"] + 1])
    truncated |= len(grouped) > LIMITS["package"]
    for row in days.keep(grouped[: LIMITS["package"]], lambda row: row["first"]):
        pk, reference, name, _, first_at, last_at, count = row.values()
        first, last = span(first_at, last_at, False)
        found.append(
            {
                "id": f"p{pk}",
                "type": "package",
                "kind": Milestone.Kind.INSTALLATION,
                "title": f"{reference} {name}: installation of {count} release"
                + ("s" if count != 1 else ""),
                "start": first,
                "end": last,
                "all_day": False,
                "url": package_page(pk),
                "release": None,
                "stage": None,
                "cancelled": False,
                "conflict": False,
            }
        )
    return found, truncated


def _change_entries(
    user, start, end, filters: Filters, span: Span, days: Days
) -> tuple[list[dict], bool]:
    """The windows of the changes on the change schedule."""
    rfc_page = Links("changes:rfc")
    # the first of the month's changes by their start (the index in order), then their
    # releases: joined before the limit, every change of a busy month was joined to its
    # release and sorted (9,000 a month in the bench, 17 ms; issue 17)
    scheduled = scheduled_rfcs(user, start, end, filters)
    if days.per_day is None:
        first = scheduled.values("id")[: LIMITS["rfc"] + 1]
    else:
        on_day = days.first_of_each(scheduled, "planned_start", LIMITS["rfc"])
        first = list(on_day)
    rfcs = list(
        RfC.objects.filter(pk__in=first)
        .order_by("planned_start", "id")
        .values_list(
            "id",
            "reference",
            "title",
            "status",
            "planned_start",
            "planned_end",
            "release__identifier",
            "release__stage",
        )
    )
    truncated = len(rfcs) > LIMITS["rfc"]
    rfcs = rfcs[: LIMITS["rfc"]]
    if days.per_day is not None:
        days.count(rfcs, lambda row: row[4], lambda row: on_day[row[0]])
    found = []
    for pk, reference, title, status, starts_at, ends_at, identifier, stage in rfcs:
        first, last = span(starts_at, ends_at, False)
        found.append(
            {
                "id": f"r{pk}",
                "type": "rfc",
                "kind": status,
                "title": f"{reference} {title}",
                "start": first,
                "end": last,
                "all_day": False,
                "url": rfc_page(reference),
                "release": identifier,
                "stage": stage,
                "cancelled": False,
                "conflict": False,
            }
        )
    return found, truncated


def _window_entries(
    user, start, end, filters: Filters, span: Span, days: Days
) -> tuple[list[dict], bool]:
    """The occurrences of the blackout and maintenance windows."""
    occurring = sorted(
        (
            (window, starts_at, ends_at)
            for window in windows(user, start, end, filters)
            for starts_at, ends_at in occurrences(window, start, end)
        ),
        key=lambda occurrence: occurrence[1],
    )
    # all read already: cut day by day before the limit, which then cuts the days' firsts
    occurring = days.keep(occurring, lambda occurrence: occurrence[1])
    truncated = len(occurring) > LIMITS["window"]
    found = []
    for window, starts_at, ends_at in occurring[: LIMITS["window"]]:
        first, last = span(starts_at, ends_at, False)
        found.append(
            {
                "id": f"w{window.pk}-{int(starts_at.timestamp())}",
                "type": window.kind,
                "kind": window.kind,
                "title": f"{WINDOW_LABELS[window.kind]}: {window.title}",
                "start": first,
                "end": last,
                "all_day": False,
                "url": None,
                "release": None,
                "stage": None,
                "cancelled": False,
                "conflict": False,
            }
        )
    return found, truncated


# --- the personal iCalendar feed ------------------------------------------------------

#: what the feed holds, around the moment it is read, and the most events of each kind
FEED_PAST, FEED_AHEAD = timedelta(days=31), timedelta(days=366)
FEED_LIMITS = {"milestone": 2000, "rfc": 1000}


def feed_range(now=None) -> tuple[datetime, datetime]:
    now = now or timezone.now()
    return now - FEED_PAST, now + FEED_AHEAD


def feed_milestones(user, start, end, filters: Filters):
    """The milestones of the feed with what their events need: the release, how many
    times each was re-planned (its SEQUENCE) and when last."""
    return (
        milestones(user, start, end, filters)
        .annotate(replans=Count("changes"), replanned_at=Max("changes__changed_at"))
        .values_list(
            "kind",
            "starts_at",
            "ends_at",
            "all_day",
            "replans",
            "replanned_at",
            "release__identifier",
            "release__name",
            "release__stage",
            "release__updated_at",
            "release__application__code",
        )[: FEED_LIMITS["milestone"]]
    )


def feed_rfcs(user, start, end, filters: Filters):
    return scheduled_rfcs(user, start, end, filters).values_list(
        "reference",
        "title",
        "planned_start",
        "planned_end",
        "authorised_at",
        "created_at",
        "release__identifier",
    )[: FEED_LIMITS["rfc"]]


def feed_blackouts(user, start, end, filters: Filters):
    return windows(user, start, end, filters).filter(kind=Window.Kind.BLACKOUT)
