"""Waiting in the suite: always for a condition, never for a fixed time, and within a
bound generous enough that a busy machine (both cores taken by other work) makes the
suite slower, never red. A bound is reached only when something is truly wrong."""

import time

#: seconds: the bound of a wait for what a worker, a server or a browser does
PATIENCE = 180


def wait_until(condition, what: str, bound: float = PATIENCE, poll: float = 0.1):
    """Poll ``condition`` until it gives a true value, and return that value; fail naming
    ``what`` once ``bound`` seconds have gone by."""
    deadline = time.monotonic() + bound
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {bound} s for {what}")
        time.sleep(poll)
