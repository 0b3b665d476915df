"""Where a mail sends its reader: the page on which to act. The patterns are reversed
once per process (``releasemgmt.links``): the owed list links each of its 50 decisions
and activities, and ``reverse`` took 8 ms of a business thread's (issue 17)."""

from django.urls import reverse

from releasemgmt.links import links


def activity_link(release, code: str) -> str:
    return links("releases:activity", 2)(release.identifier, code)


def decision_link(release, kind: str) -> str:
    return links("deployments:decide", 2)(release.identifier, kind)


def schedule_link() -> str:
    return reverse("releases:schedule")
