"""The exit criteria of hypercare (seed 003, early life support: "until the exit
criteria are achieved"). Each criterion is a function of the hypercare record giving
``Criterion`` rows: the period, the incidents, the Move2Run items carried into hypercare
(read from the readiness room); a room above adds its own with
``register_exit_criterion``."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from readiness.selectors import carried_items


@dataclass(frozen=True)
class Criterion:
    name: str
    met: bool
    detail: str = ""


def period_elapsed(hypercare, incidents) -> list[Criterion]:
    """The hypercare period the release type or the policy set is over."""
    over = timezone.now() >= hypercare.ends_at
    when = timezone.localtime(hypercare.ends_at)
    return [
        Criterion(
            "The hypercare period is over",
            over,
            f"{hypercare.days} day(s), until {when:%Y-%m-%d %H:%M}",
        )
    ]


def no_open_major_incident(hypercare, incidents) -> list[Criterion]:
    """No major, P1 or P2 incident is open."""
    blocking = [i.reference for i in incidents if i.blocks_exit]
    detail = "Open: " + ", ".join(blocking) if blocking else ""
    return [Criterion("No major, P1 or P2 incident is open", not blocking, detail)]


def carried_items_done(hypercare, incidents) -> list[Criterion]:
    """Seed 002 section 3: low Move2Run items may be carried into hypercare; hypercare
    ends once their owners have confirmed them done."""
    left = [item.title for item in carried_items(hypercare.release_id)]
    detail = "Still carried: " + "; ".join(left) if left else ""
    return [Criterion("The Move2Run items carried into hypercare are done", not left, detail)]


#: the criteria every hypercare is held to, and those the rooms add
CRITERIA: list[Callable] = [period_elapsed, no_open_major_incident, carried_items_done]
EXTRA_CRITERIA: list[Callable] = []


def register_exit_criterion(check: Callable) -> Callable:
    """Add ``check(hypercare, incidents) -> list[Criterion]`` to every hypercare's exit
    criteria (the readiness room: checklist items carried into hypercare are done)."""
    if check not in EXTRA_CRITERIA:
        EXTRA_CRITERIA.append(check)
    return check


def exit_criteria(hypercare, incidents) -> list[Criterion]:
    """Every criterion, met or not; ``incidents`` are the hypercare's, already read."""
    return [row for check in [*CRITERIA, *EXTRA_CRITERIA] for row in check(hypercare, incidents)]


def unmet(hypercare, incidents) -> list[str]:
    return [
        c.name + (f" ({c.detail})" if c.detail else "")
        for c in exit_criteria(hypercare, incidents)
        if not c.met
    ]
