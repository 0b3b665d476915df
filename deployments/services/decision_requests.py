"""Deciding from the mail (issue 16): a mail that asks the affected threads for a
decision names a ``DecisionRequest`` (the kind and the report or plan it rests on). Each
addressee's copy carries a personal link to it (``releasemgmt.accounts.personal_links``,
purpose ``decision``) and a Reply-To address signed for it (``reply_address``); both end
in ``record_decision``, whose rules all hold, and the decision says where it came from.

A request answers its own report or plan only: once a re-test or a new plan supersedes
it, the link's page names the newer one and refuses, and a reply goes to the deployment
coordinator's queue."""

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction

from raci import permissions as raci
from releasemgmt.errors import Conflict
from releases.communications import business_threads
from releases.models import ActivityRecord
from releases.registry import working_stage

from ..models import DECISION_ACTIVITY, Decision, DecisionRequest
from .decisions import current_decisions, decision_basis, record_decision

#: the purpose of the personal links of a decision request
PURPOSE = "decision"
#: the salt of the Reply-To tokens: a token made for anything else fails its signature
REPLY_SALT = "deployments.decision-request.reply"
#: the local part before ``+``: decide+<token>@<MAIL_REPLY_DOMAIN>
REPLY_PREFIX = "decide"

BASIS_FIELDS = ("test_report", "installation_plan", "installation_report")


def request_for(release, kind) -> DecisionRequest | None:
    """The request for the current basis of ``kind`` (made once per report or plan, or
    per round for the CT go-ahead, which rests on none); None while nothing can be
    decided (no report or plan yet)."""
    field, basis = decision_basis(release, kind)
    if field and basis is None:
        return None
    lookup = {name: None for name in BASIS_FIELDS}
    if field:
        lookup[field] = basis
    rows = DecisionRequest.objects.filter(release=release, kind=kind, **lookup)
    if not field and release.round_started_at:
        rows = rows.filter(created_at__gt=release.round_started_at)
    return rows.first() or DecisionRequest.objects.create(release=release, kind=kind, **lookup)


def mail_options(release, kind) -> dict:
    """What a mail asking the threads for a decision of ``kind`` passes to
    ``communications.communicate``: a personal link for each addressee and the reply
    address. Empty when there is nothing to decide on yet. The seam for any other mail
    that asks for the same decision (a reminder, an escalation)."""
    request = request_for(release, kind)
    if request is None:
        return {}
    return {"personal": (PURPOSE, request), "reply_to": reply_address(request)}


def _reply_signer() -> signing.Signer:
    return signing.Signer(salt=REPLY_SALT, sep=".")


def reply_address(request: DecisionRequest) -> str:
    """``decide+<pk>.<signature>@<MAIL_REPLY_DOMAIN>``, or "" when replies are off (no
    domain set)."""
    domain = settings.MAIL_REPLY_DOMAIN
    if not domain:
        return ""
    return f"{REPLY_PREFIX}+{_reply_signer().sign(str(request.pk))}@{domain}"


class ForgedAddress(Exception):
    """A reply address of ours whose token fails its signature."""


def request_of_address(address: str) -> DecisionRequest | None:
    """The request a reply address names; None when the address is not a reply address
    of ours; ``ForgedAddress`` when it is, but its token was altered or made up."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    prefix, plus, token = local.partition("+")
    if (
        not plus
        or prefix.lower() != REPLY_PREFIX
        or domain.lower() != settings.MAIL_REPLY_DOMAIN.lower()
    ):
        return None
    try:
        pk = int(_reply_signer().unsign(token))
    except (signing.BadSignature, ValueError):
        raise ForgedAddress(address) from None
    request = DecisionRequest.objects.select_related("release").filter(pk=pk).first()
    if request is None:
        raise ForgedAddress(address)
    return request


def threads_of(user, request: DecisionRequest) -> list:
    """The affected threads of the request's release the user holds."""
    held = raci.parties_on_release(user, request.release)
    return [t for t in business_threads(request.release).order_by("position") if t in held]


def newer_basis(request: DecisionRequest):
    """The report or plan that superseded the request's, or None while it is current."""
    field, basis = decision_basis(request.release, request.kind)
    if not field:
        return None
    if basis is not None and getattr(request, f"{field}_id") != basis.pk:
        return basis
    return None


def situation(request: DecisionRequest, thread=None) -> tuple[str, object]:
    """Where the request stands for ``thread``: ("superseded", the newer report or plan),
    ("closed", the activity code: done, or the release elsewhere), ("decided", the
    thread's decision on this basis) or ("open", None)."""
    release = request.release
    release.refresh_from_db(fields=["stage", "round_started_at"])
    newer = newer_basis(request)
    if newer is not None:
        return "superseded", newer
    code = DECISION_ACTIVITY[request.kind]
    done = ActivityRecord.objects.filter(
        release=release, activity__code=code, status=ActivityRecord.Status.DONE
    ).exists()
    if done or release.stage != working_stage(code):
        return "closed", code
    if thread is not None:
        decision = current_decisions(release, request.kind).get(thread.pk)
        field = basis_field(request)
        if decision is not None and (
            field is None or getattr(decision, f"{field}_id") == getattr(request, f"{field}_id")
        ):
            return "decided", decision
    return "open", None


def basis_field(request: DecisionRequest) -> str | None:
    """The name of the field holding the request's basis (None for the CT go-ahead)."""
    return next((name for name in BASIS_FIELDS if getattr(request, f"{name}_id")), None)


def refusal(state: str, detail) -> str:
    """Why a request in ``state`` can no longer be answered, in words."""
    if state == "superseded":
        return f"This request was superseded: decide on the newer {detail} instead."
    if state == "closed":
        return f"{detail} is over: the decision can no longer change it."
    return (
        f"{detail.business_thread} has decided already ({detail.verdict_label} on "
        f"{detail.decided_at:%Y-%m-%d %H:%M} by {detail.decided_by_name})."
    )


@transaction.atomic
def decide(
    request: DecisionRequest,
    *,
    by,
    verdict,
    consequence="",
    business_thread=None,
    channel=Decision.Channel.MAIL_LINK,
    evidence=None,
    evidence_note="",
) -> Decision:
    """The user's thread decides on the request, from the mail (its link or a reply).
    Refused with 409 when the request was superseded or the thread decided already;
    every rule of ``record_decision`` (stage, separation of duties...) holds."""
    threads = threads_of(by, request)
    if business_thread is None:
        if len(threads) != 1:
            raise ValidationError({"business_thread": "Choose the thread you decide for."})
        business_thread = threads[0]
    state, detail = situation(request, business_thread)
    if state != "open":
        raise Conflict(refusal(state, detail), missing=[state])
    return record_decision(
        request.release,
        by=by,
        kind=request.kind,
        business_thread=business_thread,
        verdict=verdict,
        consequence=consequence,
        evidence=evidence,
        evidence_note=evidence_note,
        channel=channel,
        request=request,
    )


@transaction.atomic
def record_on_behalf(
    request: DecisionRequest,
    *,
    by,
    business_thread,
    verdict,
    decided_by_name,
    consequence="",
    evidence=None,
    evidence_note="",
) -> Decision:
    """A reply the tool could not read, recorded by hand by a party R or A for the
    activity on the thread's behalf, with the mail as its evidence."""
    state, detail = situation(request, business_thread)
    if state in ("superseded", "closed"):
        raise Conflict(refusal(state, detail), missing=[state])
    return record_decision(
        request.release,
        by=by,
        kind=request.kind,
        business_thread=business_thread,
        verdict=verdict,
        decided_by_name=decided_by_name,
        consequence=consequence,
        evidence=evidence,
        evidence_note=evidence_note,
        channel=Decision.Channel.MAIL_REPLY,
        request=request,
    )
