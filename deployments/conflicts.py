"""The conflicts of a release's installation, rule by rule (RM.1.4: tell the change
manager and the business of "any difficulty (conflicts between Release Plan, FSC and/or
MCP)"; seed 002's risk of "multiple overlapping releases affecting the same domains").

Each rule reads the installation window (the release's installation milestone) and names
what it collides with: another release of the same application, a blackout, the
application's maintenance windows, the deployment coordinator's other installations, an
authorised change on the same application. Every conflict has a key that stays the same
while the conflict does, so an acknowledgement holds until something new comes up.

The rules live here, above releases and changes, because one of them reads the change
schedule."""

from dataclasses import dataclass

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from changes.models import RfC
from raci.models import Assignment, Party
from raci.permissions import Parties
from releasemgmt.windows import overlaps
from releases.models import Milestone, Release, Stage, Window
from releases.planning import occurrences


@dataclass(frozen=True)
class Finding:
    rule: str
    key: str
    message: str
    link: str = ""


def _when(start, end) -> str:
    start, end = timezone.localtime(start), timezone.localtime(end)
    return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"


def installation_window(release):
    """(start, end) of the release's installation milestone, or None."""
    milestone = Milestone.objects.filter(release=release, kind=Milestone.Kind.INSTALLATION).first()
    return (milestone.starts_at, milestone.ends_at) if milestone else None


def _open_installations(start, end):
    """Installation milestones of releases still to install that meet [start, end)."""
    return Milestone.objects.filter(
        overlaps("starts_at", "ends_at", start, end),
        kind=Milestone.Kind.INSTALLATION,
        release__stage__in=[s for s in Stage.values if s not in (Stage.CLOSED, Stage.CANCELLED)],
    ).select_related("release")


def same_application(release, start, end) -> list[Finding]:
    """Two releases of one application installed in overlapping windows."""
    others = (
        _open_installations(start, end)
        .filter(release__application_id=release.application_id)
        .exclude(release=release)
    )
    return [
        Finding(
            "same_application",
            f"same_application:{m.release.identifier}",
            f"{m.release.identifier} of the same application installs "
            f"{_when(m.starts_at, m.ends_at)}.",
            reverse("releases:detail", args=[m.release.identifier]),
        )
        for m in others.order_by("starts_at")
    ]


def blackout(release, start, end) -> list[Finding]:
    """The installation falls in a blackout: global, of the application or of one of the
    release's business threads."""
    threads = Assignment.objects.filter(
        release=release, party__kind=Party.Kind.BUSINESS_THREAD
    ).values("party_id")
    windows = Window.objects.filter(kind=Window.Kind.BLACKOUT, starts_at__lt=end).filter(
        Q(application__isnull=True, business_thread__isnull=True)
        | Q(application_id=release.application_id)
        | Q(business_thread_id__in=threads)
    )
    found = []
    for w in windows.order_by("starts_at", "id"):
        hits = occurrences(w, start, end)
        if hits:
            found.append(
                Finding(
                    "blackout",
                    f"blackout:{w.pk}",
                    f"The installation falls in the blackout '{w.title}' "
                    f"({_when(*hits[0])}){': ' + w.reason if w.reason else ''}.",
                )
            )
    return found


def maintenance(release, start, end) -> list[Finding]:
    """When the application has maintenance windows, the installation fits in one."""
    windows = list(
        Window.objects.filter(kind=Window.Kind.MAINTENANCE, application_id=release.application_id)
    )
    if not windows:
        return []
    for w in windows:
        if any(s <= start and end <= e for s, e in occurrences(w, start, end)):
            return []
    names = ", ".join(sorted(w.title for w in windows))
    return [
        Finding(
            "maintenance",
            "maintenance",
            f"The installation ({_when(start, end)}) is outside the maintenance windows of "
            f"{release.application.code.upper()} ({names}).",
        )
    ]


def coordinator(release, start, end) -> list[Finding]:
    """The deployment coordinator is booked on another installation at the same time."""
    party = Party.objects.filter(name=Parties.DEPLOYMENT_COORDINATOR).values("id")
    named = Assignment.objects.filter(release=release, party_id__in=party, user__isnull=False)
    person = named.values_list("user_id", flat=True).first()
    if person is None:
        return []
    theirs = Assignment.objects.filter(party_id__in=party, user_id=person).values("release_id")
    others = _open_installations(start, end).filter(release_id__in=theirs).exclude(release=release)
    return [
        Finding(
            "coordinator",
            f"coordinator:{m.release.identifier}",
            f"The deployment coordinator also installs {m.release.identifier} "
            f"{_when(m.starts_at, m.ends_at)}.",
            reverse("releases:detail", args=[m.release.identifier]),
        )
        for m in others.order_by("starts_at")
    ]


def changes(release, start, end) -> list[Finding]:
    """An authorised change on the same application whose window or projected outage
    overlaps the installation (and that this release does not carry)."""
    rfcs = (
        RfC.objects.filter(
            status__in=(RfC.Status.AUTHORISED, RfC.Status.SCHEDULED),
            applications=release.application_id,
        )
        .filter(
            (overlaps("planned_start", "planned_end", start, end) & Q(planned_end__isnull=False))
            | Q(outage_start__lt=end, outage_end__gt=start)
        )
        .exclude(release=release)
        .order_by("planned_start", "id")
    )
    return [
        Finding(
            "change",
            f"change:{r.reference}",
            f"{r.reference} {r.title} is planned {_when(r.planned_start, r.planned_end)}"
            + (f", outage {_when(r.outage_start, r.outage_end)}" if r.outage_start else "")
            + ".",
            reverse("changes:rfc", args=[r.reference]),
        )
        for r in rfcs
    ]


RULES = (same_application, blackout, maintenance, coordinator, changes)


def conflicts_of(release: Release) -> list[Finding]:
    """Every conflict of the release's installation window, rule by rule."""
    window = installation_window(release)
    if window is None:
        return []
    return [finding for rule in RULES for finding in rule(release, *window)]
