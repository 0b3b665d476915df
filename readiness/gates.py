"""What go-live readiness asks before RM.6.2 Initiate Installation may be performed
(seed 002 section 3, "Move2Run": the checklist reviewed, the runbook completed, a
Go/No-Go meeting held), registered with ``releases.lifecycle.register_activity_gate``."""

from . import selectors

GO_LIVE = "RM.6.2"


def go_live_missing(release, code: str) -> list[str]:
    """RM.6.2 waits for every high and medium Move2Run item (done or waived)."""
    if code != GO_LIVE:
        return []
    return selectors.checklist_missing(release)
