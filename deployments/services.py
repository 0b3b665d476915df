"""The activities RM.1.3 to RM.7.2 and the business threads' decisions. Each service
locks the release, checks Table 4-1 and the stage (``begin_activity``), writes its own
record, the communications the process requires, and marks the activity done only when
its outcome lets the release move on."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from changes.models import RfC
from dsl.models import Component, Document
from raci import services as raci
from raci.models import Party
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releasemgmt.files import sha256_of, validate_upload
from releasemgmt.notifications import services as notify
from releasemgmt.notifications.services import business_threads
from releases.models import ActivityRecord, Stage
from releases.services import begin_activity, lock, mark_done, require_done

from .models import (
    CompletenessCheck,
    ConsistencyCheck,
    CTCampaign,
    CTReport,
    Decision,
    DeploymentPlan,
    DeploymentTask,
    EnvironmentReport,
    GoLiveInstruction,
    InstallationPlan,
    InstallationReport,
    KickOffMeeting,
    NotificationRequest,
    PlannedComponent,
    RollbackPlan,
    TestReport,
)


def party(name: str) -> Party:
    return Party.objects.get(name=name)


def parties(*names: str):
    return Party.objects.filter(name__in=names)


RM, DC = "ITSM Release Manager", "ITSM Deployment Coordinator"
AM, CHM, CFM = "ITSM Application Manager", "ITSM Change Manager", "ITSM Configuration Manager"
INFRA, DESK, CAMPAIGN = (
    "ITSM Infrastructure Manager",
    "ITSM Service Desk",
    "ITSM Campaign Coordinator",
)
DEVELOPERS = "3rd Party Developers"
DEPLOYMENT_PARTIES = (AM, INFRA, DEVELOPERS)


def _link(release, name, *args):
    return reverse(name, args=[release.identifier, *args])


def _parse_components(text: str) -> list[tuple[str, str]]:
    """'name version' per line -> [(name, version)]; a clear error for a bad line."""
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        name, _, version = line.rpartition(" ")
        if not name or not version:
            raise ValidationError({"components": f"Line {number}: write 'name version'."})
        rows.append((name.strip(), version.strip()))
    if len({n for n, _ in rows}) != len(rows):
        raise ValidationError({"components": "A component is listed twice."})
    return rows


# --- RM.1 --------------------------------------------------------------------------


@transaction.atomic
def include_rfc(release, *, by, rfc: RfC) -> RfC:
    """RM.1.1: include a Change Implementation Request in the release, until its
    consistency is verified (RM.2.1)."""
    release = lock(release)
    raci.require_perform(by, release, "RM.1.1")
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


@transaction.atomic
def initialise_deployment_plan(
    release, *, by, option, summary, components, last_known_good_build, rollback_procedure
) -> DeploymentPlan:
    """RM.1.3: the deployment plan (with the components it expects) and the rollback plan
    every release has from the start."""
    release = begin_activity(release, "RM.1.3", by=by)
    rows = _parse_components(components)
    if not rows:
        raise ValidationError({"components": "List at least one component to be delivered."})
    plan = DeploymentPlan.objects.create(release=release, option=option, summary=summary)
    PlannedComponent.objects.bulk_create(
        PlannedComponent(plan=plan, name=n, version=v) for n, v in rows
    )
    RollbackPlan.objects.create(
        release=release, last_known_good_build=last_known_good_build, procedure=rollback_procedure
    )
    audit.record(
        actor=by,
        action="deployment_plan_initialised",
        obj=plan,
        release=release,
        after={
            "option": option,
            "components": [f"{n} {v}" for n, v in rows],
            "last_known_good_build": last_known_good_build,
        },
    )
    mark_done(release, "RM.1.3", by=by)
    return plan


@transaction.atomic
def publish_release_schedule(release, *, by):
    """RM.1.4: the release appears on the release schedule (the Release Plan of Table 4-2,
    published on the web portal) and the business threads are told."""
    release = begin_activity(release, "RM.1.4", by=by)
    require_done(release, "RM.1.3")
    release.published_at = timezone.now()
    release.save(update_fields=["published_at", "updated_at"])
    notify.communicate(
        release,
        "RM.1.4",
        by=by,
        interface="Release Plan",
        subject="Release plan published",
        body=(
            f"{release} is on the release schedule: delivery planned "
            f"{release.planned_delivery_date}, installation planned "
            f"{release.planned_installation_date}."
        ),
        to=business_threads(release),
        link=reverse("releases:schedule"),
    )
    mark_done(release, "RM.1.4", by=by)
    return release


# --- RM.2 --------------------------------------------------------------------------


@transaction.atomic
def verify_consistency(
    release, *, by, plan_completed, documents_present, missing="", complementary_rfc_title=""
) -> ConsistencyCheck:
    """RM.2.1: the completed deployment plan, every CAB-approved change and the technical
    documents. Inconsistent: a complementary RfC is raised and the business threads told."""
    release = begin_activity(release, "RM.2.1", by=by)
    rfcs = list(release.rfcs.all())
    undecided = [r.reference for r in rfcs if r.cab_decision != RfC.CabDecision.APPROVED]
    changes_present = bool(rfcs) and not undecided
    consistent = plan_completed and documents_present and changes_present
    if not consistent and not (missing.strip() or complementary_rfc_title.strip()):
        raise ValidationError({"missing": "Say what is missing."})
    rfc = None
    if not consistent and complementary_rfc_title.strip():
        number = RfC.objects.count() + 1
        rfc = RfC.objects.create(
            reference=f"RFC-C-{release.pk}-{number}",
            title=complementary_rfc_title.strip(),
            release=release,
            complementary=True,
            created_by=by,
        )
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
                    *(["No RfC is included in the release."] if not rfcs else []),
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
        notify.communicate(
            release,
            "RM.2.1",
            by=by,
            interface="Notification in case of inconsistant delivery",
            subject="Inconsistent delivery",
            body=f"The delivery of {release} is not consistent:\n{check.missing}"
            + (f"\n\nComplementary RfC raised: {rfc}" if rfc else ""),
            to=business_threads(release),
            cc=parties(RM, CHM),
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
        notify.communicate(
            release,
            "RM.2.2",
            by=by,
            interface="Notification in case of incomplete delivery",
            subject="Incomplete delivery: missing items requested",
            body=f"Please deliver the missing items of {release}:\n{text}",
            to=parties(DEVELOPERS),
            cc=business_threads(release),
        )
    return check


@transaction.atomic
def store_component(release, *, by, name, version, file) -> Component:
    """RM.2.3: a delivered component goes into the DSL with its SHA-256."""
    release = lock(release)
    raci.require_perform(by, release, "RM.2.3")
    if release.stage not in (Stage.RECEIVING, Stage.KICKOFF, Stage.ACCEPTANCE):
        raise Conflict("Components are stored in the DSL while the release is received.")
    if Component.objects.filter(release=release, name=name, version=version).exists():
        raise ValidationError({"name": f"{name} {version} is already in the DSL."})
    component = Component.store(file, release=release, name=name, version=version, uploaded_by=by)
    audit.record(
        actor=by,
        action="component_stored",
        obj=component,
        release=release,
        after={"name": name, "version": version, "sha256": component.sha256},
    )
    return component


def dsl_gaps(release) -> list[str]:
    """Planned components with no matching component (name and version) in the DSL."""
    stored = set(Component.objects.filter(release=release).values_list("name", "version"))
    return [
        f"{c.name} {c.version}"
        for c in PlannedComponent.objects.filter(plan__release=release)
        if (c.name, c.version) not in stored
    ]


@transaction.atomic
def update_dsl(release, *, by):
    """RM.2.3: the DSL holds every planned component; the configuration manager is told."""
    release = begin_activity(release, "RM.2.3", by=by)
    gaps = dsl_gaps(release)
    if gaps:
        raise Conflict("Not in the DSL yet: " + ", ".join(gaps) + ".", missing=gaps)
    notify.communicate(
        release,
        "RM.2.3",
        by=by,
        subject="DSL updated",
        body=f"The components of {release} are in the DSL.",
        to=parties(CFM),
        link=_link(release, "deployments:activity", "RM.2.3"),
    )
    mark_done(release, "RM.2.3", by=by)


@transaction.atomic
def store_document(release, *, by, title, kind, file) -> Document:
    """RM.2.4: release documentation kept in the DSL."""
    release = lock(release)
    raci.require_perform(by, release, "RM.2.4")
    if not release.is_open:
        raise Conflict(f"{release.identifier} is {release.get_stage_display().lower()}.")
    document = Document.store(file, release=release, title=title, kind=kind, uploaded_by=by)
    audit.record(
        actor=by,
        action="document_stored",
        obj=document,
        release=release,
        after={"title": title, "kind": kind, "sha256": document.sha256},
    )
    return document


@transaction.atomic
def maintain_dsl_documentation(release, *, by):
    """RM.2.4: the technical documentation, installation document included, is in the DSL."""
    release = begin_activity(release, "RM.2.4", by=by)
    if not Document.objects.filter(release=release, kind=Document.Kind.INSTALLATION).exists():
        raise Conflict(
            "The installation document is not in the DSL yet.", missing=["Installation document"]
        )
    mark_done(release, "RM.2.4", by=by)


# --- RM.3 --------------------------------------------------------------------------


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
    if by != task.assignee and not raci.may_perform(by, release, "RM.3.1"):
        raise PermissionDenied("Only the assignee or the deployment coordinator.")
    if task.status == DeploymentTask.Status.DONE:
        raise Conflict(f"'{task}' is done already.")
    task.status = DeploymentTask.Status.DONE
    task.save(update_fields=["status"])
    audit.record(actor=by, action="task_done", obj=task, release=release, after={"status": "done"})
    return task


@transaction.atomic
def prepare_kickoff(release, *, by, scheduled_at, agenda="") -> KickOffMeeting:
    """RM.3.1: invite every party of RM.3.2 in Table 4-1 to the kick-off."""
    release = begin_activity(release, "RM.3.1", by=by)
    if not DeploymentTask.objects.filter(plan__release=release).exists():
        raise Conflict(
            "Complete the deployment plan with its tasks first.", missing=["Deployment tasks"]
        )
    invited_parties = Party.objects.filter(cells__activity__code="RM.3.2").distinct()
    meeting, _ = KickOffMeeting.objects.update_or_create(
        release=release, defaults={"scheduled_at": scheduled_at, "agenda": agenda}
    )
    meeting.invitees.set(notify.holders(release, invited_parties))
    notify.communicate(
        release,
        "RM.3.1",
        by=by,
        subject="Invitation: deployment kick-off meeting",
        body=f"Kick-off of {release} on {scheduled_at:%Y-%m-%d %H:%M}.\n\n{agenda}",
        to=invited_parties,
    )
    audit.record(
        actor=by,
        action="kickoff_prepared",
        obj=meeting,
        release=release,
        after={"scheduled_at": scheduled_at, "invitees": meeting.invitees.count()},
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
    notify.communicate(
        release,
        "RM.3.2",
        by=by,
        interface="Kick-off meeting decisions",
        subject="Kick-off meeting decisions",
        body=f"{decisions}\n\nDeployment plan approved: {'yes' if plan_approved else 'no'}.",
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
        notify.communicate(
            release,
            "RM.3.3",
            by=by,
            interface="Notification in case of anomalies/inconsistencies",
            subject="Test environment anomalies",
            body=anomalies,
            to=business_threads(release),
            cc=parties(AM, INFRA),
        )
    audit.record(
        actor=by,
        action="environment_report",
        obj=report,
        release=release,
        after={"accepted": accepted, "anomalies": anomalies, "sha256": report.sha256},
    )
    if accepted:
        mark_done(release, "RM.3.3", by=by, outcome="accepted")
    return report


# --- RM.4 and RM.5: reports, plans and decisions -----------------------------------

DECISION_ACTIVITY = {
    Decision.Kind.PSAT: "RM.4.1",
    Decision.Kind.SAT: "RM.4.2",
    Decision.Kind.INSTALLATION_PLAN: "RM.5.1",
    Decision.Kind.AUTHORISATION: "RM.5.2",
    Decision.Kind.ROLLBACK: "RM.6.4",
    Decision.Kind.CT_GO_AHEAD: "RM.7.1",
}
REPORT_INTERFACE = {
    TestReport.Kind.PSAT: "pSAT report",
    TestReport.Kind.SAT: "SAT report",
    TestReport.Kind.DQR: "DQR report",
    TestReport.Kind.QUALIFICATION: "SAT report",
}


@transaction.atomic
def submit_test_report(release, *, by, kind, file, summary="") -> TestReport:
    """RM.4.1 / RM.4.2: the deployment coordinator sends the report to the business
    threads, who give their GO/NOGO on it."""
    code = "RM.4.1" if kind == TestReport.Kind.PSAT else "RM.4.2"
    release = begin_activity(release, code, by=by)
    if code == "RM.4.2":
        require_done(release, "RM.4.1")
    report = TestReport.store(file, release=release, kind=kind, summary=summary, uploaded_by=by)
    notify.communicate(
        release,
        code,
        by=by,
        interface=REPORT_INTERFACE[kind],
        subject=f"{report.get_kind_display()}: your GO/NOGO is awaited",
        body=f"{report.get_kind_display()} of {release}.\n\n{summary}\n\n"
        "Record your thread's decision with the link below.",
        to=business_threads(release),
        link=_link(release, "deployments:decide", Decision.Kind.PSAT if kind == "psat" else "sat"),
    )
    audit.record(
        actor=by,
        action="test_report_submitted",
        obj=report,
        release=release,
        after={"kind": kind, "sha256": report.sha256},
    )
    return report


@transaction.atomic
def submit_installation_plan(release, *, by, file, release_notes, planned_start):
    """RM.5.1: the installation plan and release notes go to the affected threads."""
    release = begin_activity(release, "RM.5.1", by=by)
    version = (release.installation_plans.aggregate(v=Max("version"))["v"] or 0) + 1
    plan = InstallationPlan.store(
        file,
        release=release,
        version=version,
        release_notes=release_notes,
        planned_start=planned_start,
        uploaded_by=by,
    )
    notify.communicate(
        release,
        "RM.5.1",
        by=by,
        interface="Installation Plan & Release notes",
        subject=f"Installation plan v{version} and release notes: your approval is awaited",
        body=f"Installation planned to start {planned_start:%Y-%m-%d %H:%M}.\n\n{release_notes}",
        to=business_threads(release),
        link=_link(release, "deployments:decide", Decision.Kind.INSTALLATION_PLAN),
    )
    audit.record(
        actor=by,
        action="installation_plan_submitted",
        obj=plan,
        release=release,
        after={"version": version, "sha256": plan.sha256},
    )
    return plan


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
        failed = release.installation_reports.filter(successful=False, **since)
        return "installation_report", failed.first()
    return None, None


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
):
    """A business thread's decision (RM.4.1, RM.4.2 GO/NOGO; RM.5.1 approval; RM.5.2
    authorisation; RM.6.4 rollback validation; RM.7.1 CT go-ahead), recorded by a user of
    that thread, or on its behalf, with evidence, by a party R or A for the activity.
    Nobody decides on what they submitted themselves."""
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
    expected_stage = {
        "RM.4.1": Stage.ACCEPTANCE,
        "RM.4.2": Stage.ACCEPTANCE,
        "RM.5.1": Stage.AUTHORISATION,
        "RM.5.2": Stage.AUTHORISATION,
        "RM.6.4": Stage.INSTALLATION,
        "RM.7.1": Stage.CONFORMANCE,
    }[code]
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
    if basis is not None and getattr(basis, "uploaded_by_id", None) == by.pk:
        raise PermissionDenied("Nobody decides on what they submitted themselves.")
    if on_behalf and not decided_by_name.strip():
        raise ValidationError({"decided_by_name": "Name who decided for the thread."})
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
        decided_by_name=decided_by_name.strip() or by.get_full_name() or by.username,
        decided_at=decided_at or timezone.now(),
        evidence_note=evidence_note,
        consequence=consequence if retest_nogo else "",
        supersedes=previous,
        recorded_by=by,
        on_behalf=on_behalf,
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
            "supersedes": previous.pk if previous else None,
            "consequence": decision.consequence,
        },
    )
    if retest_nogo:
        _implement_nogo(release, decision, by=by)
    return decision


def _implement_nogo(release, decision, *, by):
    """RM.4.1 / RM.4.2 after a NOGO: the deployment parties are told, and the release goes
    back for a corrected delivery or is cancelled, as the decider chose."""
    from releases.lifecycle import CORRECTION_ACTIVITIES
    from releases.services import _fire, reset_activities

    code = DECISION_ACTIVITY[decision.kind]
    notify.communicate(
        release,
        code,
        by=by,
        subject=f"NOGO from {decision.business_thread}",
        body=f"{decision}: {decision.get_consequence_display()}.",
        to=parties(*DEPLOYMENT_PARTIES),
        cc=parties(RM, DC),
    )
    if decision.consequence == Decision.Consequence.CANCEL:
        _fire(release, "cancel", by=by)
    else:
        _fire(release, "return_for_correction", by=by)
        reset_activities(release, CORRECTION_ACTIVITIES)


def require_all_threads(release, kind, waiting: str) -> None:
    """Every affected thread's current decision of ``kind`` is a GO on the current basis
    (409 naming the threads still awaited)."""
    lacking = pending_threads(release, kind)
    if lacking:
        raise Conflict(
            f"Waiting for the {waiting} of: " + ", ".join(lacking) + ".", missing=lacking
        )


def _implement_go(release, code, kind, *, by, what):
    """RM.4.1 / RM.4.2: DG TAXUD's GO is implemented; the deployment parties are told."""
    release = begin_activity(release, code, by=by)
    require_all_threads(release, kind, "decision")
    notify.communicate(
        release,
        code,
        by=by,
        subject=f"GO for {what}",
        body=f"DG TAXUD gave GO for {what} of {release}.",
        to=parties(*DEPLOYMENT_PARTIES),
    )
    mark_done(release, code, by=by, outcome="GO")


@transaction.atomic
def implement_psat_decision(release, *, by):
    """RM.4.1: every affected thread said GO on the latest pSAT report: SAT may start."""
    _implement_go(release, "RM.4.1", Decision.Kind.PSAT, by=by, what="the SAT")


@transaction.atomic
def implement_sat_decision(release, *, by):
    """RM.4.2: GO after SAT (or DQR, qualification) from every affected thread."""
    _implement_go(release, "RM.4.2", Decision.Kind.SAT, by=by, what="the post-SAT deployments")


@transaction.atomic
def validate_installation_plan(release, *, by):
    """RM.5.1: the latest installation plan is approved by every affected thread."""
    release = begin_activity(release, "RM.5.1", by=by)
    require_all_threads(release, Decision.Kind.INSTALLATION_PLAN, "approval")
    mark_done(release, "RM.5.1", by=by, outcome="approved")


@transaction.atomic
def assess_installation_authorisation(release, *, by):
    """RM.5.2: the official authorisation of every affected thread is on record.
    No authorisation, no RM.6."""
    release = begin_activity(release, "RM.5.2", by=by)
    require_done(release, "RM.5.1")
    require_all_threads(release, Decision.Kind.AUTHORISATION, "authorisation")
    mark_done(release, "RM.5.2", by=by, outcome="authorised")


# --- RM.6 --------------------------------------------------------------------------


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
    notify.communicate(
        release,
        code,
        by=by,
        subject="Please notify the impacted users",
        body=message + (f"\n\nExpected disruption: {disruption}" if disruption else ""),
        to=parties(DESK),
        link=_link(release, "deployments:activity", code),
    )
    notify.communicate(
        release,
        code,
        by=by,
        interface="Installation report",
        subject="Installation report" if after else "Imminent installation",
        body=(
            f"{message}\n\nRollback used: {'yes' if release.rollback_plan_used else 'no'}."
            + (f"\n\n{report.assessment}" if after and report else "")
        ),
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
    """RM.6.2: the formal agreement to go live, to application management."""
    release = begin_activity(release, "RM.6.2", by=by)
    require_done(release, "RM.6.1")
    plan = release.installation_plans.first()
    go = GoLiveInstruction.objects.create(
        release=release,
        installation_plan=plan,
        start_at=start_at,
        instructions=instructions,
        recorded_by=by,
    )
    notify.communicate(
        release,
        "RM.6.2",
        by=by,
        subject="Go live: proceed with the installation",
        body=f"Install {release} following installation plan v{plan.version} from "
        f"{start_at:%Y-%m-%d %H:%M}.\n\n{instructions}",
        to=parties(AM),
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


@transaction.atomic
def assess_installation_report(release, *, by, file, successful, assessment):
    """RM.6.3: the installation report from application management, assessed: on to the
    success communication (RM.6.5) or the rollback plan (RM.6.4)."""
    release = begin_activity(release, "RM.6.3", by=by)
    require_done(release, "RM.6.2")
    report = InstallationReport.store(
        file, release=release, successful=successful, assessment=assessment, uploaded_by=by
    )
    audit.record(
        actor=by,
        action="installation_assessed",
        obj=report,
        release=release,
        after={"successful": successful, "assessment": assessment},
    )
    applies = "RM.6.4" if successful else "RM.6.5"
    ActivityRecord.objects.filter(release=release, activity__code=applies).update(
        status=ActivityRecord.Status.NOT_APPLICABLE,
        comment="Installation successful." if successful else "Installation failed.",
    )
    mark_done(release, "RM.6.3", by=by, outcome="success" if successful else "failure")
    return report


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
    notify.communicate(
        release,
        "RM.6.4",
        by=by,
        subject="Rollback initiated",
        body=f"{release} is rolled back to {plan.last_known_good_build}.\n\n{plan.procedure}",
        to=Party.objects.filter(assignments__release=release).distinct(),
    )
    mark_done(release, "RM.6.4", by=by, outcome="rolled back")


@transaction.atomic
def publish_successful_installation(release, *, by, message=""):
    """RM.6.5: the successful installation, told to every stakeholder."""
    release = begin_activity(release, "RM.6.5", by=by)
    require_done(release, "RM.6.3")
    notify.communicate(
        release,
        "RM.6.5",
        by=by,
        subject="Successful installation",
        body=message or f"{release} is installed in production.",
        to=Party.objects.filter(assignments__release=release).distinct(),
    )
    mark_done(release, "RM.6.5", by=by, outcome="success")


@transaction.atomic
def prepare_closure(
    release, *, by, configuration_manager_informed, deployment_plan_updated, notes=""
):
    """RM.6.7: report the end to change management (the included RfCs become implemented
    when the installation succeeded) and configuration management, update the deployment
    plan, and check that the DSL holds what is installed."""
    from .models import Closure

    release = begin_activity(release, "RM.6.7", by=by)
    require_done(release, "RM.6.6")
    errors = {}
    if not configuration_manager_informed:
        errors["configuration_manager_informed"] = "Report the end to configuration management."
    if not deployment_plan_updated:
        errors["deployment_plan_updated"] = "Update the deployment plan."
    if errors:
        raise ValidationError(errors)
    gaps = dsl_gaps(release)
    if gaps:
        raise Conflict(
            "The DSL does not hold what is installed: " + ", ".join(gaps) + ".", missing=gaps
        )
    implemented = 0
    if not release.rollback_plan_used:
        implemented = (
            release.rfcs.filter(cab_decision=RfC.CabDecision.APPROVED)
            .exclude(status=RfC.Status.IMPLEMENTED)
            .update(status=RfC.Status.IMPLEMENTED, implemented_at=timezone.now())
        )
    closure = Closure.objects.create(
        release=release,
        rfcs_implemented=implemented,
        configuration_manager_informed=True,
        deployment_plan_updated=True,
        dsl_verified=True,
        notes=notes,
        recorded_by=by,
    )
    notify.communicate(
        release,
        "RM.6.7",
        by=by,
        subject="End of the release operation",
        body=(
            f"{release} is {'rolled back' if release.rollback_plan_used else 'installed'}. "
            f"RfCs marked implemented: {implemented}. Please update the change records "
            "and the CIs in the CMDB."
        ),
        to=parties(CHM, CFM),
    )
    audit.record(
        actor=by,
        action="closure_prepared",
        obj=closure,
        release=release,
        after={"rfcs_implemented": implemented, "notes": notes},
    )
    mark_done(release, "RM.6.7", by=by)
    return closure


# --- RM.7 --------------------------------------------------------------------------


@transaction.atomic
def initiate_ct_campaign(release, *, by, coordinator, scope):
    """RM.7.1: after the go-ahead of every affected thread, the CT campaign is triggered
    to the designated campaign coordinator."""
    release = begin_activity(release, "RM.7.1", by=by)
    if not raci.holds_party(coordinator, CAMPAIGN):
        raise ValidationError({"coordinator": "Choose an ITSM Campaign Coordinator."})
    require_all_threads(release, Decision.Kind.CT_GO_AHEAD, "go-ahead")
    campaign = CTCampaign.objects.create(
        release=release, coordinator=coordinator, scope=scope, recorded_by=by
    )
    notify.communicate(
        release,
        "RM.7.1",
        by=by,
        interface="Trigger start",
        subject="Start of the conformance test campaign",
        body=scope,
        to=parties(CAMPAIGN),
        cc=business_threads(release),
    )
    audit.record(
        actor=by,
        action="ct_campaign_started",
        obj=campaign,
        release=release,
        after={"coordinator": str(coordinator), "scope": scope},
    )
    mark_done(release, "RM.7.1", by=by)
    return campaign


@transaction.atomic
def add_ct_report(release, *, by, file, summary=""):
    """RM.7.2: a CT campaign report (from the campaign coordinator)."""
    release = lock(release)
    if not (raci.may_perform(by, release, "RM.7.2") or raci.holds_party(by, CAMPAIGN)):
        raise PermissionDenied("Only the campaign coordinator or the deployment coordinator.")
    campaign = CTCampaign.objects.filter(release=release).first()
    if campaign is None or release.stage != Stage.CONFORMANCE:
        raise Conflict("No CT campaign is running for this release.")
    report = CTReport.store(file, campaign=campaign, summary=summary, uploaded_by=by)
    audit.record(
        actor=by,
        action="ct_report_added",
        obj=report,
        release=release,
        after={"sha256": report.sha256},
    )
    return report


@transaction.atomic
def forward_ct_reports(release, *, by, message=""):
    """RM.7.2: the CT campaign reports are forwarded to the affected threads and the
    service desk: the campaign is completed."""
    release = begin_activity(release, "RM.7.2", by=by)
    require_done(release, "RM.7.1")
    campaign = release.ct_campaign
    if not campaign.reports.exists():
        raise Conflict("Attach the CT campaign reports first.", missing=["CT campaign report"])
    campaign.completed_at = timezone.now()
    campaign.save(update_fields=["completed_at"])
    notify.communicate(
        release,
        "RM.7.2",
        by=by,
        interface="Notification of completion",
        subject="Conformance test campaign completed",
        body=message or f"The CT campaign of {release} is completed; its reports are attached.",
        to=business_threads(release),
        cc=parties(DESK),
    )
    mark_done(release, "RM.7.2", by=by)
