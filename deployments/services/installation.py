"""RM.6: the users notified before and after, the go-live, the installation report
assessed, the rollback or the success, and the closure of the release operation."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from changes import services as changes
from dsl import configuration as cmdb
from dsl import environments
from raci import permissions as raci
from raci.permissions import Parties
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releases.communications import (
    assigned_parties,
    business_threads,
    communicate,
    parties,
)
from releases.models import ActivityRecord, Release
from releases.services import begin_activity, lock, mark_done, require_done
from releases.signals import activities_reset
from releases.stages import Stage

from ..models import (
    Closure,
    Decision,
    DeploymentPhase,
    DeploymentPlan,
    GoLiveInstruction,
    InstallationReport,
    NotificationRequest,
    RollbackPlan,
)
from ..selectors import phase_records
from .decision_requests import mail_options
from .decisions import require_all_threads
from .links import activity_link, decision_link
from .packages import require_package_authorised
from .planning import dsl_gaps, record_revision


def prepare_user_notification(release, *, by, message, disruption=""):
    """RM.6.1: before the installation, the service desk is asked to tell every impacted
    user, with the expected disruption."""
    return _notify_users(release, "RM.6.1", by=by, message=message, disruption=disruption)


def prepare_post_installation_notification(release, *, by, message, disruption=""):
    """RM.6.6: after it, the installation report and whether the rollback was used."""
    return _notify_users(release, "RM.6.6", by=by, message=message, disruption=disruption)


@transaction.atomic
def _notify_users(release, code, *, by, message, disruption=""):
    """RM.6.1 (before) or RM.6.6 (after, saying whether the rollback was used): the service
    desk is asked to send the mass e-mail to every impacted user."""
    after = code == "RM.6.6"
    release = begin_activity(release, code, by=by)
    if after:
        done = ActivityRecord.objects.filter(
            release=release,
            status=ActivityRecord.Status.DONE,
            activity__code__in=["RM.6.4", "RM.6.5"],
        )
        if not done.exists():
            raise Conflict(
                "First publish the successful installation (RM.6.5) or initiate "
                "the rollback (RM.6.4)."
            )
    request = NotificationRequest.objects.create(
        release=release,
        moment="after" if after else "before",
        message=message,
        disruption=disruption,
        rollback_used=release.rollback_plan_used,
        recorded_by=by,
    )
    report = release.installation_reports.first()
    communicate(
        release,
        code,
        by=by,
        mail="rm_6_notification_request",
        context={"request": request},
        to=parties(Parties.SERVICE_DESK),
        link=activity_link(release, code),
    )
    communicate(
        release,
        code,
        by=by,
        interface="Installation report",
        mail="rm_6_6_installation_report" if after else "rm_6_1_imminent_installation",
        context={"request": request, "report": report},
        to=business_threads(release),
    )
    audit.record(
        actor=by,
        action="notification_requested",
        obj=request,
        release=release,
        after={"moment": request.moment, "message": message},
    )
    mark_done(release, code, by=by)
    return request


@transaction.atomic
def initiate_installation(release, *, by, start_at, instructions=""):
    """RM.6.2: the formal agreement to go live, to application management; a release
    of a package only once each of the package's releases is authorised (RM.5.2)."""
    release = begin_activity(release, "RM.6.2", by=by)
    require_done(release, "RM.6.1")
    require_package_authorised(release)
    plan = release.installation_plans.first()
    go = GoLiveInstruction.objects.create(
        release=release,
        installation_plan=plan,
        start_at=start_at,
        instructions=instructions,
        recorded_by=by,
    )
    communicate(
        release,
        "RM.6.2",
        by=by,
        mail="rm_6_2_go_live",
        context={"go": go},
        to=parties(Parties.APPLICATION_MANAGER),
    )
    audit.record(
        actor=by,
        action="go_live",
        obj=go,
        release=release,
        after={"start_at": start_at, "plan": plan.version},
    )
    mark_done(release, "RM.6.2", by=by)
    return go


def phases_of_round(release) -> list[tuple]:
    """A phased deployment's phases, each with its successful installation report of the
    release's current installation round (None while not installed): [(phase, report)].
    Empty for any other deployment option."""
    plan = DeploymentPlan.objects.filter(release=release).first()
    if plan is None or plan.option != DeploymentPlan.Option.PHASED:
        return []
    return phase_records(release, plan)


@transaction.atomic
def assess_installation_report(release, *, by, file, successful, assessment, phase=None):
    """RM.6.3: the installation report from application management, assessed: on to the
    success communication (RM.6.5) or the rollback plan (RM.6.4).

    A phased deployment is installed and reported phase by phase: each successful
    phase's report is kept and audited, and the activity is done (the release goes on
    to RM.6.5) when the last phase is installed; a failed phase ends it at once, on to
    the rollback plan. A big bang takes one report, as it always did."""
    release = begin_activity(release, "RM.6.3", by=by)
    require_done(release, "RM.6.2")
    phases = phases_of_round(release)
    if not phases and phase is not None:
        raise ValidationError({"phase": "This deployment has no phases: leave it empty."})
    if phases:
        phase = _phase_to_report(release, phases, phase)
    report = InstallationReport.store(
        file,
        release=release,
        phase=phase,
        successful=successful,
        assessment=assessment,
        uploaded_by=by,
    )
    audit.record(
        actor=by,
        action="phase_installation_assessed" if phase else "installation_assessed",
        obj=report,
        release=release,
        after={"successful": successful, "assessment": assessment}
        | ({"phase": phase.name} if phase else {}),
    )
    remaining = [p for p, r in phases if r is None and p != phase]
    if successful and remaining:
        return report
    applies = "RM.6.4" if successful else "RM.6.5"
    ActivityRecord.objects.filter(release=release, activity__code=applies).update(
        status=ActivityRecord.Status.NOT_APPLICABLE,
        comment="Installation successful." if successful else "Installation failed.",
    )
    mark_done(release, "RM.6.3", by=by, outcome="success" if successful else "failure")
    if not successful:
        communicate(
            release,
            "RM.6.4",
            by=by,
            mail="rm_6_4_rollback_validation",
            context={"report": report},
            to=business_threads(release),
            cc=parties(Parties.RELEASE_MANAGER),
            link=activity_link(release, "RM.6.4"),
            **mail_options(release, Decision.Kind.ROLLBACK),
        )
    return report


def _phase_to_report(release, phases, phase) -> DeploymentPhase:
    """The phase a report of a phased deployment is for: one of its own, not installed
    yet in this round."""
    if phase is None:
        pending = ", ".join(p.name for p, r in phases if r is None)
        raise ValidationError({"phase": f"Say which phase this report is for ({pending})."})
    own = {p.pk: (p, r) for p, r in phases}
    if phase.pk not in own:
        raise ValidationError({"phase": "Not a phase of this release's deployment plan."})
    if own[phase.pk][1] is not None:
        raise Conflict(f"{phase.name} is installed already.")
    return own[phase.pk][0]


@transaction.atomic
def initiate_rollback(release, *, by):
    """RM.6.4: after validation with the affected threads, back to the last known good
    build; every stakeholder is told."""
    release = begin_activity(release, "RM.6.4", by=by)
    require_done(release, "RM.6.3")
    require_all_threads(release, Decision.Kind.ROLLBACK, "validation")
    RollbackPlan.objects.filter(release=release).update(initiated_at=timezone.now())
    release.rollback_plan_used = True
    release.save(update_fields=["rollback_plan_used", "updated_at"])
    plan = release.rollback_plan
    environments.record_rollback(release, by=by, to_version=plan.last_known_good_build)
    communicate(
        release,
        "RM.6.4",
        by=by,
        mail="rm_6_4_rollback",
        context={"plan": plan},
        to=assigned_parties(release),
    )
    mark_done(release, "RM.6.4", by=by, outcome="rolled back")


@transaction.atomic
def reopen_rollback(release, *, by, reason):
    """RM.6.4 after a successful installation: in hypercare the run team "may trigger
    the rollback plan" (seed 002 section 5). The rollback, not applicable once RM.6.3
    succeeded, is owed again and goes as after a failed installation: the affected
    threads validate it, the coordinator initiates it, the release moves to rolled back.
    RM.6.6 is done again if it was (the users are told the rollback was used). Refused
    once the closure is prepared (RM.6.7): a rollback then is a new release."""
    release = lock(release)
    raci.require_perform(by, release, "RM.6.4")
    if release.stage != Stage.INSTALLATION:
        raise Conflict(
            f"{release.identifier} is in {release.get_stage_display()}: only a release "
            "installed and not yet closed (RM.6.7) is rolled back; after that, roll back "
            "with a new (emergency) release."
        )
    status = dict(
        ActivityRecord.objects.filter(
            release=release, activity__code__in=["RM.6.4", "RM.6.5"]
        ).values_list("activity__code", "status")
    )
    if status.get("RM.6.5") != ActivityRecord.Status.DONE:
        raise Conflict(
            "The installation is not live: after a failed installation the rollback "
            "(RM.6.4) is owed already.",
            missing=["RM.6.5 Publish the successful installation"],
        )
    if status.get("RM.6.4") == ActivityRecord.Status.PENDING:
        raise Conflict(f"The rollback of {release.identifier} is triggered already.")
    ActivityRecord.objects.filter(release=release, activity__code="RM.6.4").update(
        status=ActivityRecord.Status.PENDING, comment=f"Triggered in hypercare: {reason}"
    )
    told = ActivityRecord.objects.filter(
        release=release, activity__code="RM.6.6", status=ActivityRecord.Status.DONE
    ).update(
        status=ActivityRecord.Status.PENDING,
        performed_by=None,
        deputy_of=None,
        performed_at=None,
        outcome="",
        comment="To be told again: the rollback was triggered after the installation.",
    )
    if told:
        activities_reset.send(sender=Release, release=release, codes=["RM.6.6"])
    plan = release.rollback_plan
    plan.triggered_at, plan.triggered_by, plan.trigger_reason = timezone.now(), by, reason
    plan.save(update_fields=["triggered_at", "triggered_by", "trigger_reason"])
    audit.record(
        actor=by,
        action="rollback_triggered",
        obj=plan,
        release=release,
        after={"reason": reason, "post_installation_notice_reopened": bool(told)},
    )
    communicate(
        release,
        "RM.6.4",
        by=by,
        mail="rm_6_4_rollback_triggered",
        context={"plan": plan, "reason": reason},
        to=business_threads(release),
        cc=parties(Parties.RELEASE_MANAGER),
        link=activity_link(release, "RM.6.4"),
        **mail_options(release, Decision.Kind.ROLLBACK),
    )
    return plan


@transaction.atomic
def publish_successful_installation(release, *, by, message="", installed=""):
    """RM.6.5: the successful installation, told to every stakeholder; production's
    baseline is recorded: the components as application management reports them
    installed (``installed``, one 'name version sha256' a line), or else as the DSL
    holds the release's components."""
    release = begin_activity(release, "RM.6.5", by=by)
    require_done(release, "RM.6.3")
    reported = cmdb.parse_manifest(installed) if installed.strip() else None
    baseline = cmdb.record_baseline(release, by=by, installed=reported)
    communicate(
        release,
        "RM.6.5",
        by=by,
        mail="rm_6_5_successful_installation",
        context={"message": message, "baseline": baseline},
        to=assigned_parties(release),
    )
    environments.record_installation(release, by=by, activity="RM.6.5")
    mark_done(release, "RM.6.5", by=by, outcome="success")


@transaction.atomic
def prepare_closure(
    release,
    *,
    by,
    deployment_plan_updated,
    configuration_manager_informed=True,
    accepted_deviation="",
    notes="",
):
    """RM.6.7: report the end to change management (the included RfCs become implemented
    when the installation succeeded) and to configuration management (a task to confirm
    the CI status changes), update the deployment plan, and control that the DSL holds
    what production runs: a difference is refused (409 naming each) unless the release
    manager accepts it with a reason."""
    release = begin_activity(release, "RM.6.7", by=by)
    require_done(release, "RM.6.6")
    if not deployment_plan_updated:
        raise ValidationError({"deployment_plan_updated": "Update the deployment plan."})
    gaps = dsl_gaps(release)
    if gaps:
        raise Conflict(
            "The DSL does not hold what is installed: " + ", ".join(gaps) + ".", missing=gaps
        )
    baseline, differences = cmdb.production_differences(release)
    accepted_deviation = accepted_deviation.strip()
    if differences and not accepted_deviation:
        listed = cmdb.describe(differences)
        raise Conflict(
            "Production does not run what the DSL holds: "
            + "; ".join(listed)
            + ". Correct the DSL or accept the deviation with a reason.",
            missing=listed,
        )
    implemented = 0
    if not release.rollback_plan_used:
        implemented = changes.mark_implemented(release, by=by)
    record_revision(
        DeploymentPlan.objects.filter(release=release).first(),
        by=by,
        reason="Updated at the closure of the release operation (RM.6.7)."
        + (f" {notes.strip()}" if notes.strip() else ""),
        activity="RM.6.7",
    )
    closure = Closure.objects.create(
        release=release,
        rfcs_implemented=implemented,
        configuration_manager_informed=True,
        deployment_plan_updated=True,
        dsl_verified=baseline is not None and not differences,
        differences=differences,
        deviation_reason=accepted_deviation if differences else "",
        notes=notes,
        recorded_by=by,
    )
    task = cmdb.open_ci_task(release, by=by)
    communicate(
        release,
        "RM.6.7",
        by=by,
        mail="rm_6_7_end_of_operation",
        context={"closure": closure, "task": task},
        to=parties(Parties.CHANGE_MANAGER, Parties.CONFIGURATION_MANAGER),
    )
    audit.record(
        actor=by,
        action="closure_prepared",
        obj=closure,
        release=release,
        after={
            "rfcs_implemented": implemented,
            "dsl_verified": closure.dsl_verified,
            "differences": cmdb.describe(differences),
            "notes": notes,
        },
    )
    if differences:
        audit.record(
            actor=by,
            action="dsl_deviation_accepted",
            obj=closure,
            release=release,
            after={"differences": cmdb.describe(differences), "reason": accepted_deviation},
        )
    mark_done(release, "RM.6.7", by=by)
    release.refresh_from_db(fields=["stage", "round_started_at"])
    if release.stage == Stage.CONFORMANCE:  # the threads' go-ahead is owed (RM.7.1)
        communicate(
            release,
            "RM.7.1",
            by=by,
            mail="rm_7_1_go_ahead_request",
            to=business_threads(release),
            link=decision_link(release, Decision.Kind.CT_GO_AHEAD),
            **mail_options(release, Decision.Kind.CT_GO_AHEAD),
        )
    return closure
