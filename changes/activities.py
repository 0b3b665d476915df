"""What change management adds to the activities: an RfC is included in a release at
RM.1.1, or taken out again before RM.2.1 (writes of the RfC, so their actions are
declared here); an emergency release's installation is authorised once the emergency CAB
authorised its RfCs (a gate of RM.5.2)."""

from releases.lifecycle import register_gate
from releases.registry import Action, add_action

from .forms import ExcludeRfCForm, IncludeRfCForm
from .services import emergency_authorisation_missing, exclude_rfc, include_rfc

#: an emergency release's installation waits for the emergency CAB (issue 12 point 5)
register_gate(emergency_authorisation_missing)

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
