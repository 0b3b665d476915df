"""Walk demo releases through the process with the real services, so that the demo shows
releases in every stage with their records, decisions and communications."""

import datetime

from django.core.files.base import ContentFile
from django.utils import timezone

from changes import services as changes
from deployments import services as d
from deployments.models import Decision, TestReport
from deployments.services import decision_requests
from dsl import services as dsl
from raci.models import Party
from raci.permissions import Parties
from releases import services as releases
from releases import waivers
from releases.communications import business_threads

from . import aftercare_walks, change_walks, readiness_walks

STAGES = [
    "planning",
    "receiving",
    "kickoff",
    "acceptance",
    "authorisation",
    "installation",
    "conformance",
    "closed",
]


def plan_items(release) -> dict:
    """Every item of BS 15000-2 9.3 for a demo release's deployment plan (RM.1.4
    publishes only a complete plan)."""
    return {
        "dates_deliverables": f"Delivery {release.planned_delivery_date}, installation "
        f"{release.planned_installation_date}: the core and web components.",
        "related_changes": "The RfC it carries; no known error so far.",
        "processes": "Installed centrally for every member state; national desks informed.",
        "back_out": "Redeploy the previous build from the DSL; restore the database.",
        "verification": "pSAT and SAT by the business threads, then the conformance tests.",
        "communication": "Release notes to the users; the service desk briefed a week before.",
        "logistics": "None: software only.",
        "support_resources": "Application support and the service desk on call that night.",
        "dependencies": "The reference data service stays on its current version.",
        "sign_off": "The business threads authorise the installation (RM.5.2).",
        "production_audits": "Not required: no major upgrade.",
        "risks": "The database migration overruns the window | Database team | Rehearsed "
        "on the acceptance copy; rollback at 22:00 at the latest",
    }


def demo_file(name: str) -> ContentFile:
    return ContentFile(f"Demo document {name}\n".encode(), name=name)


def phases(release, second_wave_delay: int = 0) -> str:
    """A phased deployment's two waves, as the plan's form takes them."""
    first = release.planned_installation_date
    second = first + datetime.timedelta(days=7 + second_wave_delay)
    return (
        f"Wave 1 | BE, NL, LU: the pilot member states | {first.isoformat()}\n"
        f"Wave 2 | DE, FR, IT and the other member states | {second.isoformat()}"
    )


def revise_the_waves(release, *, dc) -> None:
    """The coordinator's own revision between RM.3.1 and RM.6.7: the second wave a week
    later, with the risk that made it so."""
    plan = release.deployment_plan
    items = dict(plan.items)
    items["processes"] = (
        "Wave 1 installs the pilot member states; wave 2 the others, once the pilot "
        "states confirm the movements flow."
    )
    risks = "\n".join(f"{r.description} | {r.owner} | {r.mitigation}" for r in plan.risks.all())
    risks += (
        "\nA national system of wave 2 is not ready | The member state's national desk | "
        "Wave 2 a week later; the state may move to a later wave"
    )
    d.revise_deployment_plan(
        release,
        by=dc,
        reason="DE asked for a week more to prepare its national system.",
        option=plan.option,
        summary=plan.summary,
        risks=risks,
        phases=phases(release, second_wave_delay=7),
        based_on=plan.revisions.order_by("-number").first().number,
        **items,
    )


def walk(release, target: str, *, rm, dc, campaign, board, phased=False) -> None:
    """Take a release (roles assigned) up to ``target``, one of STAGES, 'rolled_back',
    'rolling_back' (live, its rollback triggered from hypercare) or 'cancelled'. Its
    request for change is authorised at ``board``, the weekly CAB (``change_walks.Board``),
    before RM.1.1 includes it. A ``phased`` release is deployed in two waves, its plan
    revised by the coordinator after the kick-off."""
    if target == "cancelled":
        releases.fire_transition(release, "cancel", by=rm, reason="Merged into a later release")
        return
    if target == "planning":
        return
    emergency = release.release_type == "emergency"
    rfc = (change_walks.ecab_release_rfc if emergency else change_walks.release_rfc)(board, release)
    changes.include_rfc(release, by=rm, rfc=rfc)
    app = release.application.code
    d.initialise_deployment_plan(
        release,
        by=rm,
        option="phased" if phased else "big_bang",
        summary=f"{release.name}: "
        + ("installation in two waves." if phased else "installation in one go."),
        components=f"{app}-core {release.version}\n{app}-web {release.version}",
        last_known_good_build=f"{app} previous version",
        rollback_procedure="Redeploy the previous build from the DSL; restore the database.",
        **plan_items(release) | ({"phases": phases(release)} if phased else {}),
    )
    d.publish_release_schedule(release, by=rm)
    if target == "receiving":
        # An inconsistent delivery: RM.2.1 raises a complementary RfC for what lacks.
        d.verify_consistency(
            release,
            by=dc,
            plan_completed=False,
            documents_present=True,
            missing="The deployment plan does not say where the new reference tables go.",
            complementary_rfc_title="Extra database storage for the new reference tables",
        )
        return
    d.verify_consistency(release, by=dc, plan_completed=True, documents_present=True)
    d.verify_completeness(release, by=dc, delivered=list(release.deployment_plan.components.all()))
    for c in release.deployment_plan.components.all():
        dsl.store_component(
            release,
            by=rm,
            name=c.name,
            version=c.version,
            file=demo_file(f"{c.name}-{c.version}.jar"),
        )
    d.update_dsl(release, by=rm)
    dsl.store_document(
        release,
        by=dc,
        title="Installation guide",
        kind="installation",
        file=demo_file("installation-guide.pdf"),
    )
    d.maintain_dsl_documentation(release, by=dc)
    if target == "kickoff":
        return
    d.add_deployment_task(
        release,
        by=dc,
        title="Prepare the acceptance environment",
        owner_party=Party.objects.get(name=Parties.INFRASTRUCTURE_MANAGER),
        assignee=None,
        due_date=timezone.localdate() + datetime.timedelta(days=7),
    )
    if emergency:  # no time for a kick-off meeting: waived, caught up after the installation
        for code in ("RM.3.1", "RM.3.2"):
            waivers.waive_activity(
                release, code, by=dc, reason="Emergency fix: the ECAB asked for it tonight."
            )
    else:
        d.prepare_kickoff(release, by=dc, scheduled_at=timezone.now() + datetime.timedelta(days=1))
        d.run_kickoff(
            release, by=dc, decisions="Plan reviewed with all parties.", plan_approved=True
        )
    d.validate_testing_environment(
        release, by=dc, file=demo_file("environment-report.pdf"), accepted=True
    )
    if phased:
        revise_the_waves(release, dc=dc)
    d.submit_test_report(release, by=dc, kind=TestReport.Kind.PSAT, file=demo_file("psat.pdf"))
    if target == "acceptance":
        return  # the business thread's pSAT decision is owed
    threads = list(business_threads(release))

    def all_decide(kind, from_the_mail=False):
        for t in threads:
            user = t.group.user_set.first()
            if from_the_mail:  # two clicks from the mail's personal link (issue 16)
                request = decision_requests.request_for(release, kind)
                decision_requests.decide(request, by=user, verdict="go", business_thread=t)
                continue
            d.record_decision(release, by=user, kind=kind, business_thread=t, verdict="go")

    all_decide(Decision.Kind.PSAT)
    d.implement_psat_decision(release, by=dc)
    d.submit_test_report(release, by=dc, kind=TestReport.Kind.SAT, file=demo_file("sat.pdf"))
    all_decide(Decision.Kind.SAT, from_the_mail=True)
    d.implement_sat_decision(release, by=dc)
    d.submit_installation_plan(
        release,
        by=dc,
        file=demo_file("installation-plan.pdf"),
        release_notes=f"What is new in {release.identifier}.",
        planned_start=timezone.now() + datetime.timedelta(days=3),
    )
    if target == "authorisation":
        return  # approvals of the installation plan are owed
    all_decide(Decision.Kind.INSTALLATION_PLAN)
    d.validate_installation_plan(release, by=dc)
    all_decide(Decision.Kind.AUTHORISATION)
    d.assess_installation_authorisation(release, by=dc)
    if target == "installation":
        readiness_walks.get_ready(release, dc=dc, part=0.5)  # a checklist half done
        readiness_walks.write_runbook(release, by=dc, complete=False)
        readiness_walks.hold_board(release, dc=dc, rm=rm, go=False)  # NO-GO, re-planned
        return
    d.prepare_user_notification(
        release,
        by=dc,
        message="The application is unavailable Saturday "
        "20:00-22:00 for the installation of a new release.",
        disruption="Two hours",
    )
    readiness_walks.get_ready(release, dc=dc)
    readiness_walks.write_runbook(release, by=dc)
    readiness_walks.hold_board(release, dc=dc, rm=rm)
    d.initiate_installation(release, by=dc, start_at=timezone.now())
    failed = target == "rolled_back"
    for phase in release.deployment_plan.phases.all() if phased else [None]:
        d.assess_installation_report(
            release,
            by=dc,
            file=demo_file(f"installation-report-{phase.name if phase else 'all'}.pdf"),
            successful=not failed,
            assessment="Database migration failed." if failed else "OK.",
            phase=phase,
        )
    if failed:
        all_decide(Decision.Kind.ROLLBACK)
        d.initiate_rollback(release, by=dc)
        return
    d.publish_successful_installation(release, by=dc)
    if target == "rolling_back":
        aftercare_walks.roll_back_from_hypercare(release, dc=dc)
        return
    d.prepare_post_installation_notification(
        release, by=dc, message="The new release is available."
    )
    d.prepare_closure(release, by=rm, deployment_plan_updated=True)
    if target in ("conformance", "closed") and release.conformance_testing:
        all_decide(Decision.Kind.CT_GO_AHEAD)
        d.initiate_ct_campaign(release, by=rm, coordinator=campaign, scope="Full CT campaign")
        if target == "closed":
            d.add_ct_report(release, by=campaign, file=demo_file("ct-report.pdf"))
            d.forward_ct_reports(release, by=dc)
