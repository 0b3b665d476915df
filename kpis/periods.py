"""The periods the KPIs are counted over (seed 002 section 5.3: per quarter, semester and
year), and a custom range. A period is a span of days, ``start`` to ``end`` both
included; the one before it has the same kind (the previous quarter, semester or year;
before a custom range, as many days just before it)."""

import datetime
import re
from dataclasses import dataclass

from django.utils import timezone

#: how a period is written in the query string: 2026-Q3, 2026-H1, 2026
PATTERN = re.compile(r"(?P<year>\d{4})(?:-(?P<kind>[QH])(?P<number>\d))?")
EARLIEST, LATEST = 1900, 9999


@dataclass(frozen=True)
class Period:
    kind: str  # quarter, semester, year, custom
    start: datetime.date
    end: datetime.date  # included

    @property
    def key(self) -> str:
        """How the period is written in a link (``period=``); a custom one by its days."""
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.kind == "semester":
            return f"{self.start.year}-H{(self.start.month - 1) // 6 + 1}"
        if self.kind == "year":
            return str(self.start.year)
        return "custom"

    @property
    def label(self) -> str:
        if self.kind == "custom":
            return f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d}"
        return self.key

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def moments(self) -> tuple[datetime.datetime, datetime.datetime]:
        """The period as [first moment, first moment after it), in the site's time zone."""
        return moments(self.start, self.end)

    def previous(self) -> "Period":
        if self.start.year <= EARLIEST and self.kind != "custom":
            return self
        if self.kind == "quarter":
            return quarter_of(self.start - datetime.timedelta(days=1))
        if self.kind == "semester":
            return semester_of(self.start - datetime.timedelta(days=1))
        if self.kind == "year":
            return year_of(self.start.year - 1)
        end = self.start - datetime.timedelta(days=1)
        if end.year < EARLIEST:
            return self
        start = max(end - datetime.timedelta(days=self.days - 1), datetime.date(EARLIEST, 1, 1))
        return Period("custom", start, end)


#: the ends of time a moment may take here (no time zone could move them out of range)
FIRST_MOMENT = datetime.datetime(1, 1, 2, tzinfo=datetime.UTC)
LAST_MOMENT = datetime.datetime(9999, 12, 30, tzinfo=datetime.UTC)


def moments(start, end) -> tuple[datetime.datetime, datetime.datetime]:
    """The days ``start`` to ``end`` (included; None: open) as [first moment, first
    moment after them), in the site's time zone."""
    low = (
        timezone.make_aware(datetime.datetime.combine(start, datetime.time.min))
        if start and start.year > 1
        else FIRST_MOMENT
    )
    if end is None or end >= datetime.date(LATEST, 12, 29):
        return low, LAST_MOMENT
    after = end + datetime.timedelta(days=1)
    return low, timezone.make_aware(datetime.datetime.combine(after, datetime.time.min))


def _month_end(year: int, month: int) -> datetime.date:
    if month == 12:
        return datetime.date(year, 12, 31)
    return datetime.date(year, month + 1, 1) - datetime.timedelta(days=1)


def quarter_of(day: datetime.date) -> Period:
    first = 3 * ((day.month - 1) // 3) + 1
    return Period("quarter", datetime.date(day.year, first, 1), _month_end(day.year, first + 2))


def semester_of(day: datetime.date) -> Period:
    first = 1 if day.month <= 6 else 7
    return Period("semester", datetime.date(day.year, first, 1), _month_end(day.year, first + 5))


def year_of(year: int) -> Period:
    return Period("year", datetime.date(year, 1, 1), datetime.date(year, 12, 31))


def parse(text: str) -> Period | None:
    """2026-Q3, 2026-H1 or 2026; None for anything else."""
    match = PATTERN.fullmatch(text or "")
    if not match:
        return None
    year = int(match["year"])
    if not EARLIEST <= year <= LATEST:
        return None
    if match["kind"] is None:
        return year_of(year)
    number = int(match["number"])
    if match["kind"] == "Q" and 1 <= number <= 4:
        return quarter_of(datetime.date(year, 3 * number, 1))
    if match["kind"] == "H" and 1 <= number <= 2:
        return semester_of(datetime.date(year, 6 * number, 1))
    return None


def last_quarters(period: Period, count: int = 8) -> list[Period]:
    """The ``count`` quarters up to the one ``period`` ends in, oldest first."""
    quarters = [quarter_of(period.end)]
    while len(quarters) < count and quarters[0].start.year > EARLIEST:
        quarters.insert(0, quarters[0].previous())
    return quarters
