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


def runbook_missing(release, code: str) -> list[str]:
    """RM.6.2 waits for the release's runbook version marked complete (seed 002: "The
    Runbook is completed by the technical teams")."""
    if code != GO_LIVE:
        return []
    return selectors.runbook_missing(release)


def board_missing(release, code: str) -> list[str]:
    """RM.6.2 waits for a GO of the Go/No-Go board in this round (seed 002: "A Go/No-Go
    meeting is held to validate readiness")."""
    if code != GO_LIVE:
        return []
    return selectors.board_missing(release)
