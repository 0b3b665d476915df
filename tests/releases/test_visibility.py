"""Who sees which release: business threads and developers only their own (404
elsewhere), ITSM staff all; actions only for R or A (403 otherwise)."""

import pytest

from raci import permissions as raci
from releases.selectors import visible_releases


@pytest.fixture
def two_releases(make_release):
    return make_release(threads=["a3-cust"]), make_release(threads=["a3-exc"])


@pytest.fixture
def cust_user(make_user):
    return make_user("cust", "DG TAXUD A3/Cust")


@pytest.fixture
def exc_user(make_user):
    return make_user("exc", "DG TAXUD A3/Exc")


def test_engine_isolates_business_threads(two_releases, cust_user, exc_user):
    cust_release, exc_release = two_releases
    assert list(visible_releases(cust_user)) == [cust_release]
    assert list(visible_releases(exc_user)) == [exc_release]
    assert raci.may_view(cust_user, cust_release)
    assert not raci.may_view(cust_user, exc_release)


def test_itsm_staff_see_every_release(two_releases, make_user):
    desk = make_user("desk", "ITSM Service Desk")
    assert set(visible_releases(desk)) == set(two_releases)


def test_developers_see_only_releases_of_their_organisation(two_releases, make_user, organisation):
    from django.contrib.auth.models import Group

    from raci.models import Organisation
    from tests.conftest import party

    other_group = Group.objects.create(name="3rd party: Globex")
    Organisation.objects.create(
        name="Globex", party=party("3rd Party Developers"), group=other_group
    )
    acme_dev = make_user("acme", groups=[organisation.group])
    globex_dev = make_user("globex", groups=[other_group])
    assert set(visible_releases(acme_dev)) == set(two_releases)
    assert list(visible_releases(globex_dev)) == []


def test_web_pages_404_for_a_release_of_another_thread(client, two_releases, cust_user):
    cust_release, exc_release = two_releases
    client.force_login(cust_user)
    assert client.get(f"/releases/{cust_release.identifier}/").status_code == 200
    for path in ["", "planning/", "roles/"]:
        assert client.get(f"/releases/{exc_release.identifier}/{path}").status_code == 404
    listing = client.get("/releases/").content.decode()
    assert cust_release.identifier in listing
    assert exc_release.identifier not in listing


def test_api_404_for_a_release_of_another_thread(api, two_releases, cust_user):
    cust_release, exc_release = two_releases
    client = api(cust_user)
    identifiers = [r["identifier"] for r in client.get("/api/v1/releases/").json()["results"]]
    assert identifiers == [cust_release.identifier]
    assert client.get(f"/api/v1/releases/{exc_release.identifier}/").status_code == 404
    assert client.get(f"/api/v1/releases/{exc_release.identifier}/audit/").status_code == 404
    response = client.patch(f"/api/v1/releases/{exc_release.identifier}/", {"name": "x"})
    assert response.status_code == 404


def test_visible_but_not_responsible_gets_403(client, api, two_releases, cust_user):
    cust_release, _ = two_releases
    client.force_login(cust_user)
    assert client.get(f"/releases/{cust_release.identifier}/planning/").status_code == 403
    assert client.get(f"/releases/{cust_release.identifier}/roles/").status_code == 403
    page = client.get(f"/releases/{cust_release.identifier}/").content.decode()
    assert "Revise planning" not in page
    assert "Assign roles (RM.1.2)" not in page
    response = api(cust_user).patch(f"/api/v1/releases/{cust_release.identifier}/", {"name": "x"})
    assert response.status_code == 403
    assert "RM.1.1" in response.json()["detail"]


def test_anonymous_users_are_sent_to_login(client, api, two_releases):
    assert client.get("/releases/").status_code == 302
    assert api().get("/api/v1/releases/").status_code in (401, 403)
