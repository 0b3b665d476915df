"""Applications, developer organisations and environments kept in the product, and what
runs where, updated by RM.3.3, RM.6.5 and RM.6.4 (issue 13 points 1 and 5)."""

import pytest

from changes.models import RfC
from dsl.models import Environment, InstalledVersion
from raci.models import Organisation
from releasemgmt.audit.models import AuditEntry
from releases.models import Application, Release
from tests.lifecycle import install, walk_to

pytestmark = pytest.mark.django_db

ENVS = "/api/v1/applications/ecs/environments/"


@pytest.fixture
def keeper(make_user):
    return make_user("cora", "ITSM Configuration Manager")


@pytest.fixture
def environments(keeper, application, api):
    """SAT and production environments of ECS, owned by a party and by a person."""
    for slug, kind, owner in (
        ("sat", "sat", {"owner_party": "itsm-infrastructure-manager"}),
        ("production", "production", {"owner_user": "cora"}),
    ):
        body = {"slug": slug, "name": slug.upper(), "kind": kind, "status": "available", **owner}
        response = api(keeper).post(ENVS, body, format="json")
        assert response.status_code == 201, response.json()
    return {e.slug: e for e in Environment.objects.filter(application=application)}


def versions(slug):
    return list(
        InstalledVersion.objects.filter(environment__slug=slug)
        .order_by("installed_at", "id")
        .values_list("version", "activity", "rolled_back_at")
    )


# --- master data -----------------------------------------------------------------------


def test_the_configuration_manager_keeps_applications_through_the_api(keeper, make_user, api):
    created = api(keeper).post(
        "/api/v1/applications/",
        {"code": "ncts", "name": "New Computerised Transit", "business_threads": ["a3-cust"]},
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["business_threads"] == ["a3-cust"]
    changed = api(keeper).patch(
        "/api/v1/applications/ncts/", {"business_threads": ["a3-cust", "a3-exc"]}, format="json"
    )
    assert changed.status_code == 200, changed.json()
    assert changed.json()["name"] == "New Computerised Transit"  # kept: not sent
    assert sorted(changed.json()["business_threads"]) == ["a3-cust", "a3-exc"]
    assert AuditEntry.objects.filter(action="application_saved").exists()
    reader = make_user("reader", "DG TAXUD A3/Cust")
    assert api(reader).get("/api/v1/applications/ncts/").status_code == 200
    refused = api(reader).post("/api/v1/applications/", {"code": "x", "name": "X"}, format="json")
    assert refused.status_code == 403
    clash = api(keeper).post("/api/v1/applications/", {"code": "ncts", "name": "Again"})
    assert clash.status_code == 400
    assert "code" in clash.json()
    not_a_thread = api(keeper).patch(
        "/api/v1/applications/ncts/", {"business_threads": ["itsm-release-manager"]}, format="json"
    )
    assert not_a_thread.status_code == 400
    assert "business_threads" in not_a_thread.json()


def test_the_release_manager_keeps_environments_and_their_status(
    release_manager, keeper, environments, api, make_user
):
    down = api(release_manager).patch(
        ENVS + "sat/", {"status": "down", "status_note": "Disk replaced"}, format="json"
    )
    assert down.status_code == 200, down.json()
    assert (down.json()["status"], down.json()["status_note"]) == ("down", "Disk replaced")
    assert down.json()["owner_party"] == "itsm-infrastructure-manager"  # kept
    both = api(keeper).patch(ENVS + "sat/", {"owner_user": "cora"}, format="json")
    assert both.status_code == 400
    assert "owner_party" in both.json()
    unknown = api(keeper).patch(ENVS + "sat/", {"kind": "moon"}, format="json")
    assert unknown.status_code == 400
    assert "kind" in unknown.json()
    twice = api(keeper).post(
        ENVS, {"slug": "sat", "name": "x", "kind": "sat", "status": "available"}, format="json"
    )
    assert twice.status_code == 400
    assert "slug" in twice.json()
    developer = make_user("dev", groups=[])
    assert api(developer).patch(ENVS + "sat/", {"status": "booked"}, format="json").status_code == (
        403
    )
    assert api(developer).get(ENVS).status_code == 200
    assert api(developer).get(ENVS + "nowhere/").status_code == 404
    assert Environment.objects.get(slug="sat").status == "down"


def test_pages_create_an_application_and_an_environment(client, keeper, make_user):
    client.force_login(keeper)
    refused = client.post("/applications/new/", {"code": "bad code", "name": "x"})
    assert refused.status_code == 400
    assert b"bad code" in refused.content  # the input is kept
    saved = client.post(
        "/applications/new/",
        {"code": "emcs", "name": "Excise Movement", "business_threads": ["a3-exc"]},
    )
    assert saved.status_code == 302
    application = Application.objects.get(code="emcs")
    assert [p.slug for p in application.business_threads.all()] == ["a3-exc"]
    env = client.post(
        "/applications/emcs/environments/new/",
        {"slug": "prod", "name": "Production", "kind": "production", "status": "booked"},
    )
    assert env.status_code == 302, env.content.decode()
    page = client.get("/applications/emcs/")
    assert b"Production" in page.content
    assert b"Booked" in page.content
    edited = client.post(
        "/applications/emcs/environments/prod/edit/",
        {"slug": "prod", "name": "Production", "kind": "production", "status": "down"},
    )
    assert edited.status_code == 302
    recorded = client.post("/applications/emcs/environments/prod/", {"version": "1.0.0"})
    assert recorded.status_code == 302
    assert b"1.0.0" in client.get("/applications/emcs/environments/prod/").content
    client.force_login(make_user("reader", "DG TAXUD A3/Exc"))
    assert client.get("/applications/emcs/").status_code == 200
    assert client.get("/applications/emcs/edit/").status_code == 403
    assert client.post("/applications/emcs/environments/prod/", {"version": "2"}).status_code == 403
    assert client.get("/applications/emcs/environments/nowhere/").status_code == 404


def test_developer_organisations_and_their_people(keeper, make_user, api, client):
    created = api(keeper).post("/api/v1/raci/organisations/", {"name": "Initech"}, format="json")
    assert created.status_code == 201, created.json()
    organisation = Organisation.objects.get(name="Initech")
    added = api(keeper).post(
        "/api/v1/raci/organisations/Initech/members/",
        {"username": "peter", "email": "peter@initech.example", "first_name": "Peter"},
        format="json",
    )
    assert added.status_code == 201, added.json()
    peter = organisation.group.user_set.get()
    assert (peter.username, peter.has_usable_password()) == ("peter", False)
    members = api(keeper).get("/api/v1/raci/organisations/Initech/members/").json()
    assert [m["username"] for m in members] == ["peter"]
    other = api(keeper).post("/api/v1/raci/organisations/", {"name": "Globex"}, format="json")
    assert other.status_code == 201
    taken = api(keeper).post(
        "/api/v1/raci/organisations/Globex/members/", {"username": "peter"}, format="json"
    )
    assert taken.status_code == 400
    assert "username" in taken.json()
    no_mail = api(keeper).post(
        "/api/v1/raci/organisations/Globex/members/", {"username": "new"}, format="json"
    )
    assert no_mail.status_code == 400
    assert "email" in no_mail.json()
    assert api(peter).get("/api/v1/raci/organisations/Initech/members/").status_code == 403
    assert api(peter).post("/api/v1/raci/organisations/", {"name": "Mine"}).status_code == 403
    client.force_login(keeper)
    page = client.post("/raci/organisations/Initech/", {"remove": "peter"})
    assert page.status_code == 302
    assert not organisation.group.user_set.exists()
    renamed = client.post("/raci/organisations/Initech/", {"name": "Initrode"})
    assert renamed.status_code == 302
    assert Organisation.objects.get(pk=organisation.pk).group.name == "3rd party: Initrode"
    assert b"Initrode" in client.get("/raci/organisations/").content


# --- what runs where ---------------------------------------------------------------------


def test_the_walk_and_a_rollback_write_each_environments_timeline(
    cast, release_at, make_release, environments, api, make_user, client
):
    good = release_at("installation")
    assert versions("sat") == [(good.version, "RM.3.3", None)]  # RM.3.3 accepted
    assert versions("production") == []
    install(cast, good, successful=True)
    cast.ok(cast.perform(cast.dc, good, "RM.6.5"))
    assert versions("production") == [(good.version, "RM.6.5", None)]

    bad = make_release()
    RfC.objects.create(
        reference="RFC-101", title="More rules", status=RfC.Status.AUTHORISED, requester=cast.rm
    )
    cast.ok(cast.act(cast.rm, bad, "include-rfc", {"rfc": "RFC-101"}, multipart=False), 201)
    walk_to(cast, bad, "installation")
    install(cast, bad, successful=False)
    cast.ok(cast.decide(cast.cust, bad, "rollback"), 201)
    cast.ok(cast.perform(cast.dc, bad, "RM.6.4"))
    production = versions("production")
    assert [v for v, _, _ in production] == [good.version, bad.version, "ecs 3.1.7"]
    assert production[1][2] is not None  # the failed version: rolled back
    assert production[2][1] == "RM.6.4"
    assert production[2][2] is None

    sides = {e["slug"]: e for e in api(cast.rm).get(ENVS).json()}
    assert sides["production"]["current_version"] == "ecs 3.1.7"
    assert sides["sat"]["current_version"] == bad.version
    assert sides["sat"]["current_release"] == bad.identifier
    history = api(cast.rm).get(ENVS + "production/history/").json()
    assert [(h["version"], h["release"]) for h in history][1:] == [
        (bad.version, bad.identifier),
        (good.version, good.identifier),
    ]
    assert history[1]["rolled_back_at"] is not None
    # someone who may not see the releases reads the versions, never their identifiers
    outsider = make_user("outsider", "DG TAXUD A3/Exc")
    assert {h["release"] for h in api(outsider).get(ENVS + "production/history/").json()} == {None}
    assert bad.identifier.encode() not in api(outsider).get(ENVS).content
    client.force_login(cast.rm)
    page = client.get("/applications/ecs/environments/production/")
    assert b"Rolled back from" in page.content
    assert Release.objects.get(pk=bad.pk).stage == "rolled_back"


def test_environment_pages_read_in_constant_queries(
    keeper, application, client, django_assert_max_num_queries
):
    for i in range(30):
        env = Environment.objects.create(
            application=application, slug=f"e{i}", name=f"Env {i}", kind="sat"
        )
        for j in range(5):
            InstalledVersion.objects.create(
                environment=env, version=f"1.{j}", installed_at=f"2027-01-0{j + 1}T10:00Z"
            )
    client.force_login(keeper)
    with django_assert_max_num_queries(12):
        assert client.get("/applications/ecs/").status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get("/applications/ecs/environments/e3/").status_code == 200
    with django_assert_max_num_queries(10):
        assert client.get("/applications/").status_code == 200
