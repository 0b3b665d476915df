"""Units of work: a write that fires several events, whose follow-ups are done once at its
end, in its transaction.

Performing an activity records it, may move the release to its next stage and writes its
stage history; each of these is an event after which another room works a derived record
out again from the records (``kpis.facts``: a release's KPI facts). Done at each event,
the same release's facts were worked out four times for one activity, and fifty times
for a release walked through the process. Inside ``unit_of_work`` a follow-up is put off
with ``at_end`` and done once when the unit ends, with the keys (release ids) every event
gave it. The unit is one savepoint: when it fails, its writes are undone with the
follow-ups they asked for, so nothing is left written without them. A nested unit is a
savepoint of its own whose follow-ups wait for the outermost unit's end (where a
follow-up asked for by writes undone since finds the records as they are)."""

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction

#: the follow-ups put off in the unit running, with their keys
_PENDING: ContextVar[dict[Callable, set] | None] = ContextVar("unit_of_work", default=None)


@contextmanager
def unit_of_work():
    """Run the block as one unit (a savepoint), doing the follow-ups its events asked for
    once at its end; inside a unit already, a savepoint whose follow-ups are the outer
    unit's."""
    if _PENDING.get() is not None:
        with transaction.atomic():
            yield
        return
    pending: dict[Callable, set] = {}
    with transaction.atomic():
        token = _PENDING.set(pending)
        try:
            yield
        finally:
            _PENDING.reset(token)
        # in the order they were first asked for; what they fire now is done at once
        for follow_up, keys in pending.items():
            follow_up(keys)


def at_end(follow_up: Callable[[set], object], keys: Iterable) -> bool:
    """Put ``follow_up(keys)`` off to the end of the unit running, merged with the keys
    given to it before; False when no unit runs (the caller does it now)."""
    pending = _PENDING.get()
    if pending is None:
        return False
    pending.setdefault(follow_up, set()).update(keys)
    return True
