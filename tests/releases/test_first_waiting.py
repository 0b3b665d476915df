"""The first activities waiting for a user, read from the releases installed soonest
(``releases.selectors.first_waiting``): the same records, in the same order, as the
whole list of what waits (``waiting_for``) cut at that length, whatever the releases'
dates, the days they share and the releases with nothing waiting on the user."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from releases.models import ActivityRecord
from releases.selectors import first_waiting, waiting_for


def _shown(records):
    return [(r.release_id, r.activity_id) for r in records]


@pytest.fixture
def releases_on_days(make_release):
    """Ten releases: four installed on one day, three with nothing waiting on anyone
    (their records done)."""
    day = datetime.date(2027, 6, 1)
    made = []
    for n, offset in enumerate([9, 3, 3, 3, 3, 1, 7, 12, 5, 2]):
        made.append(
            make_release(
                planned_delivery_date=day,
                planned_installation_date=day + datetime.timedelta(days=offset),
                name=f"Release {n}",
            )
        )
    for release in (made[5], made[1], made[9]):  # among the soonest installed
        ActivityRecord.objects.filter(release=release).update(status=ActivityRecord.Status.DONE)
    return made


def test_the_first_waiting_are_the_whole_list_cut_at_any_length(release_manager, releases_on_days):
    everything = _shown(waiting_for(release_manager))
    assert len(everything) >= 8
    for limit in range(1, len(everything) + 3):
        assert _shown(first_waiting(release_manager, limit)) == everything[:limit], limit


def test_the_releases_installed_later_are_read_only_when_the_soonest_fall_short(
    release_manager, releases_on_days
):
    """Asked for one, the two releases installed soonest are read first: nothing waits
    on them, so the others are read too. Asked for two, the soonest four and the others
    of their day hold enough."""
    with CaptureQueriesContext(connection) as short:
        one = first_waiting(release_manager, 1)
    with CaptureQueriesContext(connection) as enough:
        two = first_waiting(release_manager, 2)
    assert one == two[:1]
    assert len(short.captured_queries) == len(enough.captured_queries) + 1


def test_nothing_waits_for_a_user_who_performs_nothing(make_user, releases_on_days):
    desk = make_user("desk", "ITSM Service Desk")
    with CaptureQueriesContext(connection) as queries:
        assert first_waiting(desk, 20) == []
    assert len(queries.captured_queries) <= 3
