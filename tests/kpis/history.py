"""A hand-built set of releases whose KPIs the tests work out from seed 002's formulas."""

import datetime
import itertools
from dataclasses import dataclass

import pytest
from django.utils import timezone

from changes.models import RfC
from tests.lifecycle import install, walk_to

_rfcs = itertools.count(500)


def transition(cast, user, release, name, **data):
    return cast.client(user).post(
        f"/api/v1/releases/{release.identifier}/transitions/{name}/", data, format="json"
    )


@dataclass
class History:
    today: datetime.date
    late: object  # major, planned 20 days ago, went live today: late
    rolled: object  # rolled back, re-authorised, went live: on time
    overlap_a: object  # planned the same day as overlap_b
    overlap_b: object
    alone: object  # planned on the day of a cancelled release: not overlapping
    cancelled: object
    rfc_authorised: dict  # release id -> when its RfC was authorised

    @property
    def start(self):
        return self.today - datetime.timedelta(days=200)

    @property
    def end(self):
        return self.today + datetime.timedelta(days=200)

    def query(self, **extra):
        return {
            "period": "custom",
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
        } | extra


@pytest.fixture
def with_rfc(cast, release_manager):
    """Include a fresh authorised RfC (RM.1.1), authorised ``days`` ago."""

    def include(release, days):
        authorised = timezone.now() - datetime.timedelta(days=days)
        rfc = RfC.objects.create(
            reference=f"RFC-{next(_rfcs)}",
            title="A change",
            status=RfC.Status.AUTHORISED,
            requester=release_manager,
            authorised_at=authorised,
        )
        cast.ok(
            cast.act(cast.rm, release, "include-rfc", {"rfc": rfc.reference}, multipart=False), 201
        )
        return authorised

    return include


@pytest.fixture
def history(cast, make_release, with_rfc):
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    authorised = {}

    def planned(offset, **fields):
        install_on = today + offset * day
        return make_release(
            planned_delivery_date=install_on - 10 * day,
            planned_installation_date=install_on,
            **fields,
        )

    late = planned(-20, release_type="major")
    authorised[late.pk] = with_rfc(late, 10)
    walk_to(cast, late, "installation")
    install(cast, late, successful=True)
    cast.ok(cast.perform(cast.dc, late, "RM.6.5"))

    rolled = planned(60)
    authorised[rolled.pk] = with_rfc(rolled, 20)
    walk_to(cast, rolled, "installation")
    install(cast, rolled, successful=False)
    cast.ok(cast.decide(cast.cust, rolled, "rollback"), 201)
    cast.ok(cast.perform(cast.dc, rolled, "RM.6.4"))
    cast.ok(transition(cast, cast.dc, rolled, "reauthorise"))
    walk_to(cast, rolled, "installation", start="authorisation")
    install(cast, rolled, successful=True)
    cast.ok(cast.perform(cast.dc, rolled, "RM.6.5"))

    overlap_a, overlap_b = planned(90), planned(90)
    alone, cancelled = planned(120), planned(120)
    cast.ok(transition(cast, cast.rm, cancelled, "cancel", reason="Not needed"))
    for release in (late, rolled, overlap_a, overlap_b, alone, cancelled):
        release.refresh_from_db()
    return History(today, late, rolled, overlap_a, overlap_b, alone, cancelled, authorised)
