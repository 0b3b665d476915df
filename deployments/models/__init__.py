"""What a release goes through from planning to closure, each a record of its own, one
module per stage: planning (RM.1.3), receipt (RM.2), kick-off (RM.3), acceptance and
decisions (RM.4, RM.5), installation (RM.6, with the service desk's mass notifications)
and conformance testing (RM.7)."""

from .acceptance import (
    DECISION_ACTIVITY,
    Decision,
    DecisionRequest,
    InstallationPlan,
    OwedDecision,
    TestReport,
)
from .conformance import CTCampaign, CTReport
from .installation import (
    REQUESTED_IN,
    Closure,
    GoLiveInstruction,
    InstallationReport,
    MassNotification,
    MassRecipient,
    NotificationMoment,
    NotificationRequest,
)
from .kickoff import EnvironmentReport, KickOffMeeting
from .packages import PackageMember, ReleasePackage
from .planning import (
    ConflictAcknowledgement,
    DeploymentPhase,
    DeploymentPlan,
    DeploymentTask,
    PlannedComponent,
    PlanRevision,
    PlanRisk,
    RollbackPlan,
)
from .receipt import CompletenessCheck, ConsistencyCheck
from .reminders import Reminder
from .replies import InboundMail

__all__ = [
    "DECISION_ACTIVITY",
    "CTCampaign",
    "CTReport",
    "Closure",
    "ConflictAcknowledgement",
    "CompletenessCheck",
    "ConsistencyCheck",
    "Decision",
    "DecisionRequest",
    "DeploymentPhase",
    "DeploymentPlan",
    "DeploymentTask",
    "EnvironmentReport",
    "GoLiveInstruction",
    "InboundMail",
    "InstallationPlan",
    "InstallationReport",
    "KickOffMeeting",
    "MassNotification",
    "MassRecipient",
    "NotificationMoment",
    "NotificationRequest",
    "OwedDecision",
    "PackageMember",
    "PlannedComponent",
    "PlanRevision",
    "PlanRisk",
    "REQUESTED_IN",
    "ReleasePackage",
    "Reminder",
    "RollbackPlan",
    "TestReport",
]
