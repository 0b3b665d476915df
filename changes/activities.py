"""What change management adds to the activities: an RfC is included in a release at
RM.1.1, or taken out again before RM.2.1 (writes of the RfC, so their actions are
declared here)."""

from releases.registry import Action, add_action

from .forms import ExcludeRfCForm, IncludeRfCForm
from .services import exclude_rfc, include_rfc

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
add_action(
    Action(
        "exclude-rfc",
        ExcludeRfCForm,
        exclude_rfc,
        "Take an RfC out",
        "RM.1.1",
        while_open=True,
    )
)
