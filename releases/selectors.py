"""Reads for release pages and the API: each a fixed number of queries."""

from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, Subquery
from django.shortcuts import get_object_or_404
from django_fsm import can_proceed, has_transition_perm

from raci import permissions as raci
from raci.models import Assignment, ReleaseGroupObjectPermission, ReleaseUserObjectPermission
from raci.permissions import Parties
from releasemgmt.audit.models import AuditEntry
from releasemgmt.notifications.models import Communication, Recipient

from . import lifecycle
from .models import STAGE_NUMBER, ActivityRecord, Release


def visible_releases(user, queryset=None):
    """The releases (of ``queryset``, by default all) this user may see, as one query."""
    return raci.visible_releases(user, Release.objects.all() if queryset is None else queryset)


def coordinator_username():
    """Subquery: the username of the release's deployment coordinator (RM.1.2)."""
    return Assignment.objects.filter(
        release=OuterRef("pk"), party__name=Parties.DEPLOYMENT_COORDINATOR, user__isnull=False
    ).values("user__username")[:1]


def release_list(user, queryset=None):
    """The releases a user may see, with what a list row shows, in one query."""
    return (
        visible_releases(user, queryset)
        .select_related("application")
        .annotate(coordinator=Subquery(coordinator_username()))
    )


def visible_release_or_404(user, identifier: str) -> Release:
    """A release the user may see; 404 otherwise (not 403: its existence is not theirs)."""
    return get_object_or_404(
        visible_releases(user).select_related("application"), identifier=identifier
    )


def open_now(queryset):
    """Activity records that are pending in the stage their release is in now."""
    in_current_stage = Q()
    for stage, number in STAGE_NUMBER.items():
        in_current_stage |= Q(release__stage=stage, activity__stage=number)
    return queryset.filter(in_current_stage, status=ActivityRecord.Status.PENDING)


def waiting_for(user):
    """Start page: the open activities this user is R or A for. The releases are first
    narrowed to those where the user holds some 'perform' permission (one semi-join), and
    a user who performs nothing anywhere (a business thread, the service desk) costs one
    index lookup."""
    mine = ReleaseUserObjectPermission.objects.filter(user=user)
    groups = ReleaseGroupObjectPermission.objects.filter(group__user=user)
    performing = (
        mine.filter(permission__codename__startswith="perform_")
        .values("content_object_id")
        .union(
            groups.filter(permission__codename__startswith="perform_").values("content_object_id")
        )
    )
    if not performing.exists():
        return ActivityRecord.objects.none()
    may = Exists(
        mine.filter(
            content_object=OuterRef("release_id"), permission=OuterRef("activity__permission")
        )
    ) | Exists(
        groups.filter(
            content_object=OuterRef("release_id"), permission=OuterRef("activity__permission")
        )
    )
    records = ActivityRecord.objects.filter(release_id__in=performing).filter(may)
    return (
        open_now(records)
        .select_related("release", "release__application", "activity")
        .order_by("release__planned_installation_date", "activity__position")
    )


def audit_trail(release, limit=None):
    entries = AuditEntry.objects.filter(release=release).select_related("actor")
    return entries[:limit] if limit else entries


#: transitions a user fires by hand; the others follow from the activities
MANUAL_TRANSITIONS = ["return_for_correction", "reauthorise", "close_failed", "cancel"]


def manual_transitions(user, release) -> list[str]:
    """The hand-fired transitions the stage allows and the user may fire."""
    return [
        name
        for name in MANUAL_TRANSITIONS
        if can_proceed(getattr(release, name), check_conditions=False)
        and has_transition_perm(getattr(release, name), user)
    ]


def notification_requested(release) -> bool:
    """Has the deployment coordinator asked the service desk to notify the users (RM.6.1,
    RM.6.6), in any round: the release then has mass notifications to follow."""
    return release.notification_requests.exists()


def release_evidence(release) -> dict:
    """Decisions, documents and communications for the release page (fixed queries)."""
    return {
        "decisions": release.decisions.select_related("business_thread", "recorded_by"),
        # A count per communication, and only the failed recipients' rows (with their user).
        "communications": Communication.objects.filter(release=release)
        .annotate(addressees=Count("recipients"))
        .prefetch_related(
            Prefetch(
                "recipients",
                queryset=Recipient.objects.filter(status=Recipient.Status.FAILED).select_related(
                    "user"
                ),
                to_attr="failed_recipients",
            )
        )[:30],
    }


def transition_states(user, release) -> list[dict]:
    """Every stage transition with what stands in its way for this user now: whether
    the stage allows it, whether the user is R or A for its activity, and the gate
    activities still missing (read only for those the stage allows)."""
    states = []
    for name, activity in lifecycle.TRANSITION_ACTIVITY.items():
        possible = can_proceed(getattr(release, name), check_conditions=False)
        states.append(
            {
                "name": name,
                "activity": activity,
                "possible_from_stage": possible,
                "may_fire": raci.may_perform(user, release, activity),
                "needs_reason": name in lifecycle.NEED_A_REASON,
                "missing": lifecycle.missing_gates(release, name) if possible else [],
            }
        )
    return states


def holders_of(release, parties=None):
    """Active users holding any of ``parties`` (by default any party) on the release:
    named people and members of a team alike, as one query."""
    rows = Assignment.objects.filter(release=release)
    if parties is not None:
        rows = rows.filter(party__in=parties)
    return (
        get_user_model()
        .objects.filter(
            Q(id__in=rows.filter(user__isnull=False).values("user_id"))
            | Q(groups__in=rows.filter(group__isnull=False).values("group_id")),
            is_active=True,
        )
        .distinct()
    )


def people_on(release):
    """Who a task of the release's deployment plan can be assigned to: whoever holds a
    party on it."""
    return holders_of(release).order_by("username")
