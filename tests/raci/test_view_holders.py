"""Which releases a user sees, asked of their only holder of view rows when they have
one (``raci.permissions._single_view_holder``, issue 17): through the web and the API,
every kind of user sees what asking every way they may hold the rows gives."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm

from raci import deputies
from raci import permissions as raci
from raci.backends import UserWithPermissionsBackend
from releases.models import Release
from tests.conftest import party

pytestmark = pytest.mark.django_db


def seen_the_long_way(user) -> set[str]:
    """The identifiers the user sees, asked of every way in (the user as Django's model
    back end reads it, which says nothing of who holds their rows)."""
    plain = ModelBackend().get_user(user.pk)
    assert not hasattr(plain, "_view_holders")
    return set(
        raci.visible_releases(plain, Release.objects.all()).values_list("identifier", flat=True)
    )


def seen_on_the_site(client, user) -> set[str]:
    client.force_login(user)
    page = client.get("/releases/")
    assert page.status_code == 200
    listed = client.get("/api/v1/releases/")
    assert listed.status_code == 200
    body = listed.json()
    found = {row["identifier"] for row in body["results"]}
    assert body["count"] == len(found)
    for identifier in found:
        assert identifier in page.content.decode()
    return found


@pytest.fixture
def world(make_release, make_user):
    cust = [make_release(threads=["a3-cust"]) for _ in range(3)]
    tax = [make_release(threads=["a3-tax"]) for _ in range(2)]
    neither = make_release(threads=["a3-exc"])
    people = {
        "one group": make_user("one", "a3-cust"),
        "two groups": make_user("two", "a3-cust", "a3-tax"),
        "in person": make_user("solo"),
        "in person and a group": make_user("both", "a3-tax"),
        "nothing": make_user("none"),
        "a deputy": make_user("deputy"),
    }
    assign_perm("releases.view_release", people["in person"], neither)
    assign_perm("releases.view_release", people["in person and a group"], cust[0])
    today = timezone.localdate()
    deputies.name_deputy(
        by=people["one group"], deputy=people["a deputy"], starts=today, ends=today
    )
    return {"cust": cust, "tax": tax, "neither": neither, "people": people}


def test_every_kind_of_user_sees_what_every_way_in_gives(world, client):
    cust = {r.identifier for r in world["cust"]}
    tax = {r.identifier for r in world["tax"]}
    expected = {
        "one group": cust,
        "two groups": cust | tax,
        "in person": {world["neither"].identifier},
        "in person and a group": tax | {world["cust"][0].identifier},
        "nothing": set(),
        "a deputy": cust,
    }
    for kind, user in world["people"].items():
        assert seen_the_long_way(user) == expected[kind], kind
        assert seen_on_the_site(client, user) == expected[kind], kind


def test_a_thread_s_lists_ask_only_its_group_s_rows(world, client):
    """One holder: the list asks guardian's rows of the group by its id, not the user's
    rows nor their groups' table (what let PostgreSQL walk one index in order)."""
    if connection.vendor != "postgresql":
        pytest.skip("the holders are read with the user on PostgreSQL")
    client.force_login(world["people"]["one group"])
    client.get("/api/v1/releases/")
    with CaptureQueriesContext(connection) as ctx:
        assert client.get("/api/v1/releases/").status_code == 200
    listing = [q["sql"] for q in ctx.captured_queries if 'FROM "releases_release"' in q["sql"]]
    assert listing
    for sql in listing:
        assert "raci_releasegroupobjectpermission" in sql
        assert "raci_releaseuserobjectpermission" not in sql
        assert "accounts_user_groups" not in sql


def test_a_grant_made_during_the_request_is_seen_once_the_user_is_forgotten(world):
    """What the back end read of the holders holds for the request; a change of the
    user's rows or groups forgets it, as it forgets the rest (``raci.forget``)."""
    if connection.vendor != "postgresql":
        pytest.skip("the holders are read with the user on PostgreSQL")
    user = UserWithPermissionsBackend().get_user(world["people"]["one group"].pk)
    seen = raci.visible_releases(user, Release.objects.all())
    assert world["neither"] not in seen
    assign_perm("releases.view_release", user, world["neither"])
    raci.forget(user)
    assert world["neither"] in raci.visible_releases(user, Release.objects.all())
    user.groups.add(party("a3-tax").group)  # the groups' signal forgets them too
    assert set(world["tax"]) <= set(raci.visible_releases(user, Release.objects.all()))
