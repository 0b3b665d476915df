"""The stage state machine's gates: which activities must be done before a release may
leave its stage (DESIGN section 2). The transitions themselves are on ``Release``."""

from collections.abc import Callable

from .stages import SETTLED, ActivityStatus, Stage

#: checks the rooms add to the gates (``register_gate``): (release, transition) -> missing
_GATE_CHECKS: list[Callable] = []
#: checks the rooms add to the start of an activity (``register_activity_gate``)
_ACTIVITY_CHECKS: list[Callable] = []


def register_gate(check: Callable) -> Callable:
    """Add a check to the gates of every transition: ``check(release, name)`` returns
    what is missing, as readable items. A room above (change management) registers the
    rules of its own records this way, without this room importing it."""
    if check not in _GATE_CHECKS:
        _GATE_CHECKS.append(check)
    return check


def register_activity_gate(check: Callable) -> Callable:
    """Add a check to the start of every activity: ``check(release, code)`` returns what
    is missing before activity ``code`` may be performed. A room above registers its own
    preconditions this way (the Move2Run checklist before RM.6.2, seed 002 section 3)."""
    if check not in _ACTIVITY_CHECKS:
        _ACTIVITY_CHECKS.append(check)
    return check


def extra_missing(release, name: str) -> list[str]:
    """What the registered checks find missing for transition ``name``."""
    return [item for check in _GATE_CHECKS for item in check(release, name)]


def before_activity(release, code: str) -> list[str]:
    """What the registered checks find missing for the forward transition that activity
    ``code`` fires (RM.5.2 for the installation, RM.6.7 for the closure): asked before the
    activity is performed, so that it is refused rather than done in vain."""
    return [
        item
        for name in FORWARD.get(release.stage, [])
        if TRANSITION_ACTIVITY.get(name) == code
        for item in extra_missing(release, name)
    ] + [item for check in _ACTIVITY_CHECKS for item in check(release, code)]


#: transition name -> activities that must be done first
GATES = {
    "receive": ["RM.1.1", "RM.1.2", "RM.1.3", "RM.1.4"],
    "kick_off": ["RM.2.1", "RM.2.2", "RM.2.3", "RM.2.4"],
    "start_acceptance": ["RM.3.1", "RM.3.2", "RM.3.3"],
    "request_authorisation": ["RM.4.1", "RM.4.2"],
    "authorise_installation": ["RM.5.1", "RM.5.2"],
    "start_conformance": ["RM.6.1", "RM.6.2", "RM.6.3", "RM.6.5", "RM.6.6", "RM.6.7"],
    "close": ["RM.6.1", "RM.6.2", "RM.6.3", "RM.6.5", "RM.6.6", "RM.6.7"],
    "roll_back": ["RM.6.4"],
    "close_failed": ["RM.6.6", "RM.6.7"],
    "reauthorise": ["RM.6.4"],
    "return_for_correction": [],
    "cancel": [],
}
CONFORMANCE_GATES = ["RM.7.1", "RM.7.2"]

#: transitions that need a reason when fired by hand
NEED_A_REASON = ("cancel", "return_for_correction")

#: transition name -> the activity whose R or A may fire it by hand
TRANSITION_ACTIVITY = {
    "receive": "RM.1.4",
    "kick_off": "RM.3.1",
    "start_acceptance": "RM.3.3",
    "request_authorisation": "RM.4.2",
    "authorise_installation": "RM.5.2",
    "start_conformance": "RM.7.1",
    "close": "RM.6.7",
    "roll_back": "RM.6.4",
    "close_failed": "RM.6.7",
    "reauthorise": "RM.5.2",
    "return_for_correction": "RM.4.1",
    "cancel": "RM.1.1",
}

#: done again after a NOGO sends the release back for a corrected delivery
CORRECTION_ACTIVITIES = [
    "RM.2.1",
    "RM.2.2",
    "RM.2.3",
    "RM.2.4",
    "RM.3.1",
    "RM.3.2",
    "RM.3.3",
    "RM.4.1",
    "RM.4.2",
]
#: done again when a rolled-back release is re-authorised
REINSTALL_ACTIVITIES = [
    "RM.5.1",
    "RM.5.2",
    "RM.6.1",
    "RM.6.2",
    "RM.6.3",
    "RM.6.4",
    "RM.6.5",
    "RM.6.6",
    "RM.6.7",
]

#: the forward transition of each stage, tried after every activity done in it
FORWARD = {
    Stage.PLANNING: ["receive"],
    Stage.RECEIVING: ["kick_off"],
    Stage.KICKOFF: ["start_acceptance"],
    Stage.ACCEPTANCE: ["request_authorisation"],
    Stage.AUTHORISATION: ["authorise_installation"],
    Stage.INSTALLATION: ["roll_back", "start_conformance", "close"],
    Stage.CONFORMANCE: ["close"],
}


def missing_gates(release, name: str, records=None) -> list[str]:
    """The gate activities of transition ``name`` not yet done, as 'RM.x.y Name'; from
    ``records`` (the release's activity records with their activities) when they are read
    already, as on the release page (issue 17)."""
    codes = list(GATES[name])
    if name == "close" and release.stage == Stage.CONFORMANCE:
        codes = CONFORMANCE_GATES
    elif name == "start_conformance" and not release.conformance_testing:
        return ["Conformance testing is not planned for this release"]
    elif name == "close" and release.conformance_testing:
        return ["RM.7 conformance testing is planned: start it first"]
    elif name == "reauthorise" and _done(release, "RM.6.7", records):
        return ["RM.6.7 Prepare closure is done: the release operation is over"]
    if not codes:
        gates = []
    elif records is None:
        gates = release.activity_records.filter(activity__code__in=codes)
        gates = gates.select_related("activity").order_by("activity__position")
    else:
        gates = sorted(
            (r for r in records if r.activity.code in codes), key=lambda r: r.activity.position
        )
    missing = [f"{r.activity.code} {r.activity.name}" for r in gates if r.status not in SETTLED]
    return missing + extra_missing(release, name)


def _done(release, code: str, records=None) -> bool:
    if records is None:
        done = release.activity_records.filter(activity__code=code, status=ActivityStatus.DONE)
        return done.exists()
    return any(r.activity.code == code and r.status == ActivityStatus.DONE for r in records)
