"""RM.1.3 and RM.1.4: the deployment plan with its rollback plan, and the release on the
release schedule."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dsl.services import missing_from_dsl
from raci.permissions import Parties, require_perform
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releases.communications import (
    business_threads,
    communicate,
    parties,
)
from releases.planning import take_baseline
from releases.services import begin_activity, lock, mark_done, require_done

from ..conflicts import conflicts_of
from ..models import (
    ConflictAcknowledgement,
    DeploymentPlan,
    PlannedComponent,
    RollbackPlan,
)
from .links import schedule_link


def _parse_components(text: str) -> list[tuple[str, str]]:
    """'name version' per line -> [(name, version)]; a clear error for a bad line (no
    name and version, or one longer than a planned component takes)."""
    limits = {
        part: PlannedComponent._meta.get_field(part).max_length for part in ("name", "version")
    }
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, _, version = line.rpartition(" ")
        if not name or not version:
            raise ValidationError({"components": f"Line {number}: write 'name version'."})
        name, version = name.strip(), version.strip()
        for part, value in (("name", name), ("version", version)):
            if len(value) > limits[part]:
                message = f"Line {number}: a {part} has at most {limits[part]} characters."
                raise ValidationError({"components": message})
        rows.append((name, version))
    if len({n for n, _ in rows}) != len(rows):
        raise ValidationError({"components": "A component is listed twice."})
    return rows


@transaction.atomic
def initialise_deployment_plan(
    release, *, by, option, summary, components, last_known_good_build, rollback_procedure
) -> DeploymentPlan:
    """RM.1.3: the deployment plan (with the components it expects) and the rollback plan
    every release has from the start."""
    release = begin_activity(release, "RM.1.3", by=by)
    rows = _parse_components(components)
    if not rows:
        raise ValidationError({"components": "List at least one component to be delivered."})
    plan = DeploymentPlan.objects.create(release=release, option=option, summary=summary)
    PlannedComponent.objects.bulk_create(
        PlannedComponent(plan=plan, name=n, version=v) for n, v in rows
    )
    RollbackPlan.objects.create(
        release=release, last_known_good_build=last_known_good_build, procedure=rollback_procedure
    )
    audit.record(
        actor=by,
        action="deployment_plan_initialised",
        obj=plan,
        release=release,
        after={
            "option": option,
            "components": [f"{n} {v}" for n, v in rows],
            "last_known_good_build": last_known_good_build,
        },
    )
    mark_done(release, "RM.1.3", by=by)
    return plan


def open_conflicts(release) -> list:
    """The conflicts of the release's installation not acknowledged yet."""
    acknowledged = set(release.conflict_acknowledgements.values_list("key", flat=True))
    return [f for f in conflicts_of(release) if f.key not in acknowledged]


@transaction.atomic
def acknowledge_conflict(release, *, by, key: str, reason: str) -> ConflictAcknowledgement:
    """RM.1.4: the release manager accepts a conflict, saying why (audited)."""
    release = lock(release)
    require_perform(by, release, "RM.1.4")
    if not release.is_open:
        raise Conflict(f"{release.identifier} is {release.get_stage_display().lower()}.")
    finding = next((f for f in conflicts_of(release) if f.key == key), None)
    if finding is None:
        raise ValidationError({"key": "There is no such conflict now; reload the release."})
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError({"reason": "Say why the release goes ahead despite it."})
    if release.conflict_acknowledgements.filter(key=key).exists():
        raise Conflict("This conflict is acknowledged already.")
    ack = ConflictAcknowledgement.objects.create(
        release=release,
        key=key,
        message=finding.message,
        reason=reason.strip(),
        acknowledged_by=by,
    )
    audit.record(
        actor=by,
        action="conflict_acknowledged",
        obj=ack,
        release=release,
        after={"conflict": finding.message, "reason": ack.reason},
    )
    return ack


@transaction.atomic
def publish_release_schedule(release, *, by):
    """RM.1.4: the release appears on the release schedule (the Release Plan of Table 4-2,
    published on the web portal) and the business threads are told. A conflict of its
    installation must be acknowledged first; the change manager hears of those. The plan
    as published is the baseline its slippage is measured against."""
    release = begin_activity(release, "RM.1.4", by=by)
    require_done(release, "RM.1.3")
    unacknowledged = [f.message for f in open_conflicts(release)]
    if unacknowledged:
        raise Conflict(
            "Acknowledge each conflict with a reason first: " + " ".join(unacknowledged),
            missing=unacknowledged,
        )
    acknowledged = list(release.conflict_acknowledgements.all())
    release.published_at = timezone.now()
    release.save(update_fields=["published_at", "updated_at"])
    take_baseline(release)
    communicate(
        release,
        "RM.1.4",
        by=by,
        interface="Release Plan",
        mail="rm_1_4_release_plan",
        context={"conflicts": acknowledged},
        to=business_threads(release),
        cc=parties(Parties.CHANGE_MANAGER) if acknowledged else (),
        link=schedule_link(),
    )
    mark_done(release, "RM.1.4", by=by)
    return release


def dsl_gaps(release) -> list[str]:
    """RM.2.3, RM.6.7: planned components with no matching component (name and version)
    in the DSL."""
    planned = PlannedComponent.objects.filter(plan__release=release)
    return missing_from_dsl(release, planned.values_list("name", "version"))
