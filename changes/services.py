"""Change management as release management needs it: RfCs, their CAB decision, their
inclusion in a release (RM.1.1), the complementary RfC of an inconsistent delivery
(RM.2.1) and their implementation at closure (RM.6.7). Every write to an RfC is here."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from raci import permissions
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releases.models import ActivityRecord, Stage
from releases.services import lock

from .models import RfC


def _require_change_manager(user):
    if not permissions.may_register_rfcs(user):
        raise PermissionDenied("Only an ITSM Change Manager records RfCs and CAB decisions.")


@transaction.atomic
def register_rfc(*, by, reference, title) -> RfC:
    _require_change_manager(by)
    if RfC.objects.filter(reference=reference).exists():
        raise ValidationError({"reference": f"{reference} exists already."})
    rfc = RfC.objects.create(reference=reference, title=title, created_by=by)
    audit.record(actor=by, action="rfc_registered", obj=rfc, after={"title": title})
    return rfc


@transaction.atomic
def record_cab_decision(rfc, *, by, cab_decision) -> RfC:
    """The CAB approves or rejects an RfC; the RfC's status follows."""
    _require_change_manager(by)
    if cab_decision not in (RfC.CabDecision.APPROVED, RfC.CabDecision.REJECTED):
        raise ValidationError({"cab_decision": "Approved or rejected."})
    rfc = RfC.objects.select_for_update().get(pk=rfc.pk)
    if rfc.cab_decision != RfC.CabDecision.PENDING:
        raise Conflict(
            f"The CAB's decision on {rfc.reference} is recorded already "
            f"({rfc.get_cab_decision_display().lower()}): it is recorded once."
        )
    before = {"cab_decision": rfc.cab_decision, "status": rfc.status}
    rfc.cab_decision = cab_decision
    rfc.status = RfC.Status.APPROVED if cab_decision == "approved" else RfC.Status.REJECTED
    rfc.save(update_fields=["cab_decision", "status"])
    audit.record(
        actor=by,
        action="cab_decision",
        obj=rfc,
        release=rfc.release,
        before=before,
        after={"cab_decision": rfc.cab_decision, "status": rfc.status},
    )
    return rfc


@transaction.atomic
def include_rfc(release, *, by, rfc: RfC) -> RfC:
    """RM.1.1: include a Change Implementation Request in the release, until its
    consistency is verified (RM.2.1)."""
    release = lock(release)
    permissions.require_perform(by, release, "RM.1.1")
    consistency_done = ActivityRecord.objects.filter(
        release=release, activity__code="RM.2.1", status=ActivityRecord.Status.DONE
    ).exists()
    if release.stage not in (Stage.PLANNING, Stage.RECEIVING) or consistency_done:
        raise Conflict("RfCs are included until the release's consistency is verified (RM.2.1).")
    if rfc.status in (RfC.Status.REJECTED, RfC.Status.IMPLEMENTED):
        raise ValidationError({"rfc": f"{rfc.reference} is {rfc.get_status_display().lower()}."})
    taken = RfC.objects.filter(pk=rfc.pk, release__isnull=True).update(release=release)
    if not taken:
        raise ValidationError({"rfc": f"{rfc.reference} is already in a release."})
    rfc.refresh_from_db()
    audit.record(
        actor=by,
        action="rfc_included",
        obj=rfc,
        release=release,
        after={"rfc": rfc.reference},
    )
    return rfc


def without_cab_approval(release) -> list[str]:
    """RM.2.1: the references of the release's RfCs the CAB has not approved."""
    return list(
        release.rfcs.exclude(cab_decision=RfC.CabDecision.APPROVED).values_list(
            "reference", flat=True
        )
    )


def raise_complementary_rfc(release, *, by, title: str) -> RfC:
    """RM.2.1: a late change found missing (a COTS, more storage...) is raised as a
    complementary RfC of the release. Called inside the consistency check."""
    number = RfC.objects.filter(release=release, complementary=True).count() + 1
    rfc = RfC.objects.create(
        reference=f"RFC-C-{release.pk}-{number}",
        title=title,
        release=release,
        complementary=True,
        created_by=by,
    )
    return rfc


def mark_implemented(release, *, by) -> int:
    """RM.6.7: the release's CAB-approved RfCs are implemented (the installation
    succeeded). Returns how many. Called inside the closure."""
    rfcs = release.rfcs.filter(cab_decision=RfC.CabDecision.APPROVED).exclude(
        status=RfC.Status.IMPLEMENTED
    )
    return rfcs.update(status=RfC.Status.IMPLEMENTED, implemented_at=timezone.now())
