"""RM.1.3 and RM.1.4: the deployment plan with its rollback plan, and the release on the
release schedule."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from dsl.services import missing_from_dsl
from releasemgmt.audit import services as audit
from releases.communications import (
    business_threads,
    communicate,
)
from releases.planning import take_baseline
from releases.services import begin_activity, mark_done, require_done

from ..models import (
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


@transaction.atomic
def publish_release_schedule(release, *, by):
    """RM.1.4: the release appears on the release schedule (the Release Plan of Table 4-2,
    published on the web portal) and the business threads are told. The plan as
    published is the baseline its slippage is measured against."""
    release = begin_activity(release, "RM.1.4", by=by)
    require_done(release, "RM.1.3")
    release.published_at = timezone.now()
    release.save(update_fields=["published_at", "updated_at"])
    take_baseline(release)
    communicate(
        release,
        "RM.1.4",
        by=by,
        interface="Release Plan",
        mail="rm_1_4_release_plan",
        to=business_threads(release),
        link=schedule_link(),
    )
    mark_done(release, "RM.1.4", by=by)
    return release


def dsl_gaps(release) -> list[str]:
    """RM.2.3, RM.6.7: planned components with no matching component (name and version)
    in the DSL."""
    planned = PlannedComponent.objects.filter(plan__release=release)
    return missing_from_dsl(release, planned.values_list("name", "version"))
