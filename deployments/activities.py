"""The activities RM.1.3 to RM.7.2 as the registry knows them: for each, its form, its
service, its label, its extra actions, who may try them, and what its page shows."""

from dsl import forms as dsl_forms
from dsl import services as dsl
from raci import permissions
from releases.registry import Action, ActivitySpec, register

from . import forms
from . import selectors as read
from .models import Decision, DeploymentTask, TestReport
from .services import (
    acceptance,
    authorisation,
    conformance,
    installation,
    kickoff,
    planning,
    receipt,
)

P = "deployments/activities/"
Kind = Decision.Kind


def _assignee_or_coordinator(user, release) -> bool:
    """RM.3.1: whoever may mark a task done may try: an assignee of a task of the release,
    or the coordinator."""
    assigned = DeploymentTask.objects.filter(plan__release=release, assignee_id=user.pk)
    return permissions.may_mark_task_done(user, release, user.pk if assigned.exists() else None)


# --- RM.1 ---------------------------------------------------------------------------

register(
    ActivitySpec(
        "RM.1.3",
        "Initialise the deployment plan",
        forms.DeploymentPlanForm,
        planning.initialise_deployment_plan,
        partials=(P + "_plan.html",),
        records=read.plan_records,
    )
)
register(
    ActivitySpec(
        "RM.1.4",
        "Publish on the release schedule",
        forms.ConfirmForm,
        planning.publish_release_schedule,
        partials=(P + "_plan_status.html", P + "_conflicts.html"),
        records=read.combine(read.plan_records, read.conflict_records),
        actions=(
            Action(
                "acknowledge-conflict",
                forms.AcknowledgeConflictForm,
                planning.acknowledge_conflict,
                "Acknowledge a conflict",
                "RM.1.4",
            ),
        ),
    )
)

# --- RM.2 ---------------------------------------------------------------------------

register(
    ActivitySpec(
        "RM.2.1",
        "Record the consistency check",
        forms.ConsistencyForm,
        receipt.verify_consistency,
        partials=("changes/_rfcs.html", P + "_consistency_checks.html"),
        records=read.combine(read.rfc_records, read.consistency_records),
    )
)
register(
    ActivitySpec(
        "RM.2.2",
        "Record the completeness check",
        forms.CompletenessForm,
        receipt.verify_completeness,
        partials=(P + "_plan.html", P + "_completeness_checks.html"),
        records=read.combine(read.plan_records, read.completeness_records),
    )
)
register(
    ActivitySpec(
        "RM.2.3",
        "Confirm the DSL is updated",
        forms.ConfirmForm,
        receipt.update_dsl,
        partials=("dsl/_components.html",),
        records=read.component_records,
        actions=(
            Action(
                "store-component",
                dsl_forms.ComponentForm,
                dsl.store_component,
                "Store a component in the DSL",
                "RM.2.3",
            ),
        ),
    )
)
register(
    ActivitySpec(
        "RM.2.4",
        "Confirm the documentation is in the DSL",
        forms.ConfirmForm,
        receipt.maintain_dsl_documentation,
        partials=("dsl/_documents.html",),
        records=read.document_records,
        actions=(
            Action(
                "store-document",
                dsl_forms.DocumentForm,
                dsl.store_document,
                "Store a document in the DSL",
                "RM.2.4",
            ),
        ),
    )
)

# --- RM.3 ---------------------------------------------------------------------------

register(
    ActivitySpec(
        "RM.3.1",
        "Invite to the kick-off",
        forms.KickOffForm,
        kickoff.prepare_kickoff,
        partials=(P + "_plan.html", P + "_kickoff.html"),
        records=read.combine(read.plan_records, read.kickoff_records),
        actions=(
            Action(
                "add-task",
                forms.TaskForm,
                kickoff.add_deployment_task,
                "Add a task to the deployment plan",
                "RM.3.1",
            ),
            Action(
                "complete-task",
                forms.TaskDoneForm,
                kickoff.complete_task,
                "Mark a deployment task done",
                "RM.3.1",
                while_open=True,
                allowed=_assignee_or_coordinator,
            ),
        ),
    )
)
register(
    ActivitySpec(
        "RM.3.2",
        "Record the kick-off",
        forms.RunKickOffForm,
        kickoff.run_kickoff,
        partials=(P + "_kickoff.html",),
        records=read.kickoff_records,
    )
)
register(
    ActivitySpec(
        "RM.3.3",
        "Record the environment acceptance report",
        forms.EnvironmentForm,
        kickoff.validate_testing_environment,
        partials=(P + "_kickoff.html",),
        records=read.kickoff_records,
    )
)

# --- RM.4 ---------------------------------------------------------------------------

register(
    ActivitySpec(
        "RM.4.1",
        "Implement the GO: SAT may start",
        forms.ConfirmForm,
        acceptance.implement_psat_decision,
        partials=(P + "_reports.html",),
        records=read.combine(
            read.test_report_records(TestReport.Kind.PSAT), read.decision_records(Kind.PSAT)
        ),
        actions=(
            Action(
                "submit-test-report",
                forms.TestReportForm,
                acceptance.submit_test_report,
                "Send a test report to the business threads",
                "RM.4.1",
                allowed=permissions.may_report_tests,
                also_on=("RM.4.2",),
            ),
        ),
    )
)
register(
    ActivitySpec(
        "RM.4.2",
        "Implement the GO: post-SAT deployments may start",
        forms.ConfirmForm,
        acceptance.implement_sat_decision,
        partials=(P + "_reports.html",),
        records=read.combine(
            read.test_report_records(
                TestReport.Kind.SAT, TestReport.Kind.DQR, TestReport.Kind.QUALIFICATION
            ),
            read.decision_records(Kind.SAT),
        ),
    )
)

# --- RM.5 ---------------------------------------------------------------------------

register(
    ActivitySpec(
        "RM.5.1",
        "Confirm the installation plan is validated",
        forms.ConfirmForm,
        authorisation.validate_installation_plan,
        partials=(P + "_installation_plans.html",),
        records=read.combine(
            read.installation_plan_records, read.decision_records(Kind.INSTALLATION_PLAN)
        ),
        actions=(
            Action(
                "submit-installation-plan",
                forms.InstallationPlanForm,
                authorisation.submit_installation_plan,
                "Submit the installation plan and release notes",
                "RM.5.1",
            ),
        ),
    )
)
register(
    ActivitySpec(
        "RM.5.2",
        "Confirm the installation is authorised",
        forms.ConfirmForm,
        authorisation.assess_installation_authorisation,
        partials=(P + "_installation_plans.html",),
        records=read.combine(
            read.installation_plan_records, read.decision_records(Kind.AUTHORISATION)
        ),
    )
)

# --- RM.6 ---------------------------------------------------------------------------

INSTALLATION = {"partials": (P + "_installation.html",), "records": read.installation_records}

register(
    ActivitySpec(
        "RM.6.1",
        "Ask the service desk to notify the users",
        forms.NotificationForm,
        installation.prepare_user_notification,
        **INSTALLATION,
    )
)
register(
    ActivitySpec(
        "RM.6.2",
        "Give the go-live to application management",
        forms.GoLiveForm,
        installation.initiate_installation,
        **INSTALLATION,
    )
)
register(
    ActivitySpec(
        "RM.6.3",
        "Record the assessed installation report",
        forms.InstallationReportForm,
        installation.assess_installation_report,
        **INSTALLATION,
    )
)
register(
    ActivitySpec(
        "RM.6.4",
        "Initiate the rollback plan",
        forms.ConfirmForm,
        installation.initiate_rollback,
        partials=(P + "_installation.html",),
        records=read.combine(read.installation_records, read.decision_records(Kind.ROLLBACK)),
    )
)
register(
    ActivitySpec(
        "RM.6.5",
        "Publish the successful installation",
        forms.SuccessForm,
        installation.publish_successful_installation,
        **INSTALLATION,
    )
)
register(
    ActivitySpec(
        "RM.6.6",
        "Ask the service desk to notify the users",
        forms.NotificationForm,
        installation.prepare_post_installation_notification,
        **INSTALLATION,
    )
)
register(
    ActivitySpec(
        "RM.6.7",
        "Close the release operation",
        forms.ClosureForm,
        installation.prepare_closure,
        partials=(P + "_closure.html",),
        records=read.combine(
            read.plan_records,
            read.component_records,
            read.installation_records,
            read.closure_records,
        ),
    )
)

# --- RM.7 ---------------------------------------------------------------------------

register(
    ActivitySpec(
        "RM.7.1",
        "Trigger the CT campaign",
        forms.CTCampaignForm,
        conformance.initiate_ct_campaign,
        partials=(P + "_campaign.html",),
        records=read.combine(read.campaign_records, read.decision_records(Kind.CT_GO_AHEAD)),
    )
)
register(
    ActivitySpec(
        "RM.7.2",
        "Forward the CT reports: campaign completed",
        forms.MessageForm,
        conformance.forward_ct_reports,
        partials=(P + "_campaign.html",),
        records=read.campaign_records,
        actions=(
            Action(
                "add-ct-report",
                forms.CTReportForm,
                conformance.add_ct_report,
                "Attach a CT campaign report",
                "RM.7.2",
                allowed=permissions.may_add_ct_report,
            ),
        ),
    )
)
