"""What change management adds to the activities: an RfC is included in a release at
RM.1.1 (a write of the RfC, so its action is declared here)."""

from releases.registry import Action, add_action

from .forms import IncludeRfCForm
from .services import include_rfc

add_action(
    Action(
        "include-rfc",
        IncludeRfCForm,
        include_rfc,
        "Include an RfC",
        "RM.1.1",
        while_open=True,
    )
)
