"""The reads of what comes after go-live, each in a fixed number of queries: a
release's hypercare with its incidents, exit criteria and timeline (the rollback of
RM.6.4 in it, as the deployments room records it)."""

from dataclasses import dataclass

from django.utils import timezone

from deployments.models import RollbackPlan
from raci import permissions as raci
from releases.models import Release

from . import criteria
from .models import Hypercare, Incident


@dataclass(frozen=True)
class Moment:
    at: object
    what: str
    who: str = ""


def _timeline(hypercare, incidents, rollback_at) -> list[Moment]:
    moments = [Moment(hypercare.started_at, "Hypercare started (RM.6.5 published)")]
    for i in incidents:
        moments.append(Moment(i.opened_at, f"{i.reference} opened ({i.priority}): {i.title}"))
        if i.resolved_at:
            moments.append(Moment(i.resolved_at, f"{i.reference} resolved"))
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
    rollback_at = (
        RollbackPlan.objects.filter(release=release).values_list("initiated_at", flat=True).first()
    )
    rollback_at = rollback_at if rollback_at and rollback_at >= hypercare.started_at else None
    is_open = hypercare.is_open
    return {
        "hypercare": hypercare,
        "incidents": incidents,
        "open_incidents": [i for i in incidents if i.resolved_at is None],
        "criteria": criteria.exit_criteria(hypercare, incidents),
        "timeline": _timeline(hypercare, incidents, rollback_at),
        "rolled_back_at": rollback_at,
        "may_record": is_open and raci.may_record_incident(user, release),
        "may_close": is_open and raci.may_close_hypercare(user, release),
    }


#: how many rows of each kind the start page lists
START_SHOWN = 20


def start_items(user) -> dict:
    """What aftercare owes the user, for the start page (a fixed number of queries): the
    open incidents of releases in hypercare, for the parties that operate them (late:
    the hypercare period is over)."""
    incidents = []
    if raci.operates_releases(user):
        visible = raci.visible_releases(user, Release.objects.all()).values("pk")
        incidents = list(
            Incident.objects.filter(
                resolved_at__isnull=True,
                hypercare__closed_at__isnull=True,
                release_id__in=visible,
            )
            .select_related("release", "hypercare")
            .order_by("priority", "opened_at")[:START_SHOWN]
        )
    now = timezone.now()
    return {
        "incidents": [(i, i.hypercare.ends_at < now) for i in incidents],
    }
