"""RM.2: a delivery received: consistent (RM.2.1), complete (RM.2.2), in the DSL
(RM.2.3) with its documentation (RM.2.4)."""

from django.core.exceptions import ValidationError
from django.db import transaction

from changes import services as changes
from dsl import services as dsl
from raci.permissions import Parties
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releases.communications import (
    business_threads,
    communicate,
    parties,
)
from releases.services import begin_activity, mark_done

from ..models import (
    CompletenessCheck,
    ConsistencyCheck,
    DeploymentPlan,
    PlannedComponent,
)
from .links import activity_link
from .planning import dsl_gaps


@transaction.atomic
def verify_consistency(
    release, *, by, plan_completed, documents_present, missing="", complementary_rfc_title=""
) -> ConsistencyCheck:
    """RM.2.1: the completed deployment plan, every CAB-approved change and the technical
    documents. Inconsistent: a complementary RfC is raised and the business threads told."""
    release = begin_activity(release, "RM.2.1", by=by)
    has_rfcs = release.rfcs.exists()
    undecided = changes.without_cab_approval(release)
    # A change found missing (the complementary RfC it raises) is itself an inconsistency.
    changes_present = has_rfcs and not undecided and not complementary_rfc_title.strip()
    consistent = plan_completed and documents_present and changes_present
    reported = plan_completed and documents_present
    if not reported and not (missing.strip() or complementary_rfc_title.strip()):
        # The plan or the documents: only the user knows what lacks. RfCs without CAB
        # approval are named by the check itself.
        raise ValidationError(
            {"missing": "Say what is missing of the plan or the technical documents."}
        )
    rfc = None
    if not consistent and complementary_rfc_title.strip():
        rfc = changes.raise_complementary_rfc(release, by=by, title=complementary_rfc_title.strip())
        undecided = changes.without_cab_approval(release)  # it names the new one too
    check = ConsistencyCheck.objects.create(
        release=release,
        plan_completed=plan_completed,
        changes_present=changes_present,
        documents_present=documents_present,
        consistent=consistent,
        missing="\n".join(
            filter(
                None,
                [
                    missing.strip(),
                    *([f"RfCs without CAB approval: {', '.join(undecided)}"] if undecided else []),
                    *(["No RfC is included in the release."] if not has_rfcs else []),
                ],
            )
        ),
        complementary_rfc=rfc,
        recorded_by=by,
    )
    DeploymentPlan.objects.filter(release=release).update(
        completed_by_application_manager=plan_completed
    )
    audit.record(
        actor=by,
        action="consistency_verified",
        obj=check,
        release=release,
        after={
            "consistent": consistent,
            "missing": check.missing,
            "complementary_rfc": rfc.reference if rfc else None,
        },
    )
    if consistent:
        mark_done(release, "RM.2.1", by=by, outcome="consistent")
    else:
        communicate(
            release,
            "RM.2.1",
            by=by,
            interface="Notification in case of inconsistant delivery",
            mail="rm_2_1_inconsistent_delivery",
            context={"check": check, "rfc": rfc},
            to=business_threads(release),
            cc=parties(Parties.RELEASE_MANAGER, Parties.CHANGE_MANAGER),
        )
    return check


@transaction.atomic
def verify_completeness(release, *, by, delivered, missing_items="") -> CompletenessCheck:
    """RM.2.2: every component of the deployment plan delivered. If not, the missing
    items are requested from the 3rd party developers, the business thread in copy."""
    release = begin_activity(release, "RM.2.2", by=by)
    planned = list(PlannedComponent.objects.filter(plan__release=release))
    delivered_ids = {c.pk for c in delivered}
    if not delivered_ids <= {c.pk for c in planned}:
        raise ValidationError({"delivered": "Only components of this release's plan."})
    lacking = [f"{c.name} {c.version}" for c in planned if c.pk not in delivered_ids]
    complete = not lacking
    text = "\n".join(filter(None, [*lacking, missing_items.strip()]))
    check = CompletenessCheck.objects.create(
        release=release, complete=complete, missing_items=text, recorded_by=by
    )
    audit.record(
        actor=by,
        action="completeness_verified",
        obj=check,
        release=release,
        after={"complete": complete, "missing_items": text},
    )
    if complete:
        mark_done(release, "RM.2.2", by=by, outcome="complete")
    else:
        communicate(
            release,
            "RM.2.2",
            by=by,
            interface="Notification in case of incomplete delivery",
            mail="rm_2_2_incomplete_delivery",
            context={"missing": text},
            to=parties(Parties.DEVELOPERS),
            cc=business_threads(release),
        )
    return check


@transaction.atomic
def update_dsl(release, *, by):
    """RM.2.3: the DSL holds every planned component; the configuration manager is told."""
    release = begin_activity(release, "RM.2.3", by=by)
    gaps = dsl_gaps(release)
    if gaps:
        raise Conflict("Not in the DSL yet: " + ", ".join(gaps) + ".", missing=gaps)
    communicate(
        release,
        "RM.2.3",
        by=by,
        mail="rm_2_3_dsl_updated",
        to=parties(Parties.CONFIGURATION_MANAGER),
        link=activity_link(release, "RM.2.3"),
    )
    mark_done(release, "RM.2.3", by=by)


@transaction.atomic
def maintain_dsl_documentation(release, *, by):
    """RM.2.4: the technical documentation, installation document included, is in the DSL."""
    release = begin_activity(release, "RM.2.4", by=by)
    if not dsl.has_installation_document(release):
        raise Conflict(
            "The installation document is not in the DSL yet.", missing=["Installation document"]
        )
    mark_done(release, "RM.2.4", by=by)
