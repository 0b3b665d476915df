"""Change management's business rules, called by the web views, the API and the release
process alike; every write to an RfC, a CAB meeting or a review is here.

Seed 003's flow: create and record the request, review it, assess and evaluate it (the
risk from answers), authorise it (the change model, or the CAB's advice and the change
manager's decision), coordinate it (a release carries it: RM.1.1 includes it, RM.6.7
implements it), review and close it (the post-implementation review of seed 004
section 8)."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed

from raci import permissions
from raci.models import Party
from raci.permissions import Parties
from raci.release_types import rule
from raci.selectors import holders_of_party, with_deputies
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releasemgmt.notifications import services as outbox
from releasemgmt.notifications.models import Communication
from releases.communications import render_mail
from releases.models import ActivityRecord, Stage
from releases.services import lock

from . import risk
from .models import (
    Advice,
    AgendaItem,
    CabDecision,
    CabMeeting,
    CabMember,
    ChangeModel,
    ChangeType,
    Review,
    RfC,
    RfCAttachment,
    RfCNumber,
)

S = RfC.Status
#: what a requester or the change manager writes on the request
FIELDS = (
    "title",
    "description",
    "reason",
    "change_type",
    "change_model",
    "category",
    "impact",
    "urgency",
    "risk_answers",
    "planned_start",
    "planned_end",
    "outage_start",
    "outage_end",
    "outage_description",
    "backout_plan",
    "backout_impossible_reason",
    "backout_trigger",
    "applications",
)
#: planned dates beyond these are typing errors, not plans
EARLIEST, LATEST = 2000, 2199


def year_problem(value) -> str | None:
    """Why a date (or a moment) is outside the years a change may be planned in, or
    None: for a request's windows and for the range the change schedule is read over
    (whose default end, 90 days on, was no date after 9999-10-02: a 500)."""
    if value is not None and not EARLIEST <= value.year <= LATEST:
        return f"Give a date between {EARLIEST} and {LATEST}."
    return None


def next_reference() -> str:
    """The next RfC reference, from the database's sequence (a number some older
    reference took already is skipped)."""
    while True:
        reference = f"RFC-{RfCNumber.objects.create().pk:06d}"
        if not RfC.objects.filter(reference=reference).exists():
            return reference


def _locked(rfc) -> RfC:
    return RfC.objects.select_for_update().get(pk=rfc.pk)


def _save(rfc, *, by) -> None:
    try:
        rfc.save()
    except ConcurrentTransition as exc:  # pragma: no cover - the row lock queues writers
        raise Conflict(f"{rfc.reference} was changed by someone else; reload it.") from exc


def _snapshot(rfc) -> dict:
    values = {f: getattr(rfc, f) for f in FIELDS if f != "applications"}
    values.update(status=rfc.status, risk_level=rfc.risk_level, priority=rfc.priority)
    if rfc.pk:
        values["applications"] = sorted(rfc.applications.values_list("code", flat=True))
    return values


def default_model(change_type: str) -> ChangeModel | None:
    return ChangeModel.objects.filter(change_type=change_type, active=True).order_by("id").first()


def _field_errors(values: dict) -> dict:
    """Each written field checked on its own: its choices, its length, its kind, a date
    and time with its zone and within reason."""
    errors = {}
    for name, value in values.items():
        if name in ("applications", "change_model", "risk_answers"):
            continue
        field = RfC._meta.get_field(name)
        if isinstance(field, models.DateTimeField):
            if value is None:
                continue
            if not isinstance(value, datetime):
                errors[name] = "Give a date and time."
            elif timezone.is_naive(value):
                errors[name] = "Give the time with its time zone."
            elif problem := year_problem(value):
                errors[name] = problem
        elif not isinstance(value, str):
            errors[name] = "Give text."
        elif field.choices and value not in {str(v) for v, _ in field.choices}:
            errors[name] = "Choose one of: " + ", ".join(str(v) for v, _ in field.choices) + "."
        elif field.max_length and len(value) > field.max_length:
            errors[name] = f"At most {field.max_length} characters."
    if "title" in values and isinstance(values["title"], str) and not values["title"].strip():
        errors["title"] = "Give the request a title."
    return errors


def _clean(values: dict, *, current=None) -> dict:
    """Check what is written on a request (400 naming the field). The change model is
    checked when one is named; a new type without one takes its type's default."""
    errors = _field_errors(values)
    if "risk_answers" in values:
        try:
            values["risk_answers"] = risk.clean_answers(values["risk_answers"])
        except ValueError as exc:
            errors["risk_answers"] = str(exc)
    merged = {**(current or {}), **values}
    for start, end in (("planned_start", "planned_end"), ("outage_start", "outage_end")):
        if start in errors or end in errors:
            continue
        if merged.get(start) and merged.get(end) and merged[end] <= merged[start]:
            errors[end] = "The end comes after the start."
        if bool(merged.get(start)) != bool(merged.get(end)) and start.startswith("outage"):
            errors[end if merged.get(start) else start] = "Give the outage's start and end."
    change_type = merged.get("change_type") or ChangeType.NORMAL
    if "change_model" in values and values["change_model"] is not None:
        model = values["change_model"]
        if model.change_type != change_type:
            errors["change_model"] = (
                f"'{model}' is a model of {model.get_change_type_display().lower()} changes."
            )
        elif not model.active:
            errors["change_model"] = f"'{model}' is no longer used."
    elif current is None or "change_type" in values or "change_model" in values:
        values["change_model"] = default_model(change_type)
    if errors:
        raise ValidationError(errors)
    return values


def _apply(rfc, values: dict) -> list | None:
    """Write the checked values; the priority and the risk follow their rules."""
    applications = values.pop("applications", None)
    for field, value in values.items():
        setattr(rfc, field, value)
    rfc.priority = risk.priority(rfc.impact, rfc.urgency)
    complete = not risk.unanswered(rfc.risk_answers)
    rfc.risk_level = risk.risk_level(rfc.risk_answers) if complete else ""
    return applications


@transaction.atomic
def raise_rfc(*, by, title: str, **fields) -> RfC:
    """Create and record a request (seed 003), as a draft of its requester."""
    if not permissions.may_raise_rfc(by):
        raise PermissionDenied("Only ITSM staff and DG TAXUD business threads raise RfCs.")
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError({f: "This field cannot be set." for f in sorted(unknown)})
    values = _clean({"title": title, **fields})
    rfc = RfC(reference=next_reference(), requester=by)
    applications = _apply(rfc, values)
    rfc.save()
    if applications:
        rfc.applications.set(applications)
    audit.record(actor=by, action="rfc_raised", obj=rfc, after=_snapshot(rfc))
    return rfc


@transaction.atomic
def revise_rfc(rfc, *, by, **fields) -> RfC:
    """Edit a request before the CAB hears it: its requester while it is a draft, the
    change manager until then. A moved start is held to the model's lead time again."""
    rfc = _locked(rfc)
    if not permissions.may_edit_rfc(by, rfc):
        if rfc.status not in RfC.EDITABLE_STATES:
            raise Conflict(
                f"{rfc.reference} is {rfc.get_status_display().lower()}: it is edited before "
                "the CAB hears it (reassess it first).",
                missing=["a reassessment"],
            )
        raise PermissionDenied(
            "Its requester edits a draft; the change manager edits it until the CAB hears it."
        )
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ValidationError({f: "This field cannot be revised." for f in sorted(unknown)})
    before = _snapshot(rfc)
    current = {f: getattr(rfc, f) for f in FIELDS if f != "applications"}
    applications = _apply(rfc, _clean(dict(fields), current=current))
    if rfc.status != S.DRAFT and "planned_start" in fields:
        late = _lead_time(rfc, timezone.now())
        if late:
            raise Conflict(f"{rfc.reference} needs " + "; ".join(late) + ".", missing=late)
    _save(rfc, by=by)
    if applications is not None:
        rfc.applications.set(applications)
    audit.record(actor=by, action="rfc_revised", obj=rfc, before=before, after=_snapshot(rfc))
    return rfc


@transaction.atomic
def attach(rfc, *, by, uploaded, title: str = "") -> RfCAttachment:
    """A document of the request, size-limited and checksummed."""
    rfc = _locked(rfc)
    if not (by.pk == rfc.requester_id or permissions.may_manage_changes(by)):
        raise PermissionDenied("Its requester and the change manager attach documents.")
    if rfc.status in (S.CLOSED, S.CANCELLED, S.WITHDRAWN):
        raise Conflict(f"{rfc.reference} is {rfc.get_status_display().lower()}.")
    record = RfCAttachment.store(uploaded, rfc=rfc, title=title, uploaded_by=by)
    audit.record(actor=by, action="rfc_attachment", obj=rfc, after={"file": record.filename})
    return record


# --- what each step needs ----------------------------------------------------------


def missing_for_submission(rfc) -> list[str]:
    """What a request must say before the change manager reviews it."""
    missing = []
    if not rfc.description.strip():
        missing.append("a description of the change")
    if not rfc.reason.strip():
        missing.append("the reason for it")
    if rfc.change_model_id is None:
        missing.append("a change model")
    if not rfc.applications.exists():
        missing.append("the applications it affects")
    if not (rfc.planned_start and rfc.planned_end):
        missing.append("its planned start and end")
    if not (rfc.backout_plan.strip() or rfc.backout_impossible_reason.strip()):
        missing.append("a remediation plan (the back-out, or why none is possible)")
    elif rfc.backout_plan.strip() and not rfc.backout_trigger.strip():
        missing.append("what triggers the back-out")
    return missing


def missing_for_assessment(rfc) -> list[str]:
    return [f"an answer to: {text}" for text in risk.unanswered(rfc.risk_answers)]


def _lead_time(rfc, now) -> list[str]:
    """The change model's notice before the planned start (emergency models ask none)."""
    model = rfc.change_model
    if not model or not model.lead_time_days or not rfc.planned_start:
        return []
    earliest = now + timedelta(days=model.lead_time_days)
    if rfc.planned_start >= earliest:
        return []
    return [
        f"{model.lead_time_days} days' notice before the planned start, as the "
        f"'{model}' model asks (start on {earliest:%Y-%m-%d} or later, or raise an "
        "emergency change)"
    ]


# --- transitions fired by hand ---------------------------------------------------------


@dataclass(frozen=True)
class Step:
    label: str
    who: str  # "requester", "change_manager" or "either"
    needs_reason: bool = False


STEPS = {
    "submit": Step("Submit", "either"),
    "assess": Step("Record the assessment", "change_manager"),
    "send_to_cab": Step("Send to the CAB", "change_manager"),
    "reassess": Step("Reassess", "change_manager", needs_reason=True),
    "implement": Step("Mark implemented", "change_manager"),
    "implement_retrospectively": Step(
        "Record an emergency change made already", "change_manager", needs_reason=True
    ),
    "close": Step("Close", "change_manager"),
    "withdraw": Step("Withdraw", "requester", needs_reason=True),
    "cancel": Step("Cancel", "change_manager", needs_reason=True),
}
WHO = {
    "requester": "its requester",
    "change_manager": "an ITSM Change Manager",
    "either": "its requester or an ITSM Change Manager",
}


def may_fire(user, rfc, name: str, *, manager: bool | None = None) -> bool:
    step = STEPS[name]
    requester = user.pk == rfc.requester_id
    if manager is None:
        manager = permissions.may_manage_changes(user)
    return {
        "requester": requester,
        "change_manager": manager,
        "either": requester or manager,
    }[step.who]


def offered_steps(user, rfc) -> list[tuple[str, Step]]:
    """The steps this user may take on the request in its state (the page's buttons)."""
    manager = permissions.may_manage_changes(user)
    return [
        (name, step)
        for name, step in STEPS.items()
        if may_fire(user, rfc, name, manager=manager)
        and can_proceed(getattr(rfc, name))
        and not (name == "implement_retrospectively" and rfc.change_type != ChangeType.EMERGENCY)
        and not (name == "implement" and rfc.release_id)
    ]


def _missing(rfc, name: str, now) -> list[str]:
    """What the step needs that the request lacks (a 409 names it)."""
    if name == "submit":
        return missing_for_submission(rfc) + _lead_time(rfc, now)
    if name == "assess":
        return missing_for_submission(rfc) + missing_for_assessment(rfc)
    if name == "send_to_cab":
        if rfc.status == S.SUBMITTED and rfc.change_type != ChangeType.EMERGENCY:
            return ["an assessment first (only an emergency change goes to the ECAB unassessed)"]
        return []
    if name == "reassess" and rfc.release_id:
        return [f"to be taken out of {rfc.release.identifier} first"]
    if name == "implement" and rfc.release_id:
        return [f"the closure of {rfc.release.identifier} (RM.6.7 marks its RfCs implemented)"]
    if name == "implement_retrospectively" and rfc.change_type != ChangeType.EMERGENCY:
        return ["to be an emergency change (only those are documented afterwards)"]
    reviewed = Review.objects.filter(rfc=rfc).exists
    if name == "close" and rfc.review_required and not reviewed():
        return ["a post-implementation review (emergency and failed changes need one)"]
    return []


@transaction.atomic
def fire(rfc, name: str, *, by, reason: str = "") -> RfC:
    """Take step ``name`` of the request's lifecycle: 403 for who may not, 409 naming
    what the state or the request lacks, 400 without a reason where one is needed."""
    if not isinstance(name, str) or name not in STEPS:
        raise ValidationError({"transition": "Unknown step: " + ", ".join(STEPS) + " are."})
    step = STEPS[name]
    rfc = _locked(rfc)
    if not may_fire(by, rfc, name):
        raise PermissionDenied(f"Only {WHO[step.who]} may {step.label.lower()} {rfc.reference}.")
    if not can_proceed(getattr(rfc, name)):
        raise Conflict(
            f"{rfc.reference} is {rfc.get_status_display().lower()}: "
            f"'{step.label}' is not possible from there."
        )
    now = timezone.now()
    missing = _missing(rfc, name, now)
    if missing:
        raise Conflict(f"{rfc.reference} needs " + "; ".join(missing) + ".", missing=missing)
    if not isinstance(reason, str):
        raise ValidationError({"reason": "Give text."})
    if step.needs_reason and not reason.strip():
        raise ValidationError({"reason": "Say why."})
    before, carrier = rfc.status, rfc.release
    getattr(rfc, name)()
    if name == "submit":
        rfc.submitted_at = now
    if name in ("implement", "implement_retrospectively"):
        rfc.implemented_at = now
        rfc.retrospective = name == "implement_retrospectively"
    if name == "send_to_cab":
        rfc.cab_round += 1
    if name == "reassess":
        rfc.authorised_at = None
    if name in ("close", "withdraw", "cancel"):
        rfc.closed_at = now
    if name in ("withdraw", "cancel"):
        rfc.release = None  # a complementary RfC no longer holds up its release
    pre_authorised = name == "submit" and rfc.change_model and rfc.change_model.pre_authorised
    if pre_authorised:
        rfc.pre_authorise()
        rfc.authorised_at = now
    _save(rfc, by=by)
    audit.record(
        actor=by,
        action=f"rfc_{name}",
        obj=rfc,
        release=carrier,
        before={"status": before, "release": carrier and carrier.identifier},
        after={
            "status": rfc.status,
            "release": rfc.release and rfc.release.identifier,
            **({"reason": reason.strip()} if reason.strip() else {}),
        },
    )
    if pre_authorised:
        audit.record(
            actor=by,
            action="rfc_pre_authorised",
            obj=rfc,
            after={"change_model": str(rfc.change_model)},
        )
    if name == "submit" and not pre_authorised:
        _tell_change_managers(rfc, by=by, mail="rfc_submitted")
    return rfc


# --- the post-implementation review ----------------------------------------------------


@transaction.atomic
def record_review(
    rfc,
    *,
    by,
    objective_met: bool,
    side_effects: str = "",
    incidents: str = "",
    remediation_used: bool = False,
    lessons: str = "",
) -> Review:
    """Seed 004 section 8: did the change meet its objective, with what side effects and
    incidents, was the remediation used. Once per request."""
    rfc = _locked(rfc)
    if not permissions.may_manage_changes(by):
        raise PermissionDenied("The change manager records the post-implementation review.")
    if rfc.status != S.IMPLEMENTED:
        raise Conflict(
            f"{rfc.reference} is {rfc.get_status_display().lower()}: a change is reviewed "
            "once it is implemented, and once.",
            missing=["its implementation"] if rfc.status not in (S.REVIEWED, S.CLOSED) else [],
        )
    if not isinstance(objective_met, bool):
        raise ValidationError({"objective_met": "Say whether it met its objective."})
    errors = {
        name: "Give text." if not isinstance(value, str) else "At most 100,000 characters."
        for name, value in {
            "side_effects": side_effects,
            "incidents": incidents,
            "lessons": lessons,
        }.items()
        if not isinstance(value, str) or len(value) > 100_000
    }
    if errors:
        raise ValidationError(errors)
    review = Review.objects.create(
        rfc=rfc,
        objective_met=objective_met,
        side_effects=side_effects,
        incidents=incidents,
        remediation_used=remediation_used,
        lessons=lessons,
        reviewed_by=by,
    )
    rfc.review()
    _save(rfc, by=by)
    audit.record(
        actor=by,
        action="rfc_reviewed",
        obj=rfc,
        before={"status": S.IMPLEMENTED},
        after={"status": rfc.status, "objective_met": objective_met},
    )
    return review


# --- the change authority ----------------------------------------------------------------


def _require_change_manager(user, what: str) -> None:
    if not permissions.may_manage_changes(user):
        raise PermissionDenied(f"Only an ITSM Change Manager {what}.")


def _parties_of(users) -> dict:
    """user id -> the party each sits for (their first one), in one query."""
    rows = Party.objects.filter(group__user__in=users).values_list("group__user", "id")
    parties = {}
    for user_id, party_id in rows.order_by("position", "id"):
        parties.setdefault(user_id, party_id)
    return parties


def _meeting_errors(kind, title, starts_at, location) -> dict:
    errors = _text_errors({"title": title, "location": location}, CabMeeting)
    if kind not in CabMeeting.Kind.values:
        errors["kind"] = "cab or ecab."
    if isinstance(title, str) and not title.strip():
        errors["title"] = "Give the meeting a title."
    if not isinstance(starts_at, datetime) or timezone.is_naive(starts_at):
        errors["starts_at"] = "Give a date and time with its time zone."
    elif not EARLIEST <= starts_at.year <= LATEST:
        errors["starts_at"] = f"Give a date between {EARLIEST} and {LATEST}."
    return errors


def _text_errors(values: dict, model) -> dict:
    """Text fields of ``model``: text, and no longer than the column."""
    errors = {}
    for name, value in values.items():
        limit = model._meta.get_field(name).max_length or 100_000
        if not isinstance(value, str):
            errors[name] = "Give text."
        elif len(value) > limit:
            errors[name] = f"At most {limit:,} characters."
    return errors


@transaction.atomic
def plan_meeting(*, by, kind, title: str, starts_at, location: str = "", members=()) -> CabMeeting:
    """Call a CAB (or an emergency CAB) with its named members."""
    _require_change_manager(by, "calls the CAB")
    errors = _meeting_errors(kind, title, starts_at, location)
    members = list(dict.fromkeys(members))
    if not members:
        errors["members"] = "Name the board's members."
    inactive = [str(u) for u in members if not u.is_active]
    if inactive:
        errors["members"] = "Not active: " + ", ".join(inactive) + "."
    if errors:
        raise ValidationError(errors)
    meeting = CabMeeting.objects.create(
        kind=kind, title=title, starts_at=starts_at, location=location, chair=by
    )
    parties = _parties_of(members)
    CabMember.objects.bulk_create(
        CabMember(meeting=meeting, user=u, party_id=parties.get(u.pk)) for u in members
    )
    audit.record(
        actor=by,
        action="cab_planned",
        obj=meeting,
        after={"kind": kind, "starts_at": starts_at, "members": [str(u) for u in members]},
    )
    return meeting


def _agenda_fits(meeting, rfc) -> bool:
    """The emergency CAB hears emergency changes; the CAB hears any."""
    return meeting.kind == CabMeeting.Kind.CAB or rfc.change_type == ChangeType.EMERGENCY


@transaction.atomic
def put_on_agenda(meeting, *, by, rfcs) -> list[AgendaItem]:
    """Put RfCs awaiting the CAB on the meeting's agenda."""
    _require_change_manager(by, "sets the CAB's agenda")
    meeting = CabMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.minutes_sent_at:
        raise Conflict("The meeting's minutes are sent: its agenda is closed.")
    errors = [
        f"{r.reference} is {r.get_status_display().lower()}"
        for r in rfcs
        if r.status != S.AWAITING_CAB
    ] + [
        f"{r.reference} is not an emergency change (the ECAB hears those)"
        for r in rfcs
        if not _agenda_fits(meeting, r)
    ]
    if errors:
        raise ValidationError({"rfcs": "Only RfCs awaiting the CAB: " + "; ".join(errors) + "."})
    present = set(meeting.agenda.values_list("rfc_id", flat=True))
    last = meeting.agenda.count()
    items = AgendaItem.objects.bulk_create(
        AgendaItem(meeting=meeting, rfc=r, position=last + i)
        for i, r in enumerate(r for r in dict.fromkeys(rfcs) if r.pk not in present)
    )
    if items:
        audit.record(
            actor=by,
            action="cab_agenda",
            obj=meeting,
            after={"added": [i.rfc.reference for i in items]},
        )
    return items


def awaiting_cab(meeting):
    """The RfCs awaiting the CAB that fit this meeting and are not on its agenda yet. The
    agenda is read as a set of ids (``NOT IN``): as ``NOT EXISTS`` per RfC, PostgreSQL
    compared each of 600 RfCs awaiting with each of a 600-item agenda, 13 ms of the
    meeting's page at 100,000 releases (issue 17)."""
    on_agenda = AgendaItem.objects.filter(meeting=meeting).values("rfc_id")
    rfcs = RfC.objects.filter(status=S.AWAITING_CAB).exclude(pk__in=on_agenda)
    if meeting.kind == CabMeeting.Kind.ECAB:
        rfcs = rfcs.filter(change_type=ChangeType.EMERGENCY)
    return rfcs.order_by("id")


def build_agenda(meeting, *, by) -> list[AgendaItem]:
    """The agenda from every RfC awaiting the CAB (emergency ones for an ECAB)."""
    return put_on_agenda(meeting, by=by, rfcs=list(awaiting_cab(meeting)))


def _require_open_meeting(meeting) -> None:
    """Once its minutes are sent, a meeting's record is closed: they must stay true."""
    if CabMeeting.objects.filter(pk=meeting.pk, minutes_sent_at__isnull=False).exists():
        raise Conflict("The minutes of this meeting are sent: its record is closed.")


def _on_agenda(meeting, rfc) -> None:
    if not AgendaItem.objects.filter(meeting=meeting, rfc=rfc).exists():
        raise ValidationError({"rfc": f"{rfc.reference} is not on this meeting's agenda."})


def _heard(meeting, rfc, errors: dict) -> RfC:
    """What advice and a decision both need: their input checked (400), the RfC on the
    meeting's agenda, the meeting's record still open (409); the RfC, locked."""
    if errors:
        raise ValidationError(errors)
    _on_agenda(meeting, rfc)
    _require_open_meeting(meeting)
    return _locked(rfc)


@transaction.atomic
def give_advice(meeting, *, by, rfc, verdict: str, comment: str = "") -> Advice:
    """A member's advice on an RfC of the agenda (approve, reject, abstain), once."""
    if not permissions.sits_on(by, meeting):
        raise PermissionDenied("Only the meeting's members give their advice.")
    errors = _text_errors({"comment": comment}, Advice)
    if verdict not in Advice.Verdict.values:
        errors["verdict"] = "Approve, reject or abstain."
    rfc = _heard(meeting, rfc, errors)
    if rfc.status != S.AWAITING_CAB:
        raise Conflict(f"{rfc.reference} is {rfc.get_status_display().lower()}: advice is closed.")
    if Advice.objects.filter(meeting=meeting, rfc=rfc, member=by, round=rfc.cab_round).exists():
        raise Conflict(f"Your advice on {rfc.reference} is recorded already: it is given once.")
    advice = Advice.objects.create(
        meeting=meeting, rfc=rfc, member=by, round=rfc.cab_round, verdict=verdict, comment=comment
    )
    audit.record(
        actor=by,
        action="cab_advice",
        obj=rfc,
        after={"verdict": verdict, "meeting": meeting.pk, "round": rfc.cab_round},
    )
    return advice


def quorum(meeting) -> int:
    """The advice needed before a decision: a majority of the CAB's members; one member
    of the emergency CAB, which must decide within hours (seed 003)."""
    if meeting.kind == CabMeeting.Kind.ECAB:
        return 1
    return meeting.members.count() // 2 + 1


@transaction.atomic
def record_cab_decision(meeting, *, by, rfc, outcome: str, conditions: str = "") -> CabDecision:
    """The change manager's decision (A) on the CAB's advice, recorded once. An
    authorised complementary RfC is scheduled in the release that raised it."""
    _require_change_manager(by, "records the change authority's decision")
    errors = _text_errors({"conditions": conditions}, CabDecision)
    if outcome not in CabDecision.Outcome.values:
        errors["outcome"] = "Authorised or rejected."
    rfc = _heard(meeting, rfc, errors)
    if rfc.status != S.AWAITING_CAB:
        last = rfc.cab_decisions.order_by("-decided_at").first()
        said = (
            f" ({last.get_outcome_display().lower()} on {last.decided_at:%Y-%m-%d})" if last else ""
        )
        raise Conflict(
            f"{rfc.reference} is {rfc.get_status_display().lower()}{said}: a decision is "
            "recorded once; reassess the request to decide again."
        )
    given = Advice.objects.filter(meeting=meeting, rfc=rfc, round=rfc.cab_round).count()
    needed = quorum(meeting)
    if given < needed:
        missing = [f"the advice of {needed - given} more member(s) (quorum {needed})"]
        raise Conflict(f"{rfc.reference} needs " + "; ".join(missing) + ".", missing=missing)
    decision = CabDecision.objects.create(
        meeting=meeting,
        rfc=rfc,
        round=rfc.cab_round,
        outcome=outcome,
        conditions=conditions,
        decided_by=by,
    )
    carrier = rfc.release
    authorised = outcome == CabDecision.Outcome.AUTHORISED
    rfc.authorise() if authorised else rfc.reject()
    if authorised:
        rfc.authorised_at = timezone.now()
    if authorised and carrier and _takes_rfcs(carrier):
        rfc.schedule()  # a complementary RfC, in the release that raised it
    else:
        rfc.release = None  # rejected, or its release has moved on without it
    _save(rfc, by=by)
    audit.record(
        actor=by,
        action="cab_decision",
        obj=rfc,
        release=carrier,
        before={"status": S.AWAITING_CAB},
        after={
            "status": rfc.status,
            "outcome": outcome,
            "conditions": conditions,
            "round": rfc.cab_round,
        },
    )
    _tell(
        carrier,
        mail="cab_decision",
        context={"rfc": rfc, "decision": decision, "meeting": meeting},
        to=[rfc.requester],
        by=by,
        subject_of=rfc.reference,
        link=rfc_url(rfc),
    )
    return decision


@transaction.atomic
def record_minutes(meeting, *, by, minutes: str) -> CabMeeting:
    """The minutes of the change authority (seed 003), kept once and mailed to the
    members and to the requesters of the RfCs it heard."""
    _require_change_manager(by, "records the CAB's minutes")
    meeting = CabMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.minutes_sent_at:
        raise Conflict("The minutes of this meeting are recorded and sent already.")
    errors = _text_errors({"minutes": minutes}, CabMeeting)
    if not errors and not minutes.strip():
        errors["minutes"] = "Write the minutes."
    if errors:
        raise ValidationError(errors)
    meeting.minutes = minutes
    meeting.minutes_sent_at = timezone.now()
    meeting.save(update_fields=["minutes", "minutes_sent_at"])
    audit.record(actor=by, action="cab_minutes", obj=meeting, after={"minutes": minutes})
    items = list(meeting.agenda.select_related("rfc__requester"))
    decisions = {d.rfc_id: d for d in meeting.decisions.order_by("decided_at", "id")}
    people = [m.user for m in meeting.members.select_related("user")]
    people += [i.rfc.requester for i in items] + [meeting.chair]
    _tell(
        None,
        mail="cab_minutes",
        context={
            "meeting": meeting,
            "rows": [(i.rfc, decisions.get(i.rfc_id)) for i in items],
        },
        to=list(dict.fromkeys(p for p in people if p.is_active)),
        by=by,
        subject_of=f"CAB {meeting.starts_at:%Y-%m-%d}",
        link=reverse("changes:meeting", args=[meeting.pk]),
    )
    return meeting


# --- the link to releases ------------------------------------------------------------


def _takes_rfcs(release) -> bool:
    """A release takes RfCs in and out until its consistency is verified (RM.2.1)."""
    consistency_done = ActivityRecord.objects.filter(
        release=release, activity__code="RM.2.1", status=ActivityRecord.Status.DONE
    ).exists()
    return release.stage in (Stage.PLANNING, Stage.RECEIVING) and not consistency_done


def _require_open_for_rfcs(release) -> None:
    if not _takes_rfcs(release):
        raise Conflict(
            "RfCs are included or taken out until the release's consistency is verified (RM.2.1)."
        )


@transaction.atomic
def include_rfc(release, *, by, rfc: RfC) -> RfC:
    """RM.1.1: include an authorised Change Implementation Request in the release, until
    its consistency is verified (RM.2.1). The RfC is then scheduled."""
    release = lock(release)
    permissions.require_perform(by, release, "RM.1.1")
    _require_open_for_rfcs(release)
    rfc = _locked(rfc)
    if rfc.release_id:
        raise ValidationError({"rfc": f"{rfc.reference} is already in a release."})
    if rfc.status != S.AUTHORISED:
        raise ValidationError(
            {
                "rfc": f"{rfc.reference} is {rfc.get_status_display().lower()}: a release "
                "includes authorised RfCs only."
            }
        )
    rfc.schedule()
    rfc.release = release
    _save(rfc, by=by)
    audit.record(
        actor=by,
        action="rfc_included",
        obj=rfc,
        release=release,
        before={"status": S.AUTHORISED},
        after={"rfc": rfc.reference, "status": rfc.status},
    )
    return rfc


@transaction.atomic
def exclude_rfc(release, *, by, rfc: RfC) -> RfC:
    """RM.1.1 revised: take an RfC out of the release, until its consistency is verified
    (RM.2.1); it is authorised again and free for another release."""
    release = lock(release)
    permissions.require_perform(by, release, "RM.1.1")
    _require_open_for_rfcs(release)
    rfc = _locked(rfc)
    if rfc.release_id != release.pk:
        raise ValidationError({"rfc": f"{rfc.reference} is not in {release.identifier}."})
    before = rfc.status
    if rfc.status == S.SCHEDULED:
        rfc.unschedule()
    rfc.release = None
    _save(rfc, by=by)
    audit.record(
        actor=by,
        action="rfc_excluded",
        obj=rfc,
        release=release,
        before={"status": before},
        after={"rfc": rfc.reference, "status": rfc.status},
    )
    return rfc


def without_cab_approval(release) -> list[str]:
    """RM.2.1: the references of the release's RfCs the change authority has not
    authorised."""
    return list(
        release.rfcs.exclude(status__in=RfC.AUTHORISED_STATES)
        .order_by("id")
        .values_list("reference", flat=True)
    )


def emergency_authorisation_missing(release, transition: str) -> list[str]:
    """Issue 12 point 5: an emergency release is authorised by the emergency CAB. Before
    its installation is authorised (RM.5.2) it carries RfCs, every one authorised by the
    change authority, and the ECAB authorised at least one of them."""
    if transition != "authorise_installation" or not rule(release.release_type).emergency_cab:
        return []
    rfcs = list(release.rfcs.order_by("id").values_list("id", "reference", "status"))
    if not rfcs:
        return ["An emergency release carries the emergency RfC it installs (RM.1.1)"]
    missing = [
        f"{reference} is not authorised by the change authority"
        for _, reference, status in rfcs
        if status not in RfC.AUTHORISED_STATES
    ]
    by_ecab = CabDecision.objects.filter(
        rfc_id__in=[pk for pk, _, _ in rfcs],
        outcome=CabDecision.Outcome.AUTHORISED,
        meeting__kind=CabMeeting.Kind.ECAB,
    )
    if not by_ecab.exists():
        missing.append("The emergency CAB's authorisation of one of its RfCs")
    return missing


@transaction.atomic
def raise_complementary_rfc(release, *, by, title: str) -> RfC:
    """RM.2.1: a late change found missing (a COTS, more storage...) is raised as a
    complementary RfC of the release. It is submitted to the change manager and follows
    its own lifecycle; once authorised it is scheduled in this release. It is installed
    with the release and backed out by the release's rollback plan. Called inside the
    consistency check. The same title raised again while the first is undecided is the
    same request."""
    pending = release.rfcs.filter(
        complementary=True, title=title, status__in=RfC.UNDECIDED_STATES
    ).first()
    if pending:
        return pending
    day = datetime.combine(
        release.planned_installation_date, time(), timezone.get_current_timezone()
    )
    rfc = RfC(
        reference=next_reference(),
        title=title,
        planned_start=day,
        planned_end=day + timedelta(days=1),
        backout_plan=f"The rollback plan of {release.identifier} (RM.1.3).",
        backout_trigger=f"The installation of {release.identifier} fails (RM.6.4).",
        description=f"Found missing when the consistency of {release.identifier} was "
        "checked (RM.2.1).",
        reason=f"{release.identifier} cannot be installed without it.",
        requester=by,
        change_model=default_model(ChangeType.NORMAL),
        release=release,
        raised_at=release,
        complementary=True,
        status=S.SUBMITTED,
        submitted_at=timezone.now(),
    )
    rfc.save()
    rfc.applications.set([release.application])
    audit.record(actor=by, action="rfc_raised", obj=rfc, release=release, after=_snapshot(rfc))
    _tell_change_managers(rfc, by=by, mail="rfc_submitted")
    return rfc


@transaction.atomic
def mark_implemented(release, *, by) -> int:
    """RM.6.7: the release's scheduled RfCs are implemented (the installation
    succeeded), each through its transition. Returns how many. Called inside the
    closure."""
    rfcs = list(release.rfcs.select_for_update(of=("self",)).filter(status=S.SCHEDULED))
    now = timezone.now()
    for rfc in rfcs:
        rfc.implement()
        rfc.implemented_at = now
        _save(rfc, by=by)
        audit.record(
            actor=by,
            action="rfc_implement",
            obj=rfc,
            release=release,
            before={"status": S.SCHEDULED},
            after={"status": rfc.status},
        )
    return len(rfcs)


#: what each release event does to the RfCs it carries, and the mail that says so
RELEASE_EVENTS = {
    "cancel": "cancelled",
    "close_failed": "closed as failed",
    "return_for_correction": "sent back by a NOGO for a corrected delivery",
    "roll_back": "rolled back",
}


@transaction.atomic
def follow_release(release, transition: str, *, by) -> None:
    """A release carrying RfCs changed stage. Cancelled or failed: its RfCs are free
    again (authorised) for another release. Rolled back: a failed attempt, so they will
    need a review. In every such case the change managers and requesters are told."""
    if transition not in RELEASE_EVENTS:
        return
    rfcs = list(
        release.rfcs.select_for_update(of=("self",)).select_related("requester").order_by("id")
    )
    if not rfcs:
        return
    for rfc in rfcs if transition != "return_for_correction" else ():
        before = {"status": rfc.status, "release": release.identifier}
        before["failed_attempts"] = rfc.failed_attempts
        if transition in ("cancel", "close_failed"):
            if rfc.status == S.SCHEDULED:
                rfc.unschedule()
            rfc.release = None
        if transition == "roll_back":
            rfc.failed_attempts += 1
        _save(rfc, by=by)
        audit.record(
            actor=by,
            action=f"rfc_release_{transition}",
            obj=rfc,
            release=release,
            before=before,
            after={
                "status": rfc.status,
                "release": rfc.release_id and release.identifier,
                "failed_attempts": rfc.failed_attempts,
            },
        )
    _tell_about_release(release, rfcs, by=by, event=RELEASE_EVENTS[transition])


def follow_installation_date(release, before, *, by) -> None:
    """The installation date of a release carrying RfCs moved: their windows may no
    longer hold."""
    rfcs = list(release.rfcs.select_related("requester").order_by("id"))
    if rfcs:
        _tell_about_release(
            release,
            rfcs,
            by=by,
            event=f"rescheduled: its installation moves from {before:%Y-%m-%d} to "
            f"{release.planned_installation_date:%Y-%m-%d}",
        )


# --- who is told ------------------------------------------------------------------------


def rfc_url(rfc) -> str:
    return reverse("changes:rfc", args=[rfc.reference])


def _tell(release, *, mail: str, context: dict, to, by, subject_of: str, link: str) -> None:
    """Mail ``to`` about an RfC, and the deputy of each while one stands in (issue 16)."""
    to = with_deputies(u for u in to if u.is_active)
    if not to:
        return
    subject, body = render_mail(mail, {"by": by, **context})
    outbox.post(
        release=release,
        activity="",
        kind=Communication.Kind.PROCESS,
        interface="",
        subject=f"[{subject_of}] {subject}",
        body=body,
        link=link,
        by=by,
        to_users=to,
    )


def _tell_change_managers(rfc, *, by, mail: str) -> None:
    _tell(
        rfc.release,
        mail=mail,
        context={"rfc": rfc},
        to=list(holders_of_party(Parties.CHANGE_MANAGER)),
        by=by,
        subject_of=rfc.reference,
        link=rfc_url(rfc),
    )


def _tell_about_release(release, rfcs, *, by, event: str) -> None:
    managers = list(holders_of_party(Parties.CHANGE_MANAGER))
    requesters = [r.requester for r in rfcs]
    _tell(
        release,
        mail="rfc_release_event",
        context={"release": release, "rfcs": rfcs, "event": event},
        to=list(dict.fromkeys(managers + requesters)),
        by=by,
        subject_of=release.identifier,
        link=reverse("releases:detail", args=[release.identifier]),
    )
