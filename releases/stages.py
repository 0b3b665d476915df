"""The stages of a release and the states of its activities: plain choices, known to the
models, the gates and the registry alike (so that none of them imports the others)."""

from django.db import models


class Stage(models.TextChoices):
    """The release stage state machine of DESIGN section 2."""

    PLANNING = "planning", "RM.1 Plan release"
    RECEIVING = "receiving", "RM.2 Receive release"
    KICKOFF = "kickoff", "RM.3 Kick-off deployment"
    ACCEPTANCE = "acceptance", "RM.4 Accept release"
    AUTHORISATION = "authorisation", "RM.5 Authorise installation"
    INSTALLATION = "installation", "RM.6 Install release"
    CONFORMANCE = "conformance", "RM.7 Conformance testing"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"
    ROLLED_BACK = "rolled_back", "Rolled back"


#: The stage number (RM.n) each working stage stands for.
STAGE_NUMBER = {
    Stage.PLANNING: 1,
    Stage.RECEIVING: 2,
    Stage.KICKOFF: 3,
    Stage.ACCEPTANCE: 4,
    Stage.AUTHORISATION: 5,
    Stage.INSTALLATION: 6,
    Stage.CONFORMANCE: 7,
}
STAGE_OF_NUMBER = {number: stage for stage, number in STAGE_NUMBER.items()}

BEFORE_INSTALLATION = [
    Stage.PLANNING,
    Stage.RECEIVING,
    Stage.KICKOFF,
    Stage.ACCEPTANCE,
    Stage.AUTHORISATION,
]


class ActivityStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    DONE = "done", "Done"
    NOT_APPLICABLE = "not_applicable", "Not applicable"
    #: skipped with a reason by a release whose type may waive it; caught up after the
    #: installation (issue 12 point 5)
    WAIVED = "waived", "Waived"


#: the states in which an activity no longer holds a stage back
SETTLED = (ActivityStatus.DONE, ActivityStatus.WAIVED)
