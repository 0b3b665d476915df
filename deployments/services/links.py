"""Where a mail sends its reader: the page on which to act."""

from django.urls import reverse


def activity_link(release, code: str) -> str:
    return reverse("releases:activity", args=[release.identifier, code])


def decision_link(release, kind: str) -> str:
    return reverse("deployments:decide", args=[release.identifier, kind])


def schedule_link() -> str:
    return reverse("releases:schedule")
