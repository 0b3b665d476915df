"""The business threads' decisions (GO/NOGO, approval, authorisation, rollback
validation, CT go-ahead): evidence, never edited, superseded only by a decision on a
newer report or plan (DESIGN section 2)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from raci import permissions as raci
from raci.models import Party
from raci.permissions import DEPLOYMENT_PARTIES, Parties
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releasemgmt.files import sha256_of, validate_upload
from releases.communications import (
    business_threads,
    communicate,
    parties,
)
from releases.models import ActivityRecord
from releases.registry import working_stage
from releases.services import lock, move_release

from ..models import (
    DECISION_ACTIVITY,
    Decision,
    RollbackPlan,
    TestReport,
)


def decision_basis(release, kind):
    """The record a decision of ``kind`` rests on now: the latest report or plan of the
    current round (a corrected delivery or a re-authorisation starts a new round: what was
    decided before it no longer counts)."""
    since = {"uploaded_at__gt": release.round_started_at} if release.round_started_at else {}
    if kind == Decision.Kind.PSAT:
        reports = release.test_reports.filter(kind=TestReport.Kind.PSAT, **since)
        return "test_report", reports.first()
    if kind == Decision.Kind.SAT:
        reports = release.test_reports.exclude(kind=TestReport.Kind.PSAT).filter(**since)
        return "test_report", reports.first()
    if kind in (Decision.Kind.INSTALLATION_PLAN, Decision.Kind.AUTHORISATION):
        return "installation_plan", release.installation_plans.filter(**since).first()
    if kind == Decision.Kind.ROLLBACK:
        reports = release.installation_reports.filter(**since)
        failed = reports.filter(successful=False).first()
        if failed is None and _triggered_in_hypercare(release):
            # the installation that went live is the one rolled back
            return "installation_report", reports.first()
        return "installation_report", failed
    return None, None


def _triggered_in_hypercare(release) -> bool:
    """The rollback was triggered after a successful installation of this round."""
    since = {"triggered_at__gt": release.round_started_at} if release.round_started_at else {}
    return RollbackPlan.objects.filter(
        release=release, triggered_at__isnull=False, **since
    ).exists()


def current_decisions(release, kind) -> dict[int, Decision]:
    """Per business thread id, its decision of ``kind`` not superseded by a later one."""
    current = {}
    for d in release.decisions.filter(kind=kind, superseded_by__isnull=True):
        current.setdefault(d.business_thread_id, d)
    return current


def pending_threads(release, kind) -> list[str]:
    """Affected threads whose current decision is not a GO on the current basis."""
    field, basis = decision_basis(release, kind)
    current = current_decisions(release, kind)
    lacking = []
    for thread in business_threads(release):
        d = current.get(thread.id)
        ok = (
            d is not None
            and d.verdict == Decision.Verdict.GO
            and (field is None or (basis is not None and getattr(d, f"{field}_id") == basis.pk))
        )
        if not ok:
            lacking.append(thread.name)
    return lacking


@transaction.atomic
def record_decision(
    release,
    *,
    by,
    kind,
    business_thread,
    verdict,
    decided_by_name="",
    decided_at=None,
    evidence=None,
    evidence_note="",
    consequence="",
    channel=Decision.Channel.TOOL,
    request=None,
):
    """A business thread's decision (RM.4.1, RM.4.2 GO/NOGO; RM.5.1 approval; RM.5.2
    authorisation; RM.6.4 rollback validation; RM.7.1 CT go-ahead), recorded by a user of
    that thread, or on its behalf, with evidence, by a party R or A for the activity.
    During a delegation a deputy does either for their principal, and the decision says
    "deputy of" them. Nobody decides on what they submitted themselves, nor a deputy on
    what their principal submitted (``raci.counts_as``), nor a principal on what their
    deputy submitted for them (``raci.stood_in_for``)."""
    code = DECISION_ACTIVITY[kind]
    release = lock(release)
    if (
        business_thread.kind != Party.Kind.BUSINESS_THREAD
        or not business_threads(release).filter(pk=business_thread.pk).exists()
    ):
        raise ValidationError(
            {"business_thread": "Not an affected business thread of this release."}
        )
    own_thread = business_thread in raci.parties_on_release(by, release)
    on_behalf = not own_thread and raci.may_perform(by, release, code)
    if own_thread:
        deputy_of = raci.principal_holding(by, release, business_thread)
    else:
        deputy_of = raci.deputising_for(by, release, code) if on_behalf else None
    raci.note_deputising(by, release, deputy_of)
    approval = kind in (Decision.Kind.INSTALLATION_PLAN, Decision.Kind.AUTHORISATION)
    if not own_thread and (approval or not on_behalf):
        raise PermissionDenied(
            f"Only a user of {business_thread} may record its decision"
            + (
                ""
                if approval
                else f", or a party Responsible or Accountable for {code} on its behalf"
            )
            + "."
        )
    if on_behalf and not (evidence or evidence_note.strip()):
        raise ValidationError(
            {
                "evidence": "On behalf of a thread, attach its decision "
                "(for example the acceptance e-mail)."
            }
        )
    expected_stage = working_stage(code)
    if release.stage != expected_stage:
        raise Conflict(
            f"Decisions for {code} are taken in {expected_stage.label}; "
            f"{release.identifier} is in {release.get_stage_display()}."
        )
    if ActivityRecord.objects.filter(
        release=release, activity__code=code, status=ActivityRecord.Status.DONE
    ).exists():
        raise Conflict(f"{code} is already done: the decision can no longer change it.")
    field, basis = decision_basis(release, kind)
    if field and basis is None:
        raise Conflict(
            "There is nothing to decide on yet: no report or plan was submitted.",
            missing=[f"{code} report or plan"],
        )
    if basis is not None and getattr(basis, "uploaded_by_id", None) in raci.counts_as(by):
        raise PermissionDenied(
            "Nobody decides on what they submitted themselves"
            + (
                ""
                if basis.uploaded_by_id == by.pk
                else ", nor a deputy on what the one they stand in for submitted"
            )
            + "."
        )
    uploader = getattr(basis, "uploaded_by_id", None)
    if uploader not in (None, by.pk) and raci.stood_in_for(uploader, by, basis.uploaded_at):
        raise PermissionDenied("Nobody decides on what their deputy submitted for them.")
    if on_behalf and not decided_by_name.strip():
        raise ValidationError({"decided_by_name": "Name who decided for the thread."})
    own_name = by.get_full_name() or by.get_username()
    if not on_behalf and decided_by_name.strip() not in ("", own_name, by.get_username()):
        raise ValidationError(
            {
                "decided_by_name": "You record your own decision: leave this empty. "
                "Someone else's decision is recorded on the thread's behalf."
            }
        )
    if decided_at is not None:
        _check_decided_at(release, basis, decided_at)
    if kind == Decision.Kind.AUTHORISATION and pending_threads(
        release, Decision.Kind.INSTALLATION_PLAN
    ):
        raise Conflict("The installation plan is not approved by every affected thread yet.")
    previous = current_decisions(release, kind).get(business_thread.id)
    same_basis = previous is not None and (
        field is None or getattr(previous, f"{field}_id") == basis.pk
    )
    # A NOGO to the rollback or to conformance testing has no re-test: the thread may
    # change its mind (both decisions stay on the record).
    reconsidered = (
        same_basis
        and previous.verdict == Decision.Verdict.NOGO
        and kind in (Decision.Kind.ROLLBACK, Decision.Kind.CT_GO_AHEAD)
    )
    if same_basis and not reconsidered:
        raise Conflict(
            f"{business_thread} has decided already ({previous.verdict_label} on "
            f"{previous.decided_at:%Y-%m-%d}); a new decision needs a re-test or a new plan."
        )
    retest_nogo = kind in (Decision.Kind.PSAT, Decision.Kind.SAT) and verdict == "nogo"
    if retest_nogo and consequence not in Decision.Consequence.values:
        raise ValidationError(
            {"consequence": "After a NOGO, choose: corrected delivery or cancel the release."}
        )
    decision = Decision(
        release=release,
        kind=kind,
        business_thread=business_thread,
        verdict=verdict,
        decided_by_name=decided_by_name.strip() if on_behalf else own_name,
        decided_at=decided_at or timezone.now(),
        evidence_note=evidence_note,
        consequence=consequence if retest_nogo else "",
        supersedes=previous,
        recorded_by=by,
        deputy_of_id=deputy_of,
        on_behalf=on_behalf,
        channel=channel,
        request=request,
    )
    if field:
        setattr(decision, field, basis)
    if evidence:
        validate_upload(evidence, field="evidence")
        decision.evidence_sha256, _ = sha256_of(evidence)
        decision.evidence = evidence
    decision.save()
    audit.record(
        actor=by,
        action="decision_recorded",
        obj=decision,
        release=release,
        after={
            "kind": kind,
            "thread": business_thread.name,
            "verdict": verdict,
            "decided_by": decision.decided_by_name,
            "on_behalf": on_behalf,
            "deputy_of": raci.principals(by).get(deputy_of, "") if deputy_of else "",
            "supersedes": previous.pk if previous else None,
            "consequence": decision.consequence,
            "channel": channel,
        },
    )
    if retest_nogo:
        _implement_nogo(release, decision, by=by)
    return decision


def _implement_nogo(release, decision, *, by):
    """RM.4.1 / RM.4.2 after a NOGO: the deployment parties are told, and the release goes
    back for a corrected delivery or is cancelled, as the decider chose."""
    code = DECISION_ACTIVITY[decision.kind]
    communicate(
        release,
        code,
        by=by,
        mail="rm_4_nogo",
        context={"decision": decision},
        to=parties(*DEPLOYMENT_PARTIES),
        cc=parties(Parties.RELEASE_MANAGER, Parties.DEPLOYMENT_COORDINATOR),
    )
    cancel = decision.consequence == Decision.Consequence.CANCEL
    move_release(release, "cancel" if cancel else "return_for_correction", by=by)


def _check_decided_at(release, basis, decided_at) -> None:
    """A decision is taken after what it rests on was submitted (or after the round
    started) and not in the future: evidence cannot be dated at will."""
    now = timezone.now()
    earliest = getattr(basis, "uploaded_at", None) or release.round_started_at
    earliest = earliest or release.created_at
    if decided_at > now:
        raise ValidationError({"decided_at": "A decision cannot be dated in the future."})
    if decided_at < earliest:
        raise ValidationError(
            {
                "decided_at": "A decision cannot be dated before what it rests on was "
                f"submitted ({earliest:%Y-%m-%d %H:%M})."
            }
        )


def require_all_threads(release, kind, waiting: str) -> None:
    """Every affected thread's current decision of ``kind`` is a GO on the current basis
    (409 naming the threads still awaited)."""
    lacking = pending_threads(release, kind)
    if lacking:
        raise Conflict(
            f"Waiting for the {waiting} of: " + ", ".join(lacking) + ".", missing=lacking
        )
