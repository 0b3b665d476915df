"""Business rules for releases, called by the web views and the API alike."""

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django_fsm import ConcurrentTransition, can_proceed

from raci import permissions as raci
from raci import services as assignments
from raci.models import Activity, Assignment, Party
from raci.permissions import Parties
from raci.sync import sync_release_permissions
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releasemgmt.units import unit_of_work

from . import communications, lifecycle, planning, policy, signals
from .models import ActivityRecord, Release, Stage, StageChange
from .stages import SETTLED

#: Fields of RM.1.1 that a release manager may revise while the release is open.
PLANNING_FIELDS = [
    "name",
    "release_type",
    "planned_delivery_date",
    "planned_installation_date",
    "conformance_testing",
    "description",
]
CONFORMANCE_ACTIVITIES = ("RM.7.1", "RM.7.2")
#: release identifiers appear in URLs: no slashes, spaces or other surprises
VERSION = re.compile(r"[A-Za-z0-9][A-Za-z0-9._+-]*")


def _snapshot(release) -> dict:
    return {f: getattr(release, f) for f in ["application", "version", *PLANNING_FIELDS]}


def _check_dates(planned_delivery_date, planned_installation_date) -> None:
    """Planned dates within reason (the milestones and the calendar hold them to the
    hour), the installation not before the delivery."""
    errors = {
        name: f"Plan it between {planning.EARLIEST} and {planning.LATEST}."
        for name, day in (
            ("planned_delivery_date", planned_delivery_date),
            ("planned_installation_date", planned_installation_date),
        )
        if day and not planning.EARLIEST <= day.year <= planning.LATEST
    }
    if errors:
        raise ValidationError(errors)
    if (
        planned_delivery_date
        and planned_installation_date
        and planned_installation_date < planned_delivery_date
    ):
        raise ValidationError(
            {"planned_installation_date": "The installation cannot be planned before the delivery."}
        )


def _apply_conformance(release) -> None:
    """RM.7 applies only to releases planned with conformance testing."""
    records = ActivityRecord.objects.filter(
        release=release, activity__code__in=CONFORMANCE_ACTIVITIES
    ).exclude(status=ActivityRecord.Status.DONE)
    if release.conformance_testing:
        records.update(status=ActivityRecord.Status.PENDING, comment="")
    else:
        records.update(
            status=ActivityRecord.Status.NOT_APPLICABLE,
            comment="Release planned without conformance testing.",
        )


def lock(release) -> Release:
    """The release row, locked until the transaction ends: concurrent activities and
    transitions on one release queue up here, and the later ones see the new state."""
    return Release.objects.select_for_update().select_related("application").get(pk=release.pk)


def begin_activity(release, code: str, *, by) -> Release:
    """Lock the release and check that ``by`` may perform ``code`` now (403, 409)."""
    release = lock(release)
    raci.require_perform(by, release, code)
    record = ActivityRecord.objects.select_related("activity").get(
        release=release, activity__code=code
    )
    stage = record.activity.stage
    allowed_here = release.stage_number == stage or (
        release.stage == Stage.ROLLED_BACK and code in ("RM.6.6", "RM.6.7")
    )
    if not allowed_here:
        raise Conflict(
            f"{record.activity} belongs to stage RM.{stage}; {release.identifier} is in "
            f"{release.get_stage_display()}."
        )
    if record.status == ActivityRecord.Status.DONE:
        raise Conflict(f"{record.activity} is already done for {release.identifier}.")
    if record.status == ActivityRecord.Status.NOT_APPLICABLE:
        raise Conflict(f"{record.activity} does not apply to {release.identifier}.")
    if record.status == ActivityRecord.Status.WAIVED:
        raise Conflict(
            f"{record.activity} was waived for {release.identifier}: it is caught up after "
            "the installation."
        )
    missing = lifecycle.before_activity(release, code)
    if missing:
        raise Conflict("Not yet: " + "; ".join(missing) + ".", missing=missing)
    return release


def require_done(release, *codes: str) -> None:
    """Activities of the same stage that must come first (409 naming them)."""
    pending = [
        str(r.activity)
        for r in ActivityRecord.objects.filter(release=release, activity__code__in=codes)
        .select_related("activity")
        .exclude(status__in=SETTLED)
    ]
    if pending:
        raise Conflict("Do these first: " + "; ".join(pending) + ".", missing=pending)


@unit_of_work()
def mark_done(release, code: str, *, by, outcome: str = "", comment: str = "") -> ActivityRecord:
    """Record that activity ``code`` was performed, tell the parties marked I, and move
    the release on if that completed its stage: one unit of work, whose events have the
    release's KPI facts worked out once (``releasemgmt.units``)."""
    record = ActivityRecord.objects.select_related("activity").get(
        release=release, activity__code=code
    )
    record.status = ActivityRecord.Status.DONE
    record.performed_by = by
    record.deputy_of_id = raci.deputising_for(by, release, code)
    record.performed_at = timezone.now()
    record.outcome = outcome
    record.comment = comment
    record.save()
    audit.record(
        actor=by,
        action="activity_done",
        obj=record,
        release=release,
        after={"activity": code, "status": record.status, "outcome": outcome},
    )
    advance(release, by=by)
    communications.inform(release, record.activity, by=by, outcome=outcome)
    signals.activity_done.send(
        sender=ActivityRecord, release=release, code=code, outcome=outcome, by=by
    )
    return record


#: transitions that start a new round, and the activities done again in it
NEW_ROUND = {
    "return_for_correction": lifecycle.CORRECTION_ACTIVITIES,
    "reauthorise": lifecycle.REINSTALL_ACTIVITIES,
}


def move_release(release, name: str, *, by) -> None:
    """Fire stage transition ``name`` on a locked release: the one way a release changes
    stage. A new round (a corrected delivery after a NOGO, a re-authorisation after a
    rollback) resets its activities; what they produced stays on record. Who may ask for
    it is the caller's question (``fire_transition`` for a hand-fired one)."""
    before = release.stage
    getattr(release, name)()
    if name in NEW_ROUND:
        release.round_started_at = timezone.now()
    if name == "reauthorise":
        # the flag says whether the current round used the rollback plan (RM.6.7 then
        # implements no RfC); the rollback itself stays counted in the stage history
        release.rollback_plan_used = False
    try:
        release.save()
    except ConcurrentTransition as exc:
        raise Conflict(f"{release.identifier} was changed by someone else; reload it.") from exc
    entered = (
        StageChange.objects.filter(release=release)
        .order_by("-at", "-id")
        .values_list("at", flat=True)
        .first()
    )
    # the audit entry's moment is the move's moment, so that the history rebuilt from the
    # audit log (releases/0011) is the one kept
    entry = audit.record(
        actor=by,
        action=f"stage_{name}",
        obj=release,
        release=release,
        before={"stage": before},
        after={"stage": release.stage},
    )
    StageChange.objects.create(
        release=release,
        transition=name,
        from_stage=before,
        to_stage=release.stage,
        at=entry.timestamp,
        entered_from_at=entered or release.created_at,
        by=by if getattr(by, "pk", None) else None,
    )
    if name in NEW_ROUND:
        reset_activities(release, NEW_ROUND[name])
    signals.release_moved.send(sender=Release, release=release, transition=name, by=by)


def advance(release, *, by) -> bool:
    """Fire the stage's forward transition if its gates are all done."""
    for name in lifecycle.FORWARD.get(release.stage, []):
        if can_proceed(getattr(release, name)):
            move_release(release, name, by=by)
            return True
    return False


def reset_activities(release, codes) -> None:
    """Activities to be done again (after a NOGO or a rollback); their history stays in
    the audit log and in the records they produced."""
    ActivityRecord.objects.filter(release=release, activity__code__in=codes).update(
        status=ActivityRecord.Status.PENDING,
        performed_by=None,
        deputy_of=None,
        performed_at=None,
        outcome="",
        comment="",
    )
    signals.activities_reset.send(sender=Release, release=release, codes=list(codes))


@unit_of_work()
def fire_transition(release, name: str, *, by, reason: str = "") -> Release:
    """A stage transition asked for by hand (API or page): 403 without R or A for its
    activity, 409 when the stage does not allow it or a gate is missing. One unit of
    work (a savepoint)."""
    if name not in lifecycle.GATES:
        raise ValidationError({"transition": f"Unknown transition '{name}'."})
    release = lock(release)
    method = getattr(release, name)
    if not can_proceed(method, check_conditions=False):
        raise Conflict(
            f"{release.identifier} is in {release.get_stage_display()}: "
            f"'{name}' is not possible from there."
        )
    activity = lifecycle.TRANSITION_ACTIVITY[name]
    if not raci.may_perform(by, release, activity):
        raise PermissionDenied(
            f"Only a party Responsible or Accountable for {activity} may {name.replace('_', ' ')}."
        )
    raci.note_deputising(by, release, raci.deputising_for(by, release, activity))
    missing = lifecycle.missing_gates(release, name)
    if missing:
        raise Conflict("Not yet: " + "; ".join(missing) + ".", missing=missing)
    if name in lifecycle.NEED_A_REASON and not reason.strip():
        raise ValidationError({"reason": "Say why."})
    move_release(release, name, by=by)
    if reason:
        audit.record(
            actor=by,
            action="transition_reason",
            obj=release,
            release=release,
            after={"transition": name, "reason": reason},
        )
    return release


@transaction.atomic
def formalise_release(
    *,
    by,
    application,
    version: str,
    name: str,
    release_type: str,
    planned_delivery_date,
    planned_installation_date,
    business_threads=(),
    conformance_testing: bool = False,
    description: str = "",
    policy_reason: str = "",
) -> Release:
    """RM.1.1 Formalise release: a release manager creates a release operation for
    one version of an application; he/she becomes its release manager and the
    affected business threads are recorded (the rest of RM.1.2 follows); none named,
    the application's default threads are."""
    if not raci.may_formalise(by):
        raise PermissionDenied("Only an ITSM Release Manager may formalise a release (RM.1.1).")
    _check_dates(planned_delivery_date, planned_installation_date)
    if not business_threads and application is not None:
        business_threads = list(application.business_threads.all())
    if any(p.kind != Party.Kind.BUSINESS_THREAD for p in business_threads):
        raise ValidationError(
            {"business_threads": "Only DG TAXUD business threads can be affected threads."}
        )
    if not VERSION.fullmatch(version or ""):
        raise ValidationError(
            {"version": "Use letters, digits and . _ + - only (for example 3.2.0)."}
        )
    identifier = f"{application.code.upper()}-{version}"
    if len(identifier) > Release._meta.get_field("identifier").max_length:
        raise ValidationError({"version": "The version is too long."})
    if Release.objects.filter(identifier=identifier).exists():
        raise ValidationError({"version": f"Release {identifier} already exists."})
    breaches = policy.enforce(
        policy.breaches(
            application,
            release_type=release_type,
            version=version,
            planned_installation_date=planned_installation_date,
        ),
        reason=policy_reason,
    )

    release = Release.objects.create(
        identifier=identifier,
        name=name,
        application=application,
        version=version,
        release_type=release_type,
        planned_delivery_date=planned_delivery_date,
        planned_installation_date=planned_installation_date,
        conformance_testing=conformance_testing,
        description=description,
        created_by=by,
    )
    ActivityRecord.objects.bulk_create(
        ActivityRecord(release=release, activity=a) for a in Activity.objects.all()
    )
    _apply_conformance(release)
    planning.place_headline_milestones(release)
    assignments.default_assignments(release, release_manager=by, business_threads=business_threads)
    sync_release_permissions(release)
    audit.record(
        actor=by,
        action="release_formalised",
        obj=release,
        release=release,
        after=_snapshot(release),
    )
    policy.accept(release, breaches, reason=policy_reason, by=by)
    mark_done(release, "RM.1.1", by=by)
    return release


@transaction.atomic
def revise_planning(release, *, by, policy_reason: str = "", **changes) -> Release:
    """RM.1.1 again: the release manager revises the planning of an open release.
    Whether it has conformance testing (RM.7) is settled once installation starts."""
    release = lock(release)
    raci.require_perform(by, release, "RM.1.1")
    if not release.is_open:
        raise Conflict(f"{release.identifier} is {release.get_stage_display().lower()}.")
    unknown = set(changes) - set(PLANNING_FIELDS)
    if unknown:
        raise ValidationError({f: "This field cannot be revised." for f in sorted(unknown)})
    settled = release.stage not in (
        Stage.PLANNING,
        Stage.RECEIVING,
        Stage.KICKOFF,
        Stage.ACCEPTANCE,
        Stage.AUTHORISATION,
    )
    if settled and changes.get("conformance_testing", release.conformance_testing) != (
        release.conformance_testing
    ):
        raise ValidationError(
            {"conformance_testing": "Conformance testing is settled once installation starts."}
        )
    before = _snapshot(release)
    for field, value in changes.items():
        setattr(release, field, value)
    _check_dates(release.planned_delivery_date, release.planned_installation_date)
    breaches = policy.enforce(
        policy.revised_breaches(release, before), reason=policy_reason, release=release
    )
    release.save()
    policy.accept(release, breaches, reason=policy_reason, by=by)
    _apply_conformance(release)
    planning.follow_planned_dates(release, by=by)
    audit.record(
        actor=by,
        action="planning_revised",
        obj=release,
        release=release,
        before=before,
        after=_snapshot(release),
    )
    if release.planned_installation_date != before["planned_installation_date"]:
        signals.installation_date_moved.send(
            sender=Release, release=release, before=before["planned_installation_date"], by=by
        )
    return release


@transaction.atomic
def assign_roles(release, *, by, deployment_coordinator, business_threads, developers) -> None:
    """RM.1.2 Assign roles: name the deployment coordinator, the affected business
    thread(s) and the 3rd party developer organisation, then regrant permissions.
    The affected threads are settled once acceptance starts: their decisions follow."""
    release = lock(release)
    raci.require_perform(by, release, "RM.1.2")
    if not release.is_open:
        raise Conflict(f"{release.identifier} is {release.get_stage_display().lower()}.")
    errors = {}
    if deployment_coordinator is None or not raci.holds_party(
        deployment_coordinator, Parties.DEPLOYMENT_COORDINATOR
    ):
        errors["deployment_coordinator"] = "Choose a user who is an ITSM Deployment Coordinator."
    threads = list(business_threads or [])
    if not threads:
        errors["business_threads"] = "Name at least one affected DG TAXUD business thread."
    elif any(p.kind != Party.Kind.BUSINESS_THREAD for p in threads):
        errors["business_threads"] = "Only DG TAXUD business threads can be affected threads."
    if developers is None:
        errors["developers"] = "Name the 3rd party developer organisation."
    current = set(
        Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD, assignments__release=release)
    )
    if release.stage_number and release.stage_number >= 4 and set(threads) != current:
        errors["business_threads"] = "The affected threads are settled once acceptance starts."
    if errors:
        raise ValidationError(errors)
    dev_party = developers.party

    before = assignments.assignment_snapshot(release)
    dc_party = Party.objects.get(name=Parties.DEPLOYMENT_COORDINATOR)
    Assignment.objects.filter(
        release=release,
        party__in=[dc_party, dev_party, *Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD)],
    ).delete()
    Assignment.objects.bulk_create(
        [
            Assignment(release=release, party=dc_party, user=deployment_coordinator),
            Assignment(release=release, party=dev_party, group=developers.group),
        ]
        + [Assignment(release=release, party=p, group=p.group) for p in threads]
    )
    sync_release_permissions(release)
    audit.record(
        actor=by,
        action="roles_assigned",
        obj=release,
        release=release,
        before=before,
        after=assignments.assignment_snapshot(release),
    )
    mark_done(release, "RM.1.2", by=by)
