"""RM.1.3 and RM.1.4: the deployment plan with its rollback plan, and the release on the
release schedule."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from dsl.services import missing_from_dsl
from raci import permissions as raci
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
    DeploymentPhase,
    DeploymentPlan,
    PlannedComponent,
    PlanRevision,
    PlanRisk,
    RollbackPlan,
)
from ..plan_content import ITEMS, compare, missing_items, parse_phases, parse_risks, snapshot
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


def _item_texts(items: dict) -> dict:
    """The section 9.3 items as typed, trimmed; anything else is not an item."""
    return {item.slug: (items.get(item.slug) or "").strip() for item in ITEMS}


def _set_content(plan, *, option, risks: str, phases: str, items: dict) -> None:
    """Write the plan's items, risks and phases. A phased deployment lists its phases and
    no other has any; a phase already reported on at RM.6.3 stays (it may be re-dated)."""
    risk_rows = parse_risks(risks or "")
    phase_rows = parse_phases(phases or "")
    if option == DeploymentPlan.Option.PHASED and not phase_rows:
        raise ValidationError({"phases": "A phased deployment lists its phases."})
    existing = {p.name: p for p in plan.phases.all()} if plan.pk else {}
    kept = {r["name"] for r in phase_rows}
    removed = [p for name, p in existing.items() if name not in kept]
    reported = [p.name for p in removed if p.installation_reports.exists()]
    if reported:
        raise ValidationError(
            {"phases": f"{', '.join(reported)}: reported on at RM.6.3 already, it stays."}
        )
    if option != DeploymentPlan.Option.PHASED and (phase_rows or existing):
        if any(p.installation_reports.exists() for p in existing.values()):
            raise ValidationError({"option": "Phases are reported on already: it stays phased."})
        if phase_rows:
            raise ValidationError({"phases": "Only a phased deployment has phases."})
    plan.items = items
    plan.save()
    plan.risks.all().delete()
    PlanRisk.objects.bulk_create(
        PlanRisk(plan=plan, position=n, **row) for n, row in enumerate(risk_rows, start=1)
    )
    DeploymentPhase.objects.filter(pk__in=[p.pk for p in removed]).delete()
    for n, row in enumerate(phase_rows, start=1):
        phase = existing.get(row["name"]) or DeploymentPhase(plan=plan, name=row["name"])
        phase.position, phase.target, phase.planned_date = n, row["target"], row["planned_date"]
        phase.save()


def record_revision(plan, *, by, reason: str, activity: str = "") -> PlanRevision | None:
    """Keep the plan as it stands now as its next revision (who, when, why). The caller
    holds the release's lock, so numbers never collide. No plan, no revision."""
    if plan is None:
        return None
    last = plan.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    plan = DeploymentPlan.objects.prefetch_related("risks", "phases", "components").get(pk=plan.pk)
    return PlanRevision.objects.create(
        plan=plan,
        number=last + 1,
        activity=activity,
        reason=reason,
        revised_by=by,
        content=snapshot(plan),
    )


@transaction.atomic
def initialise_deployment_plan(
    release,
    *,
    by,
    option,
    summary,
    components,
    last_known_good_build,
    rollback_procedure,
    risks="",
    phases="",
    **items,
) -> DeploymentPlan:
    """RM.1.3: the deployment plan (with the components it expects, and what of section
    9.3 is known already: the back-out is the rollback procedure unless it says more) and
    the rollback plan every release has from the start. Its first revision."""
    release = begin_activity(release, "RM.1.3", by=by)
    rows = _parse_components(components)
    if not rows:
        raise ValidationError({"components": "List at least one component to be delivered."})
    texts = _item_texts(items)
    texts["back_out"] = texts["back_out"] or (
        f"Back to {last_known_good_build}: {rollback_procedure}".strip()
    )
    plan = DeploymentPlan.objects.create(release=release, option=option, summary=summary)
    _set_content(plan, option=option, risks=risks, phases=phases, items=texts)
    PlannedComponent.objects.bulk_create(
        PlannedComponent(plan=plan, name=n, version=v) for n, v in rows
    )
    RollbackPlan.objects.create(
        release=release, last_known_good_build=last_known_good_build, procedure=rollback_procedure
    )
    record_revision(plan, by=by, reason="Initialised (RM.1.3).", activity="RM.1.3")
    audit.record(
        actor=by,
        action="deployment_plan_initialised",
        obj=plan,
        release=release,
        after={
            "option": option,
            "components": [f"{n} {v}" for n, v in rows],
            "last_known_good_build": last_known_good_build,
            "missing": missing_items(plan),
        },
    )
    mark_done(release, "RM.1.3", by=by)
    return plan


@transaction.atomic
def revise_deployment_plan(
    release, *, by, reason, option, summary, risks="", phases="", based_on=None, **items
) -> PlanRevision:
    """Between RM.1.3 and RM.6.7 the deployment coordinator (or whoever is R or A of
    RM.1.3, RM.3.1 or RM.6.7 on the release) revises the plan, saying why; the revision
    keeps the whole plan, so that it can be compared with any other. ``based_on`` (the
    revision the reviser read) refuses a revision made meanwhile by someone else."""
    release = lock(release)
    if not raci.may_revise_deployment_plan(by, release):
        raise PermissionDenied(raci.why_not_perform(release, "RM.3.1"))
    if not release.is_open:
        raise Conflict(f"{release.identifier} is {release.get_stage_display().lower()}.")
    plan = DeploymentPlan.objects.filter(release=release).first()
    if plan is None:
        raise Conflict("Initialise the deployment plan first (RM.1.3).", missing=["RM.1.3"])
    if not isinstance(reason, str) or not reason.strip():
        raise ValidationError({"reason": "Say why the plan is revised."})
    current = plan.revisions.order_by("-number").first()
    if based_on and current and based_on != current.number:
        raise Conflict(
            f"Revision {current.number} was made meanwhile by {current.revised_by}: "
            "reload the plan and revise that one."
        )
    before = current.content if current else snapshot(plan)
    plan.option, plan.summary = option, summary
    _set_content(plan, option=option, risks=risks, phases=phases, items=_item_texts(items))
    revision = record_revision(plan, by=by, reason=reason.strip())
    changes = compare(before, revision.content)
    audit.record(
        actor=by,
        action="deployment_plan_revised",
        obj=revision,
        release=release,
        after={
            "revision": revision.number,
            "reason": revision.reason,
            "changed": [f"{c['kind']} {c['label']}: {c['change']}" for c in changes],
        },
    )
    return revision


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
    as published is the baseline its slippage is measured against.

    The deployment plan must hold every item of BS 15000-2 section 9.3 first: a release
    plan published with an empty back-out, sign-off or risk list is a plan nobody can
    hold the deployment to. So a missing item blocks publication (409 naming each), not
    just a warning; the coordinator revises the plan, and RM.1.4 is performed again."""
    release = begin_activity(release, "RM.1.4", by=by)
    require_done(release, "RM.1.3")
    lacking = missing_items(DeploymentPlan.objects.filter(release=release).first())
    if lacking:
        raise Conflict(
            "The deployment plan lacks items of BS 15000-2 9.3; revise it first: "
            + "; ".join(lacking)
            + ".",
            missing=lacking,
        )
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
