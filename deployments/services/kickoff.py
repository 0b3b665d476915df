"""RM.3: the deployment plan completed with its tasks, the kick-off meeting (dated on the
release's plan, and sent as a meeting request), and the testing environment validated."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from dsl import configuration, environments
from raci import permissions as raci
from raci.models import Party
from raci.permissions import Parties
from releasemgmt import calendars
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releasemgmt.notifications.services import Attachment
from releases.communications import (
    business_threads,
    communicate,
    holders,
    parties,
)
from releases.models import Milestone
from releases.planning import plan_milestone
from releases.services import begin_activity, lock, mark_done, require_done

from ..models import (
    DeploymentPlan,
    DeploymentTask,
    EnvironmentReport,
    KickOffMeeting,
)
from .planning import record_revision


@transaction.atomic
def add_deployment_task(release, *, by, title, owner_party, assignee, due_date):
    """RM.3.1: the deployment coordinator completes the deployment plan with its tasks."""
    release = lock(release)
    raci.require_perform(by, release, "RM.3.1")
    if not release.is_open:
        raise Conflict(f"{release.identifier} is {release.get_stage_display().lower()}.")
    if assignee is not None and not raci.parties_on_release(assignee, release):
        raise ValidationError({"assignee": f"{assignee} holds no party on this release."})
    plan = DeploymentPlan.objects.filter(release=release).first()
    if plan is None:
        raise Conflict("Initialise the deployment plan first (RM.1.3).")
    task = DeploymentTask.objects.create(
        plan=plan, title=title, owner_party=owner_party, assignee=assignee, due_date=due_date
    )
    audit.record(
        actor=by,
        action="task_added",
        obj=task,
        release=release,
        after={"title": title, "owner": str(owner_party), "due": due_date},
    )
    return task


@transaction.atomic
def complete_task(release, *, by, task):
    """A deployment task is done: by its assignee, or recorded by the deployment
    coordinator."""
    release = lock(release)
    if task.plan.release_id != release.pk:
        raise ValidationError({"task": "Not a task of this release."})
    if not release.is_open:
        raise Conflict(f"{release.identifier} is {release.get_stage_display().lower()}.")
    if not raci.may_mark_task_done(by, release, task.assignee_id):
        raise PermissionDenied("Only the assignee or the deployment coordinator.")
    if task.status == DeploymentTask.Status.DONE:
        raise Conflict(f"'{task}' is done already.")
    task.status = DeploymentTask.Status.DONE
    task.save(update_fields=["status"])
    audit.record(actor=by, action="task_done", obj=task, release=release, after={"status": "done"})
    return task


#: how long a kick-off meeting is planned for, unless its milestone says otherwise
KICKOFF_LENGTH = timedelta(hours=1)


def _plan_kickoff(release, scheduled_at, *, by) -> Milestone:
    """The release's kick-off milestone at the meeting's time: as long as it was when it
    was planned to the hour already, an hour otherwise."""
    current = release.milestones.filter(kind=Milestone.Kind.KICKOFF).first()
    length = KICKOFF_LENGTH
    if current is not None and not current.all_day:
        length = current.ends_at - current.starts_at
    try:
        return plan_milestone(
            release,
            Milestone.Kind.KICKOFF,
            by=by,
            starts_at=scheduled_at,
            ends_at=scheduled_at + length,
            reason="Kick-off meeting scheduled (RM.3.1).",
        )
    except ValidationError as exc:
        raise ValidationError({"scheduled_at": exc.messages}) from exc


def _person(user) -> str:
    return user.get_full_name() or user.username


def _invitation(release, meeting, milestone, *, by, invitees) -> Attachment:
    """The kick-off as a meeting request: its time, the coordinator as organizer and the
    invitees as attendees; a new time is a new SEQUENCE of the same UID."""
    text = calendars.meeting_request(
        uid=calendars.uid(release.identifier, "kickoff-meeting"),
        summary=f"Kick-off of {release.identifier} {release.name}",
        starts_at=milestone.starts_at,
        ends_at=milestone.ends_at,
        organizer=(by.email or settings.DEFAULT_FROM_EMAIL, _person(by)),
        attendees=[(u.email, _person(u)) for u in invitees if u.email],
        sequence=milestone.changes.count(),
        description=meeting.agenda,
        url=settings.SITE_URL.rstrip("/") + reverse("releases:detail", args=[release.identifier]),
    )
    return Attachment("kickoff.ics", "text/calendar; method=REQUEST", text)


@transaction.atomic
def prepare_kickoff(release, *, by, scheduled_at, agenda="") -> KickOffMeeting:
    """RM.3.1: invite every party of RM.3.2 in Table 4-1 to the kick-off, with a meeting
    request; the release's kick-off milestone moves to its time."""
    release = begin_activity(release, "RM.3.1", by=by)
    if not DeploymentTask.objects.filter(plan__release=release).exists():
        raise Conflict(
            "Complete the deployment plan with its tasks first.", missing=["Deployment tasks"]
        )
    invited_parties = Party.objects.filter(cells__activity__code="RM.3.2").distinct()
    meeting, _ = KickOffMeeting.objects.update_or_create(
        release=release, defaults={"scheduled_at": scheduled_at, "agenda": agenda}
    )
    invitees = holders(release, invited_parties)
    meeting.invitees.set(invitees)
    milestone = _plan_kickoff(release, scheduled_at, by=by)
    communicate(
        release,
        "RM.3.1",
        by=by,
        mail="rm_3_1_kickoff_invitation",
        context={"meeting": meeting},
        to=invited_parties,
        attachment=_invitation(release, meeting, milestone, by=by, invitees=invitees),
    )
    audit.record(
        actor=by,
        action="kickoff_prepared",
        obj=meeting,
        release=release,
        after={"scheduled_at": scheduled_at, "invitees": meeting.invitees.count()},
    )
    record_revision(
        DeploymentPlan.objects.filter(release=release).first(),
        by=by,
        reason="Completed with its tasks for the kick-off (RM.3.1).",
        activity="RM.3.1",
    )
    mark_done(release, "RM.3.1", by=by)
    return meeting


@transaction.atomic
def run_kickoff(release, *, by, decisions, plan_approved) -> KickOffMeeting:
    """RM.3.2: the kick-off approves the deployment plan; its decisions go to all."""
    release = begin_activity(release, "RM.3.2", by=by)
    require_done(release, "RM.3.1")
    meeting = release.kickoff
    meeting.held_at = timezone.now()
    meeting.decisions = decisions
    meeting.plan_approved = plan_approved
    meeting.save()
    if plan_approved:
        DeploymentPlan.objects.filter(release=release).update(approved_at=timezone.now())
    communicate(
        release,
        "RM.3.2",
        by=by,
        interface="Kick-off meeting decisions",
        mail="rm_3_2_kickoff_decisions",
        context={"meeting": meeting},
        to=business_threads(release),
        cc=Party.objects.filter(cells__activity__code="RM.3.2").distinct(),
    )
    audit.record(
        actor=by,
        action="kickoff_held",
        obj=meeting,
        release=release,
        after={"decisions": decisions, "plan_approved": plan_approved},
    )
    if plan_approved:
        mark_done(release, "RM.3.2", by=by, outcome="plan approved")
    return meeting


@transaction.atomic
def validate_testing_environment(release, *, by, file, accepted, anomalies="") -> EnvironmentReport:
    """RM.3.3: the environment acceptance report; anomalies go to the business threads."""
    release = begin_activity(release, "RM.3.3", by=by)
    if not accepted and not anomalies.strip():
        raise ValidationError({"anomalies": "Describe the anomalies found."})
    report = EnvironmentReport.store(
        file, release=release, accepted=accepted, anomalies=anomalies, uploaded_by=by
    )
    if anomalies.strip():
        communicate(
            release,
            "RM.3.3",
            by=by,
            interface="Notification in case of anomalies/inconsistencies",
            mail="rm_3_3_environment_anomalies",
            context={"report": report},
            to=business_threads(release),
            cc=parties(Parties.APPLICATION_MANAGER, Parties.INFRASTRUCTURE_MANAGER),
        )
    audit.record(
        actor=by,
        action="environment_report",
        obj=report,
        release=release,
        after={"accepted": accepted, "anomalies": anomalies, "sha256": report.sha256},
    )
    if accepted:
        environments.record_installation(release, by=by, activity="RM.3.3")
        configuration.register_in_test(release, by=by)
        mark_done(release, "RM.3.3", by=by, outcome="accepted")
    return report
