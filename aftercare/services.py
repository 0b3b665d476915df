"""The writes of what comes after go-live: hypercare, the post-release review and its
improvement actions (with their reminders). Hypercare (seed 002 section 5: "the Run Team
provides hypercare support to monitor stability, handle incidents, and trigger rollback
plan if needed"; seed 003 early life support until the exit criteria are achieved):
started by the go-live (RM.6.5), incidents recorded against the release by the parties
that operate it, closed by the release manager with why. One transaction each, the
release's row locked first; every write audited."""

import datetime
import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from deployments.services import installation
from raci import permissions as raci
from raci.release_types import rule
from raci.selectors import with_deputies
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releasemgmt.notifications import services as outbox
from releasemgmt.notifications.models import Communication
from releases.communications import render_mail
from releases.policy import policy_of
from releases.selectors import rolled_back
from releases.services import lock

from . import criteria
from .models import ActionReminder, Hypercare, ImprovementAction, Incident, PostReleaseReview

#: the longest text kept for a reason
TEXT_MAX = 100_000


def hypercare_days(release) -> int:
    """The application's policy says how long hypercare lasts, or else the release type."""
    policy = policy_of(release.application)
    if policy is not None and policy.hypercare_days is not None:
        return policy.hypercare_days
    return rule(release.release_type).hypercare_days


@transaction.atomic
def start_hypercare(release, *, by=None, at=None) -> Hypercare:
    """RM.6.5 done: the release is live and hypercare starts (once: a re-installation
    after a rollback goes on with the same hypercare, reopened if it was closed)."""
    release = lock(release)
    at = at or timezone.now()
    days = hypercare_days(release)
    hypercare = Hypercare.objects.filter(release=release).first()
    if hypercare is not None:
        if hypercare.is_open:
            return hypercare
        hypercare.closed_at = hypercare.closed_by = None
        hypercare.close_reason = hypercare.override_reason = ""
        hypercare.unmet_at_close = []
    else:
        # a review may be written before: after a rollback at installation, then the
        # release re-installed
        reviewed = PostReleaseReview.objects.filter(release=release).exists()
        hypercare = Hypercare(release=release, reviewed=reviewed)
    hypercare.started_at, hypercare.days, hypercare.started_by = at, days, by
    hypercare.ends_at = at + datetime.timedelta(days=days)
    hypercare.save()
    audit.record(
        actor=by,
        action="hypercare_started",
        obj=hypercare,
        release=release,
        after={"days": days, "ends_at": hypercare.ends_at.isoformat()},
    )
    return hypercare


def _open_hypercare(release) -> Hypercare:
    hypercare = Hypercare.objects.select_for_update().filter(release=release).first()
    if hypercare is None:
        raise Conflict(
            f"{release.identifier} is not in hypercare: it starts when the successful "
            "installation is published.",
            missing=["RM.6.5 Publish successful installation"],
        )
    if not hypercare.is_open:
        raise Conflict(f"The hypercare of {release.identifier} is closed.")
    return hypercare


def _reference(value: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ValidationError({"reference": "Give the incident's reference."})
    if len(value) > 40 or not re.match(Incident.REFERENCE_PATTERN, value):
        raise ValidationError(
            {"reference": "Letters, digits and . - _ / (at most 40), for example INC-2027-0042."}
        )
    return value


def _text(field: str, value: str, what: str, *, required=True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: what})
    if len(value) > TEXT_MAX:
        raise ValidationError({field: f"At most {TEXT_MAX} characters."})
    return value


def _resolved(opened_at, resolved_at):
    if resolved_at is not None and resolved_at < opened_at:
        raise ValidationError({"resolved_at": "An incident is resolved after it is opened."})
    return resolved_at


@transaction.atomic
def record_incident(
    release,
    *,
    by,
    reference,
    title,
    priority,
    opened_at,
    major=False,
    caused_by_release=Incident.Cause.UNKNOWN,
    resolved_at=None,
) -> Incident:
    """An incident against the release during hypercare, by a party that operates it."""
    release = lock(release)
    if not raci.may_record_incident(by, release):
        raise PermissionDenied(
            "Incidents in hypercare are recorded by the parties that operate the release: "
            "its deployment coordinator, the release manager, the service desk, the "
            "infrastructure and application managers."
        )
    hypercare = _open_hypercare(release)
    reference = _reference(reference)
    title = _text("title", title, "Say what happened.")
    if len(title) > 200:
        raise ValidationError({"title": "At most 200 characters."})
    if priority not in Incident.Priority.values:
        raise ValidationError({"priority": "P1, P2, P3 or P4."})
    if caused_by_release not in Incident.Cause.values:
        raise ValidationError({"caused_by_release": "Yes, no or unknown."})
    if opened_at is None:
        raise ValidationError({"opened_at": "When was it opened?"})
    _resolved(opened_at, resolved_at)
    if Incident.objects.filter(release=release, reference__iexact=reference).exists():
        raise ValidationError(
            {"reference": f"{reference} is recorded against {release.identifier} already."}
        )
    incident = Incident.objects.create(
        hypercare=hypercare,
        release=release,
        reference=reference,
        title=title,
        priority=priority,
        major=bool(major),
        caused_by_release=caused_by_release,
        opened_at=opened_at,
        resolved_at=resolved_at,
        recorded_by=by,
    )
    audit.record(
        actor=by,
        action="incident_recorded",
        obj=incident,
        release=release,
        after={
            "reference": reference,
            "title": title,
            "priority": priority,
            "major": incident.major,
            "caused_by_release": caused_by_release,
            "opened_at": opened_at.isoformat(),
            "resolved_at": resolved_at.isoformat() if resolved_at else None,
        },
    )
    return incident


@transaction.atomic
def resolve_incident(release, reference: str, *, by, resolved_at=None) -> Incident:
    """An incident of the release is resolved (now, or when it says)."""
    release = lock(release)
    if not raci.may_record_incident(by, release):
        raise PermissionDenied("Only the parties that operate the release resolve its incidents.")
    hypercare = _open_hypercare(release)
    incident = Incident.objects.filter(hypercare=hypercare, reference=reference).first()
    if incident is None:
        raise ValidationError({"reference": f"No incident {reference} on {release.identifier}."})
    if incident.resolved_at is not None:
        raise Conflict(f"{incident.reference} is resolved already.")
    incident.resolved_at = _resolved(incident.opened_at, resolved_at or timezone.now())
    incident.save(update_fields=["resolved_at"])
    audit.record(
        actor=by,
        action="incident_resolved",
        obj=incident,
        release=release,
        before={"resolved_at": None},
        after={"resolved_at": incident.resolved_at.isoformat()},
    )
    return incident


@transaction.atomic
def close_hypercare(release, *, by, reason, override_reason="") -> Hypercare:
    """Hypercare ends with who closed it and why: refused (409 naming them) while an exit
    criterion is unmet, unless the release manager says why it ends all the same."""
    release = lock(release)
    if not raci.may_close_hypercare(by, release):
        raise PermissionDenied(raci.why_not_perform(release, "RM.6.7"))
    hypercare = _open_hypercare(release)
    reason = _text("reason", reason, "Say why hypercare ends.")
    override_reason = _text("override_reason", override_reason, "", required=False)
    unmet = criteria.unmet(hypercare, list(hypercare.incidents.all()))
    if unmet and not override_reason:
        raise Conflict(
            "Hypercare has exit criteria not met: wait for them, or say why it ends all the same.",
            missing=unmet,
        )
    hypercare.closed_at, hypercare.closed_by = timezone.now(), by
    hypercare.close_reason = reason
    hypercare.unmet_at_close = unmet
    hypercare.override_reason = override_reason if unmet else ""
    hypercare.save()
    audit.record(
        actor=by,
        action="hypercare_closed",
        obj=hypercare,
        release=release,
        after={"reason": reason, "unmet": unmet, "override_reason": hypercare.override_reason},
    )
    return hypercare


@transaction.atomic
def trigger_rollback(release, *, by, reason):
    """In hypercare the run team "may trigger the rollback plan" (seed 002 section 5):
    the deployment coordinator (R and A of RM.6.4) reopens the rollback, which then
    follows RM.6.4 as after a failed installation (the threads validate, the coordinator
    initiates). Hypercare ends when the rollback is done."""
    release = lock(release)
    _open_hypercare(release)
    reason = _text("reason", reason, "Say why the release is rolled back.")
    return installation.reopen_rollback(release, by=by, reason=reason)


def end_by_rollback(release, *, by) -> None:
    """RM.6.4 done while in hypercare: the release left production, hypercare ends."""
    hypercare = Hypercare.objects.select_for_update().filter(release=release).first()
    if hypercare is None or not hypercare.is_open:
        return
    hypercare.closed_at, hypercare.closed_by = timezone.now(), by
    hypercare.close_reason = "Rolled back to the last known good build (RM.6.4)."
    hypercare.unmet_at_close = criteria.unmet(hypercare, list(hypercare.incidents.all()))
    hypercare.save()
    audit.record(
        actor=by,
        action="hypercare_closed",
        obj=hypercare,
        release=release,
        after={"reason": hypercare.close_reason, "unmet": hypercare.unmet_at_close},
    )


# --- the post-release review (seed 002 sections 5-6) ------------------------------------

#: the activity whose R and A write the review: the closure's (the release manager)
REVIEWED_BY = "RM.6.7"
#: an improvement action's owner is reminded this many days before its due date
REMIND_BEFORE_DAYS = 3
#: and from the due date on, once a week until it is done
REMIND_EVERY_DAYS = 7


def _live_or_rolled_back(release) -> bool:
    return rolled_back(release) or Hypercare.objects.filter(release=release).exists()


def _review_text(data: dict) -> dict:
    values = {
        "note": _text("note", data.get("note"), "Write what the review found."),
        "objectives_comment": _text(
            "objectives_comment", data.get("objectives_comment"), "", required=False
        ),
        "schedule_comment": _text(
            "schedule_comment", data.get("schedule_comment"), "", required=False
        ),
        "stakeholder_feedback": _text(
            "stakeholder_feedback", data.get("stakeholder_feedback"), "", required=False
        ),
    }
    objectives = data.get("objectives") or ""
    if objectives and objectives not in PostReleaseReview.Objectives.values:
        raise ValidationError({"objectives": "Met, partly met or not met."})
    return values | {"objectives": objectives}


@transaction.atomic
def write_review(release, *, by, **data) -> PostReleaseReview:
    """The release manager writes (or completes) the post-release review once the release
    is live (RM.6.5) or rolled back: before, there is nothing to review."""
    release = lock(release)
    raci.require_perform(by, release, REVIEWED_BY)
    values = _review_text(data)
    if not _live_or_rolled_back(release):
        raise Conflict(
            f"{release.identifier} is reviewed after go-live or a rollback.",
            missing=["RM.6.5 Publish successful installation"],
        )
    review = PostReleaseReview.objects.select_for_update().filter(release=release).first()
    before = {f: getattr(review, f) for f in values} if review else {}
    if review is None:
        review = PostReleaseReview(release=release, recorded_by=by, recorded_at=timezone.now())
    for field, value in values.items():
        setattr(review, field, value)
    review.save()
    Hypercare.objects.filter(release=release, reviewed=False).update(reviewed=True)
    audit.record(
        actor=by,
        action="release_reviewed" if not before else "review_updated",
        obj=review,
        release=release,
        before=before,
        after=values,
    )
    return review


def _review_of(release) -> PostReleaseReview:
    review = PostReleaseReview.objects.filter(release=release).first()
    if review is None:
        raise Conflict(
            f"The post-release review of {release.identifier} is not written yet.",
            missing=["The post-release review (release manager)"],
        )
    return review


@transaction.atomic
def add_action(release, *, by, title, owner, due_date) -> ImprovementAction:
    """An improvement action the review decided: its owner follows it until done."""
    release = lock(release)
    raci.require_perform(by, release, REVIEWED_BY)
    review = _review_of(release)
    title = _text("title", title, "Say what is to be improved.")
    if len(title) > 200:
        raise ValidationError({"title": "At most 200 characters."})
    if owner is None or not owner.is_active:
        raise ValidationError({"owner": "Name an active user to own it."})
    if due_date is None:
        raise ValidationError({"due_date": "When is it due?"})
    action = ImprovementAction.objects.create(
        review=review, release=release, title=title, owner=owner, due_date=due_date, created_by=by
    )
    audit.record(
        actor=by,
        action="improvement_action_added",
        obj=action,
        release=release,
        after={"title": title, "owner": owner.username, "due_date": due_date.isoformat()},
    )
    return action


@transaction.atomic
def set_action_status(release, pk, *, by, status) -> ImprovementAction:
    """Its owner (or the release manager) moves an improvement action on; done says when."""
    release = lock(release)
    action = ImprovementAction.objects.select_for_update().filter(release=release, pk=pk).first()
    if action is None:
        raise ValidationError({"action": "No such improvement action of this release."})
    if action.owner_id != by.pk and not raci.may_perform(by, release, REVIEWED_BY):
        raise PermissionDenied("Only its owner or the release manager moves an action on.")
    if status not in ImprovementAction.Status.values:
        raise ValidationError({"status": "Open, in progress or done."})
    before = {"status": action.status}
    action.status = status
    action.done_at = timezone.now() if status == ImprovementAction.Status.DONE else None
    action.save(update_fields=["status", "done_at"])
    audit.record(
        actor=by,
        action="improvement_action_moved",
        obj=action,
        release=release,
        before=before,
        after={"status": status},
    )
    return action


def _reminder_kind(action, today, last_due):
    days = (action.due_date - today).days
    if 0 < days <= REMIND_BEFORE_DAYS:
        return ActionReminder.Kind.BEFORE
    if days <= 0 and (last_due is None or (today - last_due).days >= REMIND_EVERY_DAYS):
        return ActionReminder.Kind.DUE
    return None


def remind_improvement_actions(today=None) -> int:
    """Mail the owner of every improvement action not done: once within
    ``REMIND_BEFORE_DAYS`` of its due date, on the due date, and weekly after. Never
    twice for one action and day (``ActionReminder``, unique), whoever runs it at once;
    returns how many were sent."""
    today = today or timezone.localdate()
    sent = 0
    actions = (
        ImprovementAction.objects.exclude(status=ImprovementAction.Status.DONE)
        .filter(due_date__lte=today + datetime.timedelta(days=REMIND_BEFORE_DAYS))
        .select_related("owner", "release__application")
    )
    for action in actions.iterator():
        reminders = ActionReminder.objects.filter(action=action)
        if reminders.filter(kind=ActionReminder.Kind.BEFORE).exists() and action.due_date > today:
            continue
        last_due = (
            reminders.filter(kind=ActionReminder.Kind.DUE)
            .order_by("-day")
            .values_list("day", flat=True)
            .first()
        )
        kind = _reminder_kind(action, today, last_due)
        if kind and _remind(action, today, kind):
            sent += 1
    return sent


def _remind(action, today, kind) -> bool:
    with transaction.atomic():
        _, created = ActionReminder.objects.get_or_create(
            action=action, day=today, defaults={"kind": kind}
        )
        if not created:
            return False
        _mail(
            action.release,
            mail="improvement_action_reminder",
            context={"action": action, "late": kind == ActionReminder.Kind.DUE},
            to=action.owner,
        )
    return True


def _mail(release, *, mail: str, context: dict, to) -> None:
    """A notice to one person (and their deputy while one stands in, issue 16) about the
    release's review, kept in the outbox in the caller's transaction and sent after
    commit."""
    subject, body = render_mail(mail, {"release": release, **context})
    outbox.post(
        release=release,
        activity=REVIEWED_BY,
        kind=Communication.Kind.PROCESS,
        interface="",
        subject=f"[{release.identifier}] {subject}",
        body=body,
        link=reverse("aftercare:review", args=[release.identifier]),
        by=None,
        to_users=with_deputies([to]),
    )
