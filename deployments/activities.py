"""Which form and which service perform each activity, and the extra actions an activity
page offers (uploads, tasks). Web pages and API endpoints are built from this table."""

from collections.abc import Callable
from dataclasses import dataclass

from raci import services as raci

from . import forms, services


@dataclass(frozen=True)
class Step:
    form: type
    perform: Callable
    label: str
    activity: str = ""
    while_open: bool = False  # offered while the release is open, not only while pending
    # Who may try it at all, checked before the input (the service decides the rest):
    # by default the R and A of ``activity``.
    allowed: Callable | None = None

    def may_try(self, user, release) -> bool:
        if self.allowed is not None:
            return self.allowed(user, release)
        return raci.may_perform(user, release, self.activity)


def _assignee_or_coordinator(user, release) -> bool:
    """RM.3.1: assignees mark their own tasks done; the coordinator marks any."""
    from .models import DeploymentTask

    return raci.may_perform(user, release, "RM.3.1") or (
        DeploymentTask.objects.filter(plan__release=release, assignee=user).exists()
    )


def _campaign_or_coordinator(user, release) -> bool:
    """RM.7.2: the campaign coordinator (consulted) attaches reports too."""
    return raci.may_perform(user, release, "RM.7.2") or raci.holds_party(user, services.CAMPAIGN)


def _test_reporter(user, release) -> bool:
    """pSAT reports belong to RM.4.1, the others to RM.4.2."""
    return any(raci.may_perform(user, release, code) for code in ("RM.4.1", "RM.4.2"))


ACTIVITIES = {
    "RM.1.3": Step(
        forms.DeploymentPlanForm,
        services.initialise_deployment_plan,
        "Initialise the deployment plan",
    ),
    "RM.1.4": Step(
        forms.ConfirmForm, services.publish_release_schedule, "Publish on the release schedule"
    ),
    "RM.2.1": Step(
        forms.ConsistencyForm, services.verify_consistency, "Record the consistency check"
    ),
    "RM.2.2": Step(
        forms.CompletenessForm, services.verify_completeness, "Record the completeness check"
    ),
    "RM.2.3": Step(forms.ConfirmForm, services.update_dsl, "Confirm the DSL is updated"),
    "RM.2.4": Step(
        forms.ConfirmForm,
        services.maintain_dsl_documentation,
        "Confirm the documentation is in the DSL",
    ),
    "RM.3.1": Step(forms.KickOffForm, services.prepare_kickoff, "Invite to the kick-off"),
    "RM.3.2": Step(forms.RunKickOffForm, services.run_kickoff, "Record the kick-off"),
    "RM.3.3": Step(
        forms.EnvironmentForm,
        services.validate_testing_environment,
        "Record the environment acceptance report",
    ),
    "RM.4.1": Step(
        forms.ConfirmForm, services.implement_psat_decision, "Implement the GO: SAT may start"
    ),
    "RM.4.2": Step(
        forms.ConfirmForm,
        services.implement_sat_decision,
        "Implement the GO: post-SAT deployments may start",
    ),
    "RM.5.1": Step(
        forms.ConfirmForm,
        services.validate_installation_plan,
        "Confirm the installation plan is validated",
    ),
    "RM.5.2": Step(
        forms.ConfirmForm,
        services.assess_installation_authorisation,
        "Confirm the installation is authorised",
    ),
    "RM.6.1": Step(
        forms.NotificationForm,
        services.prepare_user_notification,
        "Ask the service desk to notify the users",
    ),
    "RM.6.2": Step(
        forms.GoLiveForm,
        services.initiate_installation,
        "Give the go-live to application management",
    ),
    "RM.6.3": Step(
        forms.InstallationReportForm,
        services.assess_installation_report,
        "Record the assessed installation report",
    ),
    "RM.6.4": Step(forms.ConfirmForm, services.initiate_rollback, "Initiate the rollback plan"),
    "RM.6.5": Step(
        forms.MessageForm,
        services.publish_successful_installation,
        "Publish the successful installation",
    ),
    "RM.6.6": Step(
        forms.NotificationForm,
        services.prepare_post_installation_notification,
        "Ask the service desk to notify the users",
    ),
    "RM.6.7": Step(forms.ClosureForm, services.prepare_closure, "Close the release operation"),
    "RM.7.1": Step(forms.CTCampaignForm, services.initiate_ct_campaign, "Trigger the CT campaign"),
    "RM.7.2": Step(
        forms.MessageForm, services.forward_ct_reports, "Forward the CT reports: campaign completed"
    ),
}

ACTIONS = {
    "include-rfc": Step(forms.IncludeRfCForm, services.include_rfc, "Include an RfC", "RM.1.1"),
    "store-component": Step(
        forms.ComponentForm, services.store_component, "Store a component in the DSL", "RM.2.3"
    ),
    "store-document": Step(
        forms.DocumentForm, services.store_document, "Store a document in the DSL", "RM.2.4"
    ),
    "add-task": Step(
        forms.TaskForm, services.add_deployment_task, "Add a task to the deployment plan", "RM.3.1"
    ),
    "complete-task": Step(
        forms.TaskDoneForm,
        services.complete_task,
        "Mark a deployment task done",
        "RM.3.1",
        while_open=True,
        allowed=_assignee_or_coordinator,
    ),
    "submit-test-report": Step(
        forms.TestReportForm,
        services.submit_test_report,
        "Send a test report to the business threads",
        "RM.4.1",
        allowed=_test_reporter,
    ),
    "submit-installation-plan": Step(
        forms.InstallationPlanForm,
        services.submit_installation_plan,
        "Submit the installation plan and release notes",
        "RM.5.1",
    ),
    "add-ct-report": Step(
        forms.CTReportForm,
        services.add_ct_report,
        "Attach a CT campaign report",
        "RM.7.2",
        allowed=_campaign_or_coordinator,
    ),
}


def actions_for(code: str, *, pending: bool) -> dict[str, Step]:
    """The extra actions shown on an activity's page (test reports on RM.4.1 and RM.4.2):
    while the activity is pending, or while the release is open for ``while_open`` ones."""
    return {
        slug: step
        for slug, step in ACTIONS.items()
        if (step.activity == code or (slug == "submit-test-report" and code == "RM.4.2"))
        and (pending or step.while_open)
    }
