"""Change management as release management needs it: RfCs and their CAB decision."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from raci import services as raci
from releasemgmt.audit import services as audit

from .models import RfC

CHANGE_MANAGER = "ITSM Change Manager"


def _require_change_manager(user):
    if not raci.holds_party(user, CHANGE_MANAGER):
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
    if rfc.status == RfC.Status.IMPLEMENTED:
        raise ValidationError({"cab_decision": f"{rfc.reference} is implemented already."})
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
