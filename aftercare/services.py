"""The writes of what comes after go-live. Hypercare (seed 002 section 5: "the Run Team
provides hypercare support to monitor stability, handle incidents, and trigger rollback
plan if needed"; seed 003 early life support until the exit criteria are achieved):
started by the go-live (RM.6.5), incidents recorded against the release by the parties
that operate it, closed by the release manager with why. One transaction each, the
release's row locked first; every write audited."""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from raci import permissions as raci
from raci.release_types import rule
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releases.policy import policy_of
from releases.services import lock

from . import criteria
from .models import Hypercare, Incident

#: the longest text kept for a reason
TEXT_MAX = 100_000


def hypercare_days(release) -> int:
    """The application's policy says how long hypercare lasts, or else the release type."""
    policy = policy_of(release.application)
    if policy is not None and policy.hypercare_days is not None:
        return policy.hypercare_days
    return rule(release.release_type).hypercare_days


@transaction.atomic
def start_hypercare(release, *, by=None, at=None) -> Hypercare:
    """RM.6.5 done: the release is live and hypercare starts (once: a re-installation
    after a rollback goes on with the same hypercare, reopened if it was closed)."""
    release = lock(release)
    at = at or timezone.now()
    days = hypercare_days(release)
    hypercare = Hypercare.objects.filter(release=release).first()
    if hypercare is not None:
        if hypercare.is_open:
            return hypercare
        hypercare.closed_at = hypercare.closed_by = None
        hypercare.close_reason = hypercare.override_reason = ""
        hypercare.unmet_at_close = []
    else:
        hypercare = Hypercare(release=release)
    hypercare.started_at, hypercare.days, hypercare.started_by = at, days, by
    hypercare.ends_at = at + datetime.timedelta(days=days)
    hypercare.save()
    audit.record(
        actor=by,
        action="hypercare_started",
        obj=hypercare,
        release=release,
        after={"days": days, "ends_at": hypercare.ends_at.isoformat()},
    )
    return hypercare


def _open_hypercare(release) -> Hypercare:
    hypercare = Hypercare.objects.select_for_update().filter(release=release).first()
    if hypercare is None:
        raise Conflict(
            f"{release.identifier} is not in hypercare: it starts when the successful "
            "installation is published.",
            missing=["RM.6.5 Publish successful installation"],
        )
    if not hypercare.is_open:
        raise Conflict(f"The hypercare of {release.identifier} is closed.")
    return hypercare


def _reference(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({"reference": "Give the incident's reference."})
    if len(value) > 40 or not re.match(Incident.REFERENCE_PATTERN, value):
        raise ValidationError(
            {"reference": "Letters, digits and . - _ / (at most 40), for example INC-2027-0042."}
        )
    return value


def _text(field: str, value: str, what: str, *, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: what})
    if len(value) > TEXT_MAX:
        raise ValidationError({field: f"At most {TEXT_MAX} characters."})
    return value


def _resolved(opened_at, resolved_at):
    if resolved_at is not None and resolved_at < opened_at:
        raise ValidationError({"resolved_at": "An incident is resolved after it is opened."})
    return resolved_at


@transaction.atomic
def record_incident(
    release,
    *,
    by,
    reference,
    title,
    priority,
    opened_at,
    major=False,
    caused_by_release=Incident.Cause.UNKNOWN,
    resolved_at=None,
) -> Incident:
    """An incident against the release during hypercare, by a party that operates it."""
    release = lock(release)
    if not raci.may_record_incident(by, release):
        raise PermissionDenied(
            "Incidents in hypercare are recorded by the parties that operate the release: "
            "its deployment coordinator, the release manager, the service desk, the "
            "infrastructure and application managers."
        )
    hypercare = _open_hypercare(release)
    reference = _reference(reference)
    title = _text("title", title, "Say what happened.")
    if len(title) > 200:
        raise ValidationError({"title": "At most 200 characters."})
    if priority not in Incident.Priority.values:
        raise ValidationError({"priority": "P1, P2, P3 or P4."})
    if caused_by_release not in Incident.Cause.values:
        raise ValidationError({"caused_by_release": "Yes, no or unknown."})
    if opened_at is None:
        raise ValidationError({"opened_at": "When was it opened?"})
    _resolved(opened_at, resolved_at)
    if Incident.objects.filter(release=release, reference__iexact=reference).exists():
        raise ValidationError(
            {"reference": f"{reference} is recorded against {release.identifier} already."}
        )
    incident = Incident.objects.create(
        hypercare=hypercare,
        release=release,
        reference=reference,
        title=title,
        priority=priority,
        major=bool(major),
        caused_by_release=caused_by_release,
        opened_at=opened_at,
        resolved_at=resolved_at,
        recorded_by=by,
    )
    audit.record(
        actor=by,
        action="incident_recorded",
        obj=incident,
        release=release,
        after={
            "reference": reference,
            "title": title,
            "priority": priority,
            "major": incident.major,
            "caused_by_release": caused_by_release,
            "opened_at": opened_at.isoformat(),
            "resolved_at": resolved_at.isoformat() if resolved_at else None,
        },
    )
    return incident


@transaction.atomic
def resolve_incident(release, reference: str, *, by, resolved_at=None) -> Incident:
    """An incident of the release is resolved (now, or when it says)."""
    release = lock(release)
    if not raci.may_record_incident(by, release):
        raise PermissionDenied("Only the parties that operate the release resolve its incidents.")
    hypercare = _open_hypercare(release)
    incident = Incident.objects.filter(hypercare=hypercare, reference=reference).first()
    if incident is None:
        raise ValidationError({"reference": f"No incident {reference} on {release.identifier}."})
    if incident.resolved_at is not None:
        raise Conflict(f"{incident.reference} is resolved already.")
    incident.resolved_at = _resolved(incident.opened_at, resolved_at or timezone.now())
    incident.save(update_fields=["resolved_at"])
    audit.record(
        actor=by,
        action="incident_resolved",
        obj=incident,
        release=release,
        before={"resolved_at": None},
        after={"resolved_at": incident.resolved_at.isoformat()},
    )
    return incident


@transaction.atomic
def close_hypercare(release, *, by, reason, override_reason="") -> Hypercare:
    """Hypercare ends with who closed it and why: refused (409 naming them) while an exit
    criterion is unmet, unless the release manager says why it ends all the same."""
    release = lock(release)
    if not raci.may_close_hypercare(by, release):
        raise PermissionDenied(raci.why_not_perform(release, "RM.6.7"))
    hypercare = _open_hypercare(release)
    reason = _text("reason", reason, "Say why hypercare ends.")
    override_reason = _text("override_reason", override_reason, "", required=False)
    unmet = criteria.unmet(hypercare, list(hypercare.incidents.all()))
    if unmet and not override_reason:
        raise Conflict(
            "Hypercare has exit criteria not met: wait for them, or say why it ends all the same.",
            missing=unmet,
        )
    hypercare.closed_at, hypercare.closed_by = timezone.now(), by
    hypercare.close_reason = reason
    hypercare.unmet_at_close = unmet
    hypercare.override_reason = override_reason if unmet else ""
    hypercare.save()
    audit.record(
        actor=by,
        action="hypercare_closed",
        obj=hypercare,
        release=release,
        after={"reason": reason, "unmet": unmet, "override_reason": hypercare.override_reason},
    )
    return hypercare
