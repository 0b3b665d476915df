"""Reads of the satisfaction survey, each in a fixed number of queries."""

from django.db.models import Avg, Count, Q, Sum

from raci import permissions

from .models import Survey


def survey_of(release, user) -> Survey | None:
    """The user's own survey of the release, if they were asked."""
    if not user.is_authenticated:
        return None
    return (
        Survey.objects.filter(release=release, respondent=user)
        .select_related("release", "thread")
        .first()
    )


def release_satisfaction(release, user) -> dict:
    """What the release page's section shows the user: a release manager every survey of
    the release with the average score; anyone else their own survey only (three
    queries at most, however many were asked)."""
    reads_all = permissions.may_read_satisfaction(user, release)
    surveys = Survey.objects.filter(release=release).select_related("respondent", "thread")
    if not reads_all:
        surveys = surveys.filter(respondent_id=user.pk)
    surveys = list(surveys)
    answered = [s for s in surveys if s.answered_at]
    average = None
    if reads_all and answered:
        average = round(sum(s.score for s in answered) / len(answered), 1)
    return {
        "surveys": surveys,
        "reads_all": reads_all,
        "average": average,
        "answered_count": len(answered),
        "owed_count": len(surveys) - len(answered),
        "mine": next((s for s in surveys if s.respondent_id == user.pk), None),
    }


def satisfaction_figures(release, user) -> dict:
    """The figures of a release's survey as the post-release review shows them: for a
    reader of every answer (``release_satisfaction``) the average score and how many
    answered and still owe, counted in one query; for anyone else nothing to count (the
    page links to their own answer)."""
    reads_all = permissions.may_read_satisfaction(user, release)
    if not reads_all:
        return {"reads_all": False, "average": None, "answered_count": 0, "owed_count": 0}
    answered = Q(answered_at__isnull=False)
    row = Survey.objects.filter(release=release).aggregate(
        total=Sum("score", filter=answered),
        answered=Count("id", filter=answered),
        asked=Count("id"),
    )
    average = round(row["total"] / row["answered"], 1) if row["answered"] else None
    return {
        "reads_all": True,
        "average": average,
        "answered_count": row["answered"],
        "owed_count": row["asked"] - row["answered"],
    }


def average_score(surveys=None, *, since=None, until=None) -> dict:
    """The KPI of seed 002 section 5.3 over ``surveys`` (all by default), answered in
    [since, until): ``{"average": float | None, "answers": int, "asked": int}`` in one
    query; the KPI pages give their period and their releases."""
    surveys = Survey.objects.all() if surveys is None else surveys
    answered = Q(answered_at__isnull=False)
    if since is not None:
        answered &= Q(answered_at__gte=since)
    if until is not None:
        answered &= Q(answered_at__lt=until)
    row = surveys.aggregate(
        average=Avg("score", filter=answered),
        answers=Count("id", filter=answered),
        asked=Count("id"),
    )
    if row["average"] is not None:
        row["average"] = round(float(row["average"]), 2)
    return row


def average_by_release(releases) -> dict[int, float]:
    """{release id: its average score} for the releases given, in one query."""
    rows = (
        Survey.objects.filter(release__in=releases, answered_at__isnull=False)
        .values("release_id")
        .annotate(average=Avg("score"))
    )
    return {r["release_id"]: round(float(r["average"]), 2) for r in rows}


def owed_by(user, limit: int = 20) -> list[Survey]:
    """The surveys the user has not answered yet, oldest first (the start page)."""
    if not user.is_authenticated:
        return []
    return list(
        Survey.objects.filter(respondent=user, answered_at__isnull=True)
        .select_related("release", "thread")
        .order_by("asked_at", "id")[:limit]
    )
