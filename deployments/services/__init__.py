"""The writes of the process, one module per stage: planning (RM.1.3, RM.1.4), receipt
(RM.2), kick-off (RM.3), acceptance (RM.4), authorisation (RM.5), the threads'
decisions, installation (RM.6, with the service desk's mass notifications) and
conformance (RM.7). Each locks the release, checks Table 4-1 and the stage, writes its
own records and the communications the process requires."""

from .acceptance import (
    implement_psat_decision,
    implement_sat_decision,
    submit_test_report,
)
from .authorisation import (
    assess_installation_authorisation,
    submit_installation_plan,
    validate_installation_plan,
)
from .conformance import (
    add_ct_report,
    forward_ct_reports,
    initiate_ct_campaign,
)
from .decisions import (
    current_decisions,
    decision_basis,
    pending_threads,
    record_decision,
    require_all_threads,
)
from .installation import (
    assess_installation_report,
    initiate_installation,
    initiate_rollback,
    prepare_closure,
    prepare_post_installation_notification,
    prepare_user_notification,
    publish_successful_installation,
)
from .kickoff import (
    add_deployment_task,
    complete_task,
    prepare_kickoff,
    run_kickoff,
    validate_testing_environment,
)
from .mass_notifications import (
    default_message,
    send_mass_notification,
)
from .planning import (
    dsl_gaps,
    initialise_deployment_plan,
    publish_release_schedule,
    revise_deployment_plan,
)
from .receipt import (
    maintain_dsl_documentation,
    update_dsl,
    verify_completeness,
    verify_consistency,
)

__all__ = [
    "add_ct_report",
    "add_deployment_task",
    "assess_installation_authorisation",
    "assess_installation_report",
    "complete_task",
    "current_decisions",
    "decision_basis",
    "default_message",
    "dsl_gaps",
    "forward_ct_reports",
    "implement_psat_decision",
    "implement_sat_decision",
    "initialise_deployment_plan",
    "initiate_ct_campaign",
    "initiate_installation",
    "initiate_rollback",
    "maintain_dsl_documentation",
    "pending_threads",
    "prepare_closure",
    "prepare_kickoff",
    "prepare_post_installation_notification",
    "prepare_user_notification",
    "publish_release_schedule",
    "publish_successful_installation",
    "record_decision",
    "revise_deployment_plan",
    "require_all_threads",
    "run_kickoff",
    "send_mass_notification",
    "submit_installation_plan",
    "submit_test_report",
    "update_dsl",
    "validate_installation_plan",
    "validate_testing_environment",
    "verify_completeness",
    "verify_consistency",
]
