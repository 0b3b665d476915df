"""The reads of what comes after go-live, each in a fixed number of queries: a
release's hypercare with its incidents, exit criteria and timeline (the rollback of
RM.6.4 in it, as the deployments room records it)."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from deployments.models import RollbackPlan
from raci import permissions as raci
from raci.permissions import Parties
from raci.release_types import ReleaseType
from releases.models import (
    ActivityRecord,
    Milestone,
    MilestoneChange,
    Release,
    ReleasePolicy,
    StageChange,
)
from releases.stages import ActivityStatus, Stage
from satisfaction.selectors import satisfaction_figures

from . import criteria, lessons
from .models import Hypercare, ImprovementAction, Incident, PostReleaseReview
from .services import REVIEWED_BY


@dataclass(frozen=True)
class Moment:
    at: object
    what: str
    who: str = ""


def _timeline(hypercare, incidents, rollback_at, triggered=None) -> list[Moment]:
    moments = [Moment(hypercare.started_at, "Hypercare started (RM.6.5 published)")]
    for i in incidents:
        moments.append(Moment(i.opened_at, f"{i.reference} opened ({i.priority}): {i.title}"))
        if i.resolved_at:
            moments.append(Moment(i.resolved_at, f"{i.reference} resolved"))
    if triggered:
        moments.append(
            Moment(triggered["at"], f"Rollback triggered: {triggered['reason']}", triggered["by"])
        )
    if rollback_at:
        moments.append(Moment(rollback_at, "Rolled back to the last known good build (RM.6.4)"))
    if hypercare.closed_at:
        who = str(hypercare.closed_by) if hypercare.closed_by_id else ""
        moments.append(
            Moment(hypercare.closed_at, f"Hypercare closed: {hypercare.close_reason}", who)
        )
    return sorted(moments, key=lambda m: m.at)


def hypercare_of(release, user) -> dict:
    """The release's hypercare as its page and section show it, with what ``user`` may do
    there (five queries at most, whatever the number of incidents)."""
    hypercare = Hypercare.objects.select_related("closed_by").filter(release=release).first()
    if hypercare is None:
        return {"hypercare": None, "incidents": [], "criteria": [], "timeline": []}
    incidents = list(hypercare.incidents.select_related("recorded_by"))
    plan = (
        RollbackPlan.objects.filter(release=release)
        .values("initiated_at", "triggered_at", "trigger_reason", "triggered_by__username")
        .first()
    ) or {}
    rollback_at = plan.get("initiated_at")
    rollback_at = rollback_at if rollback_at and rollback_at >= hypercare.started_at else None
    triggered_at = plan.get("triggered_at")
    triggered = (
        {
            "at": triggered_at,
            "by": plan.get("triggered_by__username") or "",
            "reason": plan.get("trigger_reason") or "",
        }
        if triggered_at is not None and triggered_at >= hypercare.started_at
        else None
    )
    is_open = hypercare.is_open
    return {
        "hypercare": hypercare,
        "incidents": incidents,
        "open_incidents": [i for i in incidents if i.resolved_at is None],
        "criteria": criteria.exit_criteria(hypercare, incidents),
        "timeline": _timeline(hypercare, incidents, rollback_at, triggered),
        "rolled_back_at": rollback_at,
        "may_record": is_open and raci.may_record_incident(user, release),
        "may_close": is_open and raci.may_close_hypercare(user, release),
        "rollback_triggered": triggered,
        "may_trigger_rollback": (
            is_open
            and triggered is None
            and release.stage == Stage.INSTALLATION
            and raci.may_perform(user, release, "RM.6.4")
        ),
    }


#: how many rows of each kind the start page lists
START_SHOWN = 20


#: what the start page shows of an open incident in hypercare, and its release's stage
#: (django-fsm reads it as a release is made): the incidents' releases and hypercare
#: periods read whole cost the ORM more than the query (issue 17)
INCIDENT_SHOWN = (
    "release_id",
    "hypercare_id",
    "reference",
    "title",
    "priority",
    "major",
    "opened_at",
    "release__identifier",
    "release__stage",
    "hypercare__ends_at",
)


def start_items(user) -> dict:
    """What aftercare owes the user, for the start page (a fixed number of queries): the
    open incidents of releases in hypercare, for the parties that operate them (late:
    the hypercare period is over)."""
    incidents = []
    if raci.operates_releases(user):
        # asked of the incident's release id: as a subquery of the visible releases, a
        # user who sees them all had each open incident's release read twice (issue 17)
        incidents = list(
            Incident.objects.filter(
                raci.sees_release_in(user, "release_id"),
                resolved_at__isnull=True,
                hypercare__closed_at__isnull=True,
            )
            .select_related("release", "hypercare")
            .only(*INCIDENT_SHOWN)
            .order_by("priority", "opened_at")[:START_SHOWN]
        )
    now = timezone.now()
    return {
        "incidents": [(i, i.hypercare.ends_at < now) for i in incidents],
        "reviews": reviews_owed(user),
        "actions": actions_owed(user),
    }


# --- the post-release review ------------------------------------------------------------


def review_facts(release) -> dict:
    """What the post-release review asks of the release's records, in one query: whether
    it was rolled back (RM.6.4), went live (hypercare), failed its installation (RM.6.3),
    whether its application's policy reviews every release, and its installation as
    planned (the baseline RM.1.4 took, or the plan as it stands) and done (RM.6.5). Six
    queries of their own before, a third of the page's SQL (issue 17)."""
    mine = OuterRef("pk")
    performed = ActivityRecord.objects.filter(release=mine).order_by()
    installation = Milestone.objects.filter(release=mine, kind=Milestone.Kind.INSTALLATION)
    planned = installation.order_by("id").values(at=Coalesce("baseline_starts_at", "starts_at"))
    return (
        Release.objects.filter(pk=release.pk)
        .values(
            rolled=Exists(StageChange.objects.filter(release=mine, transition="roll_back")),
            live=Exists(Hypercare.objects.filter(release=mine)),
            failed=Exists(performed.filter(activity__code="RM.6.3", outcome="failure")),
            every_release=Exists(
                ReleasePolicy.objects.filter(
                    application_id=OuterRef("application_id"), review_every_release=True
                )
            ),
            planned=Subquery(planned[:1]),
            actual=Subquery(
                performed.filter(activity__code="RM.6.5", status=ActivityStatus.DONE)
                .order_by("id")
                .values("performed_at")[:1]
            ),
        )
        .get()
    )


def review_reasons(release, facts: dict) -> list[str]:
    """Why the release owes a post-release review (empty: it does not): a major or
    emergency release, a failed installation or a rollback, or the application's policy
    that reviews every release (seed 002 section 6: "after each release"); ``facts``:
    ``review_facts``."""
    reasons = []
    if release.release_type in (ReleaseType.MAJOR, ReleaseType.EMERGENCY):
        kind = release.get_release_type_display().lower()
        reasons.append(f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} release")
    if facts["rolled"]:
        reasons.append("rolled back")
    elif facts["failed"]:
        reasons.append("its installation failed")
    if facts["every_release"]:
        reasons.append("the application's policy reviews every release")
    return reasons


def planned_against_actual(release, facts: dict) -> dict:
    """The installation as planned against its go-live (``review_facts``), with the
    re-plans in between."""
    planned, actual = facts["planned"], facts["actual"]
    replans = list(
        MilestoneChange.objects.filter(
            milestone__release=release, milestone__kind=Milestone.Kind.INSTALLATION
        )
        .order_by("changed_at")
        .values("starts_before", "starts_after", "reason", "changed_at")
    )
    planned_day = (
        timezone.localtime(planned).date() if planned else release.planned_installation_date
    )
    actual_day = timezone.localtime(actual).date() if actual else None
    return {
        "planned": planned_day,
        "actual": actual_day,
        "slip_days": (actual_day - planned_day).days if actual_day and planned_day else None,
        "replans": replans,
    }


def review_of(release, user) -> dict:
    """The release's post-release review as the API gives it: why it is owed, what the
    records say (planned against actual, hypercare's incidents, the rollback), the
    review itself and its improvement actions (a fixed number of queries)."""
    review = PostReleaseReview.objects.select_related("recorded_by").filter(release=release).first()
    actions = (
        list(review.actions.select_related("owner").order_by("due_date", "id")) if review else []
    )
    facts = review_facts(release)
    live = facts["rolled"] or facts["live"]
    reasons = review_reasons(release, facts)
    may_write = live and raci.may_perform(user, release, REVIEWED_BY)
    today = timezone.localdate()
    return {
        "review": review,
        "reasons": reasons,
        "required": bool(reasons),
        "live": live,
        "owed": bool(reasons) and live and review is None,
        "schedule": planned_against_actual(release, facts),
        "incidents": list(Incident.objects.filter(release=release).order_by("opened_at", "id")),
        "rolled_back": facts["rolled"],
        "actions": [
            (a, a.status != ImprovementAction.Status.DONE and a.due_date < today) for a in actions
        ],
        "may_write": may_write,
        "may_add_action": may_write and review is not None,
        "user_id": getattr(user, "pk", None),
    }


def review_page_of(release, user) -> dict:
    """The review as its page shows it: ``review_of`` with the review's lessons and the
    satisfaction survey's figures (stakeholder feedback, seed 002 section 6). The API's
    review has neither, and reading them cost it three of its fourteen queries."""
    data = review_of(release, user)
    return data | {
        "lessons": lessons.of_review(data["review"]),
        "satisfaction": satisfaction_figures(release, user),
    }


def reviews_owed(user, limit: int = START_SHOWN) -> list:
    """Releases live or rolled back that owe their post-release review, for the release
    manager's start page: each as the values the page shows (identifier, name, end of
    hypercare) with whether it is late (hypercare is over)."""
    if not raci.holds_party(user, Parties.RELEASE_MANAGER):
        return []
    # the few releases that owe it, read on their own, the newest first: the live ones
    # whose review is not written (a partial index) and that must have one, and the
    # rolled-back ones without a review; the first ``limit`` of them, then their rows.
    # Asked as a condition of the release list, they were tried on every release since
    # go-live (79 ms at 100,000 releases); given to it as a list of all of them, their
    # 710 ids took 16 ms to write and read (issue 17)
    rolled_back = StageChange.objects.filter(transition="roll_back")
    required = (
        Q(release__release_type__in=[ReleaseType.MAJOR, ReleaseType.EMERGENCY])
        | Q(release_id__in=rolled_back.values("release_id"))
        | Q(release__application__policy__review_every_release=True)
    )
    seen = raci.sees_release_in(user, "release_id")
    unreviewed = Hypercare.objects.filter(required, seen, reviewed=False)
    rolled = rolled_back.filter(seen).exclude(
        Exists(PostReleaseReview.objects.filter(release_id=OuterRef("release_id")))
    )
    owed = (
        unreviewed.order_by()
        .values_list("release_id", flat=True)
        .union(rolled.order_by().values_list("release_id", flat=True))
        .order_by("-release_id")[:limit]
    )
    rows = (
        Release.objects.filter(pk__in=owed)
        .order_by("-id")
        .values("identifier", "name", "hypercare__ends_at")
    )
    now = timezone.now()
    return [(r, bool(r["hypercare__ends_at"] and r["hypercare__ends_at"] < now)) for r in rows]


def actions_owed(user, limit: int = START_SHOWN) -> list:
    """The improvement actions the user owns and has not done (late: past due)."""
    today = timezone.localdate()
    rows = (
        ImprovementAction.objects.filter(owner=user)
        .exclude(status=ImprovementAction.Status.DONE)
        .select_related("release")
        .order_by("due_date", "id")[:limit]
    )
    return [(a, a.due_date < today) for a in rows]
