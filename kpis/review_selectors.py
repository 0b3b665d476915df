"""Reads of the quarterly review (seed 002 section 6: "KPIs are reviewed quarterly to
decide improvement actions"): the quarters to review, and one quarter's page, its KPIs
with the quarter before, the lessons learned in it and the improvement actions still
open, in a fixed number of queries whatever their number."""

from dataclasses import dataclass

from django.db.models import Prefetch
from django.utils import timezone

from aftercare.models import ImprovementAction, Lesson
from raci import permissions as raci
from releases.models import Release

from . import periods, selectors
from .models import QuarterlyReview, QuarterlyReviewAction

#: how many quarters back the list of reviews goes (those with a review are always there)
LISTED = 8
#: the open actions are counted up to this many; past it the page says "more than" (a
#: count of them all grew with the years: 86,000 at 100,000 releases, 13 ms; issue 17)
ACTIONS_COUNTED_UP_TO = 1_000


def quarter(text: str):
    """The quarter ``2026-Q3`` names, None for anything else (a semester, a year, a
    quarter 5, a year out of range)."""
    period = periods.parse(text or "")
    return period if period is not None and period.kind == "quarter" else None


def may_read(user) -> bool:
    """The figures of the review are of every release: ITSM staff, who see them all."""
    return raci.sees_all_releases(user)


@dataclass(frozen=True)
class Listed:
    period: periods.Period
    review: QuarterlyReview | None

    @property
    def key(self) -> str:
        return self.period.key


def listed_quarters(today=None) -> list[Listed]:
    """The last eight quarters up to this one, and every earlier quarter with a recorded
    review, newest first (two queries)."""
    today = today or timezone.localdate()
    recent = periods.last_quarters(periods.quarter_of(today), LISTED)
    reviews = {r.quarter_start: r for r in QuarterlyReview.objects.select_related("recorded_by")}
    starts = {q.start for q in recent} | set(reviews)
    return [
        Listed(periods.quarter_of(start), reviews.get(start))
        for start in sorted(starts, reverse=True)
    ]


def _review_of(period):
    actions = QuarterlyReviewAction.objects.select_related("owner").order_by("due_date", "id")
    return (
        QuarterlyReview.objects.select_related("recorded_by")
        .prefetch_related("participants", Prefetch("actions", queryset=actions))
        .filter(quarter_start=period.start)
        .first()
    )


#: how many lessons and open actions the review page lists (the counts say how many more)
SHOWN = 20


def _visible(user):
    """A subquery of the releases the user may see; None when they see every one."""
    if raci.sees_all_releases(user):
        return None
    return raci.visible_releases(user, Release.objects.all()).values("pk")


def lessons_of(user, period) -> tuple[list, int]:
    """The lessons learned recorded in the quarter, of every application, oldest first:
    the first ``SHOWN`` and how many there are."""
    low, high = period.moments()
    lessons = Lesson.objects.filter(created_at__gte=low, created_at__lt=high)
    visible = _visible(user)
    if visible is not None:
        lessons = lessons.filter(release_id__in=visible)
    shown = list(
        lessons.select_related("release", "application", "author").order_by("created_at", "id")[
            :SHOWN
        ]
    )
    return shown, (len(shown) if len(shown) < SHOWN else lessons.count())


def open_actions(user, today=None) -> tuple[list[dict], int]:
    """The improvement actions not done now, the earliest due first (late: past it):
    those of the releases' post-release reviews and those of the quarterly reviews; the
    first ``SHOWN`` and how many there are, exactly up to ``ACTIONS_COUNTED_UP_TO`` (one
    more meaning more than that)."""
    today = today or timezone.localdate()
    of_releases = ImprovementAction.objects.exclude(status=ImprovementAction.Status.DONE)
    visible = _visible(user)
    if visible is not None:
        of_releases = of_releases.filter(release_id__in=visible)
    of_quarters = QuarterlyReviewAction.objects.filter(status=QuarterlyReviewAction.Status.OPEN)
    rows = [
        {
            "title": a.title,
            "owner": a.owner,
            "due_date": a.due_date,
            "status": a.get_status_display(),
            "late": a.due_date < today,
            "release": a.release,
            "quarter": "",
        }
        for a in of_releases.select_related("owner", "release").order_by("due_date", "id")[:SHOWN]
    ]
    rows += [
        {
            "title": a.title,
            "owner": a.owner,
            "due_date": a.due_date,
            "status": a.get_status_display(),
            "late": a.due_date < today,
            "release": None,
            "quarter": periods.quarter_of(a.review.quarter_start).key,
        }
        for a in of_quarters.select_related("owner", "review").order_by("due_date", "id")[:SHOWN]
    ]
    total, bound = len(rows), ACTIONS_COUNTED_UP_TO + 1
    if total >= SHOWN:
        total = of_releases.order_by()[:bound].count() + of_quarters.order_by()[:bound].count()
    return sorted(rows, key=lambda r: (r["due_date"], r["title"]))[:SHOWN], min(total, bound)


def review_page(user, period) -> dict:
    """Everything the quarter's review page shows: the KPIs with the quarter before (the
    KPI page's own report), the lessons learned in the quarter, the improvement actions
    open now, the review and its actions, and what ``user`` may do there."""
    report = selectors.report(user, period, selectors.Slices())
    review = _review_of(period)
    today = timezone.localdate()
    may_record = raci.may_record_quarterly_review(user)
    lessons, lessons_count = lessons_of(user, period)
    actions_open, actions_count = open_actions(user, today)
    actions = list(review.actions.all()) if review else []
    return {
        "period": period,
        "previous": report["previous"],
        "report": report,
        "kpis": report["kpis"],
        "lessons": lessons,
        "lessons_count": lessons_count,
        "open_actions": actions_open,
        "open_actions_count": actions_count,
        "open_actions_more": actions_count > ACTIONS_COUNTED_UP_TO,
        "actions_counted_up_to": f"{ACTIONS_COUNTED_UP_TO:,}",
        "review": review,
        "participants": list(review.participants.all()) if review else [],
        "review_actions": [
            {
                "action": a,
                "late": a.status == QuarterlyReviewAction.Status.OPEN and a.due_date < today,
                "may_move": may_record or a.owner_id == user.pk,
            }
            for a in actions
        ],
        "may_record": may_record,
    }
