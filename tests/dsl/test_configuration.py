"""Configuration management through the API and the pages: the baseline recorded at the
successful installation (RM.6.5), RM.6.7 comparing production with the DSL (refusing a
difference unless a deviation is accepted with a reason), and the configuration
manager's task to confirm the CI status changes a closure implies."""

import hashlib

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from changes.models import RfC
from dsl.models import CIStatus, CITask, ConfigurationItem
from releasemgmt.audit.models import AuditEntry
from releases.models import Release
from tests.lifecycle import install, walk_to
from tests.start import start_page

#: the components tests.lifecycle stores hold b"PK"
PK = hashlib.sha256(b"PK").hexdigest()
OTHER = "ab" * 32
CLOSE = {"deployment_plan_updated": True}


@pytest.fixture
def config_manager(make_user):
    return make_user("cora", "ITSM Configuration Manager", first_name="Cora")


def installed(cast, release, manifest=""):
    """RM.6.1 to RM.6.6 of a release in installation; RM.6.5 reports ``manifest``."""
    install(cast, release, successful=True)
    cast.ok(cast.perform(cast.dc, release, "RM.6.5", {"installed": manifest}))
    cast.ok(cast.perform(cast.dc, release, "RM.6.6", {"message": "Available"}))


def baseline_of(cast, release):
    return cast.ok(cast.client(cast.rm).get(f"/api/v1/releases/{release.identifier}/baseline/"))


def test_baseline_recorded_at_the_successful_installation(cast, release_at, client):
    release = release_at("installation")
    assert baseline_of(cast, release) == {"baseline": None, "previous_baseline": None}
    installed(cast, release)
    body = baseline_of(cast, release)
    assert [(i["name"], i["version"], i["sha256"]) for i in body["baseline"]["items"]] == [
        ("ecs-core", "3.2.0", PK),
        ("ecs-web", "3.2.0", PK),
    ]
    assert body["baseline"]["recorded_by"] == cast.dc.username
    assert body["previous_baseline"] is None
    assert AuditEntry.objects.filter(release=release, action="baseline_recorded").exists()
    # The release's CIs are registered, in test until the configuration manager says.
    items = ConfigurationItem.objects.filter(application=release.application)
    assert {(i.kind, i.name, i.status) for i in items} == {
        ("application", "ecs", "in_test"),
        ("component", "ecs-core", "in_test"),
        ("component", "ecs-web", "in_test"),
    }
    client.force_login(cast.cust)
    page = client.get(
        f"/releases/{release.identifier}/configuration/", headers={"HX-Request": "true"}
    )
    assert page.status_code == 200
    assert PK in page.content.decode()
    assert "Baseline of production" in page.content.decode()


def test_closure_refuses_differences_with_production_until_a_deviation_is_accepted(
    cast, release_at
):
    release = release_at("installation")
    installed(cast, release, f"ecs-core 3.2.1 {PK}\necs-extra 1.0.0 {OTHER}")
    response = cast.perform(cast.rm, release, "RM.6.7", CLOSE)
    assert response.status_code == 409
    assert response.json()["missing"] == [
        "ecs-core: version differs",
        "ecs-extra: missing in DSL",
        "ecs-web: missing in production",
    ]
    assert Release.objects.get(pk=release.pk).stage == "installation"
    assert not CITask.objects.filter(release=release).exists()  # nothing half-saved
    body = cast.ok(
        cast.perform(
            cast.rm, release, "RM.6.7", CLOSE | {"accepted_deviation": "Hotfix 3.2.1 on site"}
        )
    )
    assert body["stage"] in ("closed", "conformance")
    closure = cast.ok(cast.client(cast.rm).get(f"/api/v1/releases/{release.identifier}/closure/"))
    assert closure["dsl_verified"] is False
    assert closure["deviation_reason"] == "Hotfix 3.2.1 on site"
    assert [(d["component"], d["problem"]) for d in closure["differences"]] == [
        ("ecs-core", "version differs"),
        ("ecs-extra", "missing in DSL"),
        ("ecs-web", "missing in production"),
    ]
    entry = AuditEntry.objects.get(release=release, action="dsl_deviation_accepted")
    assert "Hotfix 3.2.1 on site" in str(entry.changes)


def test_closure_on_the_web_names_a_checksum_difference_and_keeps_the_input(
    cast, release_at, client
):
    release = release_at("installation")
    installed(cast, release, f"ecs-core 3.2.0 {OTHER}\necs-web 3.2.0 {PK}")
    client.force_login(cast.rm)
    path = f"/releases/{release.identifier}/activities/RM.6.7/"
    response = client.post(path, {"deployment_plan_updated": "on", "notes": "Kept note"})
    assert response.status_code == 409
    text = response.content.decode()
    assert "ecs-core: checksum differs" in text
    assert "Kept note" in text
    response = client.post(
        path,
        {"deployment_plan_updated": "on", "accepted_deviation": "Repackaged by the vendor"},
    )
    assert response.status_code == 302
    assert client.get(f"/releases/{release.identifier}/").status_code == 200  # its audit trail
    page = client.get(f"/releases/{release.identifier}/configuration/").content.decode()
    assert "deviation accepted" in page
    assert "Repackaged by the vendor" in page
    assert "checksum differs" in page


def test_clean_closure_is_verified_and_the_configuration_manager_confirms_the_changes(
    cast, release_at, config_manager, make_user
):
    release = release_at("installation")
    installed(cast, release)
    cast.ok(cast.perform(cast.rm, release, "RM.6.7", CLOSE))
    closure = cast.ok(cast.client(cast.rm).get(f"/api/v1/releases/{release.identifier}/closure/"))
    assert (closure["dsl_verified"], closure["differences"]) == (True, [])
    cm = cast.client(config_manager)
    tasks = cast.ok(cm.get("/api/v1/cmdb/tasks/?status=open"))["results"]
    assert [t["release"] for t in tasks] == [release.identifier]
    task = cast.ok(cm.get(f"/api/v1/cmdb/tasks/{tasks[0]['id']}/"))
    proposals = {p["name"]: p for p in task["proposals"]}
    assert {n: p["proposed_status"] for n, p in proposals.items()} == {
        "ecs": "live",
        "ecs-core": "live",
        "ecs-web": "live",
    }
    confirm = f"/api/v1/cmdb/tasks/{task['id']}/confirm/"
    assert cast.client(cast.rm).post(confirm, {}, format="json").status_code == 403
    amended = {"changes": [{"proposal": proposals["ecs-web"]["id"], "status": "in_test"}]}
    response = cm.post(confirm, amended, format="json")
    assert response.status_code == 400
    assert "note" in response.json()
    response = cm.post(
        confirm, {"changes": [{"proposal": 987654, "status": "live"}]}, format="json"
    )
    assert response.status_code == 400
    assert "changes" in response.json()
    body = cast.ok(cm.post(confirm, amended | {"note": "Web tier on hold"}, format="json"))
    assert body["status"] == "confirmed"
    assert body["confirmed_by"] == "cora"
    statuses = {
        i.name: i.status for i in ConfigurationItem.objects.filter(application=release.application)
    }
    assert statuses == {"ecs": "live", "ecs-core": "live", "ecs-web": "in_test"}
    core = {p["name"]: p for p in body["proposals"]}["ecs-core"]
    assert [(h["from_status"], h["to_status"], h["release"]) for h in core["history"]] == [
        ("in_test", "live", release.identifier),
        ("planned", "in_test", release.identifier),
        ("", "planned", release.identifier),
    ]
    assert cm.post(confirm, {}, format="json").status_code == 409
    assert AuditEntry.objects.filter(release=release, action="ci_changes_confirmed").exists()


def test_next_release_retires_the_previous_version_and_its_rollback_names_the_baseline(
    cast, release_at, make_release, config_manager, client
):
    first = release_at("installation")
    installed(cast, first)
    cast.ok(cast.perform(cast.rm, first, "RM.6.7", CLOSE))
    cast.ok(cast.client(config_manager).post(f"/api/v1/cmdb/tasks/{first.ci_task.pk}/confirm/"))
    second = make_release(threads=["a3-cust"])
    rfc = RfC.objects.create(
        reference="RFC-101", title="More", status=RfC.Status.AUTHORISED, requester=cast.rm
    )
    cast.ok(cast.act(cast.rm, second, "include-rfc", {"rfc": rfc.reference}, False), 201)
    walk_to(cast, second, "installation")
    client.force_login(cast.dc)
    page = client.get(f"/releases/{second.identifier}/activities/RM.6.4/").content.decode()
    assert f"{first.identifier} {first.version}" in page  # the baseline a rollback restores
    installed(cast, second, f"ecs-core 3.3.0 {OTHER}\necs-web 3.2.0 {PK}")
    body = baseline_of(cast, second)
    assert body["previous_baseline"]["release"] == first.identifier
    response = cast.perform(cast.rm, second, "RM.6.7", CLOSE)
    assert response.json()["missing"] == ["ecs-core: version differs"]
    cast.ok(cast.perform(cast.rm, second, "RM.6.7", CLOSE | {"accepted_deviation": "3.3.0"}))
    task = cast.ok(cast.client(config_manager).get(f"/api/v1/cmdb/tasks/{second.ci_task.pk}/"))
    proposed = {(p["name"], p["version"]): p["proposed_status"] for p in task["proposals"]}
    assert proposed[("ecs", first.version)] == "retired"
    assert proposed[("ecs", second.version)] == "live"


def test_configuration_manager_confirms_on_the_page_from_the_start_page(
    cast, release_at, config_manager, client
):
    release = release_at("installation")
    installed(cast, release)
    cast.ok(cast.perform(cast.rm, release, "RM.6.7", CLOSE))
    task = CITask.objects.get(release=release)
    client.force_login(config_manager)
    start = start_page(client)
    assert "CI status changes to confirm" in start
    assert f"/cmdb/tasks/{task.pk}/" in start
    path = f"/cmdb/tasks/{task.pk}/"
    web = task.proposals.get(item__name="ecs-web")
    data = {p.field_name: p.proposed_status for p in task.proposals.all()}
    response = client.post(path, data | {web.field_name: "retired"})
    assert response.status_code == 400
    assert "Say why" in response.content.decode()
    response = client.post(path, data | {web.field_name: "bogus"})
    assert response.status_code == 400
    client.force_login(cast.rm)
    assert client.post(path, data).status_code == 403
    client.force_login(config_manager)
    response = client.post(path, data | {web.field_name: "retired", "note": "Decommissioned"})
    assert response.status_code == 302
    web.item.refresh_from_db()
    assert web.item.status == CIStatus.RETIRED
    assert "CI status changes to confirm" not in start_page(client)


def test_a_ci_goes_planned_in_test_live_and_its_page_tells_its_history(
    cast, release_at, config_manager, client
):
    """Seed 003 status accounting: a component is a planned CI once delivered to the DSL
    (RM.2.3), in test once accepted in SAT (RM.3.3), live when the configuration manager
    confirms the closure (RM.6.7)."""
    release = release_at("kickoff")
    statuses = dict(ConfigurationItem.objects.filter(release=release).values_list("name", "status"))
    assert statuses == {"ecs": "planned", "ecs-core": "planned", "ecs-web": "planned"}
    walk_to(cast, release, "installation", start="kickoff")
    statuses = dict(ConfigurationItem.objects.filter(release=release).values_list("name", "status"))
    assert statuses == {"ecs": "in_test", "ecs-core": "in_test", "ecs-web": "in_test"}
    installed(cast, release)
    cast.ok(cast.perform(cast.rm, release, "RM.6.7", CLOSE))
    cast.ok(cast.client(config_manager).post(f"/api/v1/cmdb/tasks/{release.ci_task.pk}/confirm/"))
    core = ConfigurationItem.objects.get(release=release, name="ecs-core")
    assert core.status == "live"
    # The application's CIs: a page and the API, filtered by status.
    client.force_login(cast.cust)
    page = client.get("/applications/ecs/configuration-items/?status=live").content.decode()
    assert f'href="/cmdb/items/{core.pk}/"' in page
    assert client.get("/applications/ecs/configuration-items/?status=bogus").status_code == 200
    api = cast.client(cast.cust)
    body = cast.ok(api.get("/api/v1/applications/ecs/configuration-items/?status=live"))
    assert {(i["name"], i["status"], i["release"]) for i in body["results"]} == {
        ("ecs", "live", release.identifier),
        ("ecs-core", "live", release.identifier),
        ("ecs-web", "live", release.identifier),
    }
    assert api.get("/api/v1/applications/ecs/configuration-items/?status=x").status_code == 400
    assert api.get("/api/v1/applications/nope/configuration-items/").status_code == 404
    # One CI: its history, newest first, and the production baseline that holds it.
    detail = cast.ok(api.get(f"/api/v1/cmdb/items/{core.pk}/"))
    assert [(h["from_status"], h["to_status"]) for h in detail["history"]] == [
        ("in_test", "live"),
        ("planned", "in_test"),
        ("", "planned"),
    ]
    assert [b["release"] for b in detail["baselines"]] == [release.identifier]
    page = client.get(f"/cmdb/items/{core.pk}/").content.decode()
    assert "Delivered to the DSL" in page
    assert "RM.6.7" in page
    assert client.get("/cmdb/items/987654321/").status_code == 404


def test_configuration_item_pages_have_constant_queries(cast, release_at, client, make_release):
    release = release_at("installation")
    installed(cast, release)
    core = ConfigurationItem.objects.get(release=release, name="ecs-core")
    paths = [
        "/applications/ecs/configuration-items/",
        f"/cmdb/items/{core.pk}/",
        "/api/v1/applications/ecs/configuration-items/",
        f"/api/v1/cmdb/items/{core.pk}/",
    ]
    client.force_login(cast.rm)
    before = [count(client, p) for p in paths]
    for n in range(5):
        other = make_release(threads=["a3-cust"], version=f"9.{n}.0")
        item = ConfigurationItem.objects.create(
            application=release.application,
            kind="component",
            name=f"lib{n}",
            version="1",
            release=other,
        )
        item.history.create(to_status="planned", reason="Registered", changed_by=cast.rm)
        core.history.create(
            from_status="in_test",
            to_status="in_test",
            reason="Seen",
            changed_by=cast.rm,
            release=other,
        )
    client.force_login(cast.rm)
    assert [count(client, p) for p in paths] == before


def count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


def test_ci_task_pages_have_constant_queries(
    cast, release_at, make_release, config_manager, client
):
    release = release_at("installation")
    installed(cast, release)
    cast.ok(cast.perform(cast.rm, release, "RM.6.7", CLOSE))
    task = CITask.objects.get(release=release)
    paths = [
        "/cmdb/tasks/",
        f"/cmdb/tasks/{task.pk}/",
        f"/releases/{release.identifier}/configuration/",
        "/api/v1/cmdb/tasks/",
        f"/api/v1/cmdb/tasks/{task.pk}/",
        f"/api/v1/releases/{release.identifier}/baseline/",
    ]
    client.force_login(config_manager)
    before = [count(client, p) for p in paths]
    # More CIs, more history, more tasks: the same queries.
    for n in range(5):
        item = ConfigurationItem.objects.create(
            application=release.application, kind="component", name=f"lib{n}", version="1"
        )
        task.proposals.create(item=item, from_status="planned", proposed_status="live")
        item.history.create(to_status="planned", reason="Registered", changed_by=cast.rm)
    for _ in range(3):
        CITask.objects.create(release=make_release(threads=["a3-cust"]))
    client.force_login(config_manager)
    assert [count(client, p) for p in paths] == before


def test_the_tasks_are_paged_to_confirm_and_confirmed_on_the_page_and_the_api(
    cast, make_release, config_manager, client, monkeypatch
):
    """Every task is reached a page at a time, those to confirm and those confirmed
    apart, on the page and through the API: the list used to stop at the newest 100 of
    each and say nothing of the rest (issue 17)."""
    from dsl import views
    from releasemgmt import paging

    monkeypatch.setattr(views, "TASKS_PER_PAGE", 2)
    monkeypatch.setattr(paging.CountedPagination, "page_size", 2)
    tasks = [CITask.objects.create(release=make_release(threads=["a3-cust"])) for _ in range(5)]
    confirmed = tasks[0]
    CITask.objects.filter(pk=confirmed.pk).update(status=CITask.Status.CONFIRMED)
    client.force_login(config_manager)

    seen = []
    for number in (1, 2):
        page = client.get("/cmdb/tasks/", {"page": number}).content.decode()
        assert f"Page {number} of 2 · 4 tasks" in page
        seen += [t.pk for t in tasks if f"/cmdb/tasks/{t.pk}/" in page]
    assert sorted(seen) == sorted(t.pk for t in tasks[1:])  # each once, none confirmed
    assert 'href="?status=confirmed"' in page
    done = client.get("/cmdb/tasks/", {"status": "confirmed"}).content.decode()
    assert f"/cmdb/tasks/{confirmed.pk}/" in done
    assert all(f"/cmdb/tasks/{t.pk}/" not in done for t in tasks[1:])
    for hostile in ({"page": "-1"}, {"page": "x"}, {"page": "99"}, {"status": "nonsense\x00"}):
        answer = client.get("/cmdb/tasks/", hostile)
        assert answer.status_code == 200, hostile
        assert "Page 1 of 2" in answer.content.decode() or "Page 2 of 2" in answer.content.decode()

    api = cast.client(config_manager)
    first = cast.ok(api.get("/api/v1/cmdb/tasks/", {"status": "open"}))
    assert (first["count"], len(first["results"])) == (4, 2)
    second = cast.ok(api.get(first["next"]))
    listed = [t["id"] for t in first["results"] + second["results"]]
    assert sorted(listed) == sorted(t.pk for t in tasks[1:])
    every = cast.ok(api.get("/api/v1/cmdb/tasks/"))
    assert every["count"] == 5
    wrong = api.get("/api/v1/cmdb/tasks/", {"status": "closed"})
    assert wrong.status_code == 400
    assert "status" in wrong.json()
