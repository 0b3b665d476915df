"""A release live in production (RM.6.5 published), in hypercare."""

import itertools

import pytest

from changes.models import RfC
from tests.lifecycle import install, walk_to

_rfcs = itertools.count(1)


@pytest.fixture
def installed_release(cast, make_release):
    """A minor release of A3/Cust carrying an approved RfC of its own, installed (RM.6.3)
    by its coordinator, successfully or not."""

    def make(successful=True, **fields):
        release = make_release(threads=["a3-cust"], **fields)
        rfc = RfC.objects.create(
            reference=f"RFC-LIVE-{next(_rfcs)}",
            title="A change to go live",
            status=RfC.Status.AUTHORISED,
            requester=cast.rm,
        )
        include = {"rfc": rfc.reference}
        cast.ok(cast.act(cast.rm, release, "include-rfc", include, multipart=False), 201)
        walk_to(cast, release, "installation")
        install(cast, release, successful=successful)
        return release

    return make


@pytest.fixture
def live_release(cast, installed_release):
    """An installed release published (RM.6.5) by its coordinator: live, in hypercare."""

    def make(**fields):
        release = installed_release(**fields)
        cast.ok(cast.perform(cast.dc, release, "RM.6.5"))
        release.refresh_from_db()
        return release

    return make
