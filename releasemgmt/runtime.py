"""How a web process keeps Python's garbage collector out of its requests (issue 17).

A web worker imports Django, every app and the URL map once, then serves requests that
each make and drop tens of thousands of short-lived objects. With the interpreter's
defaults the collector walks every object of the process now and then, the modules and
the URL map included: measured on the bench at 10,000 releases, one request in about
fifteen of a business thread's inbox waited 85-117 ms for such a walk (p50 68 ms, p95
141 ms). ``settle_collector`` runs once a worker has loaded the app: what is loaded by
then lives as long as the process, so it is moved out of the collector's sight
(``gc.freeze``), and the young generations are collected less often, as a request's
garbage is mostly freed by reference counting anyway. Cycles are still collected.

Not too seldom either: a collection of the youngest generation walks what it holds, and
one every 50,000 allocations held the cycles of dozens of requests (an API release list
leaves 1,300 objects in cycles): 45-70 ms, paid by one request in thirty. Every 5,000,
the same 500 requests spent as long collecting, or less, in pauses of 12-25 ms
(``docs/quality.md``, twenty-sixth round)."""

import gc

from django.urls import get_resolver

#: allocations between two collections of the youngest generation (default 700), and how
#: many of each generation's collections make one of the next (defaults 10 and 10)
THRESHOLDS = (5_000, 20, 100)


def settle_collector() -> None:
    """Load the URL map (and with it every view), then freeze what is loaded and set the
    thresholds. Once per process, after the app is loaded: the WSGI entry point calls it."""
    get_resolver().url_patterns  # noqa: B018 -- imports every app's views now, not on a request
    gc.collect()  # what the imports left as garbage is freed, not frozen
    gc.freeze()
    gc.set_threshold(*THRESHOLDS)
