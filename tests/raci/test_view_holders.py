"""Which releases and RfCs a user sees, asked of the holders of their view rows that
the authentication back end found with them (``raci.permissions._known_view_grants``,
issue 17): through the web and the API, each kind of user sees what asking every way
they may hold the rows gives."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from guardian.shortcuts import assign_perm

from changes.models import RfC
from raci import deputies
from raci import permissions as raci
from raci.backends import UserWithPermissionsBackend
from releases.models import Release
from tests.conftest import party

pytestmark = pytest.mark.django_db

BACKEND = UserWithPermissionsBackend()


def plain(user):
    """The user as Django's model back end reads them, which says nothing of who holds
    their rows: every way in is asked."""
    found = ModelBackend().get_user(user.pk)
    assert not hasattr(found, "_view_holders")
    return found


def seen_the_long_way(user) -> tuple[set[str], set[str]]:
    releases = raci.visible_releases(plain(user), Release.objects.all())
    rfcs = raci.visible_rfcs(plain(user), RfC.objects.all())
    return (
        set(releases.values_list("identifier", flat=True)),
        set(rfcs.values_list("reference", flat=True)),
    )


def seen_on_the_site(client, user) -> tuple[set[str], set[str]]:
    client.force_login(user)
    page = client.get("/releases/")
    assert page.status_code == 200
    found = []
    for path, key in (("/api/v1/releases/", "identifier"), ("/api/v1/rfcs/", "reference")):
        listed = client.get(path)
        assert listed.status_code == 200
        body = listed.json()
        found.append({row[key] for row in body["results"]})
        assert body["count"] == len(found[-1])
    for identifier in found[0]:
        assert identifier in page.content.decode()
    return found[0], found[1]


@pytest.fixture
def world(make_release, make_user, release_manager):
    cust = [make_release(threads=["a3-cust"]) for _ in range(3)]
    tax = [make_release(threads=["a3-tax"]) for _ in range(2)]
    neither = make_release(threads=["a3-exc"])
    readers = Group.objects.create(name="Readers of the newsletter")
    people = {
        "one group": make_user("one", "a3-cust"),
        "one group and one without rows": make_user("reader", "a3-cust", groups=[readers]),
        "two groups": make_user("two", "a3-cust", "a3-tax"),
        "in person": make_user("solo"),
        "in person and a group": make_user("both", "a3-tax"),
        "nothing": make_user("none", groups=[readers]),
        "a deputy with a group": make_user("deputy", "a3-tax"),
    }
    assign_perm("releases.view_release", people["in person"], neither)
    assign_perm("releases.view_release", people["in person and a group"], cust[0])
    today = timezone.localdate()
    deputies.name_deputy(
        by=people["one group"], deputy=people["a deputy with a group"], starts=today, ends=today
    )
    for n, release in enumerate([*cust, *tax, neither]):
        RfC.objects.create(
            reference=f"RFC-9{n:02}", title="Carried", requester=release_manager, release=release
        )
    RfC.objects.create(reference="RFC-800", title="Asked", requester=people["nothing"])
    return {"cust": cust, "tax": tax, "neither": neither, "people": people}


def test_every_kind_of_user_sees_what_every_way_in_gives(world, client):
    cust = {r.identifier for r in world["cust"]}
    tax = {r.identifier for r in world["tax"]}
    expected = {
        "one group": cust,
        "one group and one without rows": cust,
        "two groups": cust | tax,
        "in person": {world["neither"].identifier},
        "in person and a group": tax | {world["cust"][0].identifier},
        "nothing": set(),
        "a deputy with a group": cust | tax,  # their principal's, during the delegation
    }
    for kind, user in world["people"].items():
        releases, rfcs = seen_the_long_way(user)
        assert releases == expected[kind], kind
        assert seen_on_the_site(client, user) == (releases, rfcs), kind
        mine = BACKEND.get_user(user.pk)
        assert raci.granted_in_person(mine) == raci.granted_in_person(plain(user)), kind
    assert seen_the_long_way(world["people"]["nothing"])[1] == {"RFC-800"}


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


def test_a_change_of_rows_or_groups_during_the_request_is_seen_once_forgotten(world):
    """What the back end read of the holders holds for the request's user object; a
    change of the user's rows or groups forgets it (``raci.forget``, the groups'
    signal), as it forgets the parties and permissions kept beside it."""
    if connection.vendor != "postgresql":
        pytest.skip("the holders are read with the user on PostgreSQL")
    one = world["people"]["one group"].pk

    def sees(user, release) -> bool:
        return raci.visible_releases(user, Release.objects.filter(pk=release.pk)).exists()

    user = BACKEND.get_user(one)
    assert not sees(user, world["neither"])
    assign_perm("releases.view_release", user, world["neither"])
    raci.forget(user)
    assert sees(user, world["neither"])

    user = BACKEND.get_user(one)
    assert not sees(user, world["tax"][0])
    user.groups.add(party("a3-tax").group)
    assert sees(user, world["tax"][0])

    user = BACKEND.get_user(one)
    assert sees(user, world["tax"][0])
    user.groups.remove(party("a3-tax").group)
    assert not sees(user, world["tax"][0])
