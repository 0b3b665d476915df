"""RM.1.1 Formalise release and RM.1.2 Assign roles, through the web and the API."""

import re

import pytest

from raci import permissions as raci
from releasemgmt.audit.models import AuditEntry
from releases.models import ActivityRecord, Release
from tests.start import release_page


def form_data(app, **extra):
    return {
        "application": app.pk,
        "version": "3.2.0",
        "name": "ECS phase 3",
        "release_type": "major",
        "planned_delivery_date": "2027-01-10",
        "planned_installation_date": "2027-02-01",
        "business_threads": ["a3-cust", "a4-cpt"],
        "description": "Functional update",
    } | extra


def party_ids(*slugs):
    from raci.models import Party

    return [Party.objects.get(slug=s).pk for s in slugs]


def test_release_manager_formalises_a_release_in_the_browser_form(
    client, release_manager, application
):
    client.force_login(release_manager)
    data = form_data(
        application, business_threads=party_ids("a3-cust", "a4-cpt"), conformance_testing="on"
    )
    response = client.post("/releases/new/", data)
    assert response.status_code == 302
    release = Release.objects.get(identifier="ECS-3.2.0")
    assert response["Location"] == "/releases/ECS-3.2.0/"
    assert release.stage == "planning"
    assert release.conformance_testing
    held = {a.party.slug for a in release.assignments.select_related("party")}
    assert {"a3-cust", "a4-cpt", "itsm-release-manager", "itsm-service-desk"} <= held
    rm11 = release.activity_records.get(activity__code="RM.1.1")
    assert (rm11.status, rm11.performed_by) == ("done", release_manager)
    page = client.get(response["Location"]).content.decode()
    assert "ECS phase 3" in page
    assert "Assign roles (RM.1.2)" in page


def test_form_errors_name_the_field_and_save_nothing(client, release_manager, application):
    client.force_login(release_manager)
    data = form_data(
        application, business_threads=party_ids("a3-cust"), planned_installation_date="2026-12-01"
    )
    response = client.post("/releases/new/", data)
    assert response.status_code == 400
    assert "The installation cannot be planned before the delivery." in response.content.decode()
    assert not Release.objects.exists()
    assert not AuditEntry.objects.exists()


def test_only_release_managers_may_formalise(client, api, coordinator, application):
    client.force_login(coordinator)
    assert client.get("/releases/new/").status_code == 403
    response = api(coordinator).post(
        "/api/v1/releases/", form_data(application, application="ecs"), format="json"
    )
    assert response.status_code == 403
    assert not Release.objects.exists()


def test_api_formalise_then_assign_roles(
    api, release_manager, coordinator, organisation, application
):
    client = api(release_manager)
    response = client.post(
        "/api/v1/releases/", form_data(application, application="ecs"), format="json"
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["identifier"] == "ECS-3.2.0"
    assert body["stage"] == "planning"
    codes = {a["code"]: a for a in body["activities"]}
    assert len(codes) == 24
    assert codes["RM.1.2"]["may_perform"] is True
    assert codes["RM.7.1"]["status"] == "not_applicable"

    response = client.post(
        "/api/v1/releases/ECS-3.2.0/assign-roles/",
        {
            "deployment_coordinator": coordinator.username,
            "business_threads": ["a3-cust"],
            "developers": organisation.name,
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assignments = {(a["party"], a["holder"]) for a in response.json()["assignments"]}
    assert ("ITSM Deployment Coordinator", str(coordinator)) in assignments
    assert ("DG TAXUD A3/Cust", "DG TAXUD A3/Cust") in assignments
    assert ("DG TAXUD A4/CPT", "DG TAXUD A4/CPT") not in assignments  # replaced by RM.1.2
    release = Release.objects.get(identifier="ECS-3.2.0")
    assert raci.may_perform(coordinator, release, "RM.2.1")
    assert ActivityRecord.objects.get(release=release, activity__code="RM.1.2").status == "done"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"planned_installation_date": "2026-01-01"}, "planned_installation_date"),
        ({"release_type": "huge"}, "release_type"),
        ({"application": "nope"}, "application"),
        ({"version": ""}, "version"),
        ({"business_threads": ["itsm-service-desk"]}, "business_threads"),
    ],
)
def test_api_bad_input_is_400_naming_the_field(api, release_manager, application, change, field):
    response = api(release_manager).post(
        "/api/v1/releases/", form_data(application, application="ecs") | change, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not Release.objects.exists()


def test_duplicate_release_is_400_on_version(api, release_manager, application):
    client = api(release_manager)
    assert (
        client.post(
            "/api/v1/releases/", form_data(application, application="ecs"), format="json"
        ).status_code
        == 201
    )
    response = client.post(
        "/api/v1/releases/", form_data(application, application="ecs"), format="json"
    )
    assert response.status_code == 400
    assert "ECS-3.2.0 already exists" in response.json()["version"][0]


def test_assign_roles_rejects_a_coordinator_who_is_not_one(
    api, make_release, release_manager, make_user, organisation
):
    release = make_release(assign=False)
    stranger = make_user("stranger", "ITSM Service Desk")
    response = api(release_manager).post(
        f"/api/v1/releases/{release.identifier}/assign-roles/",
        {
            "deployment_coordinator": stranger.username,
            "business_threads": ["a3-cust"],
            "developers": organisation.name,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "deployment_coordinator" in response.json()
    assert not raci.may_perform(stranger, release, "RM.2.1")


def test_reassigning_the_coordinator_moves_the_permissions(
    make_release, release_manager, coordinator, make_user, organisation
):
    from releases import services
    from tests.conftest import party

    release = make_release()
    successor = make_user("dora", "ITSM Deployment Coordinator")
    services.assign_roles(
        release,
        by=release_manager,
        deployment_coordinator=successor,
        business_threads=[party("a3-exc")],
        developers=organisation,
    )
    coordinator.refresh_from_db()
    coordinator.__dict__.pop("_release_perm_cache", None)
    assert raci.may_perform(successor, release, "RM.2.1")
    assert not raci.may_perform(coordinator, release, "RM.2.1")
    exc_user = make_user("exc", "DG TAXUD A3/Exc")
    cust_user = make_user("cust", "DG TAXUD A3/Cust")
    assert raci.may_view(exc_user, release)
    assert not raci.may_view(cust_user, release)


def test_web_assign_roles_form(client, make_release, release_manager, coordinator, organisation):
    release = make_release(assign=False)
    client.force_login(release_manager)
    path = f"/releases/{release.identifier}/roles/"
    assert client.get(path).status_code == 200
    bad = client.post(path, {"business_threads": party_ids("a3-cust")})
    assert bad.status_code == 400
    assert "This field is required." in bad.content.decode()
    response = client.post(
        path,
        {
            "deployment_coordinator": coordinator.pk,
            "business_threads": party_ids("a3-tax"),
            "developers": organisation.pk,
        },
    )
    assert response.status_code == 302
    assert raci.may_perform(coordinator, release, "RM.3.1")


def test_revise_planning_is_audited_with_before_and_after(client, make_release, release_manager):
    release = make_release()
    client.force_login(release_manager)
    response = client.post(
        f"/releases/{release.identifier}/planning/",
        {
            "name": "Renamed",
            "release_type": "emergency",
            "planned_delivery_date": "2027-03-01",
            "planned_installation_date": "2027-03-05",
            "description": "",
        },
    )
    assert response.status_code == 302
    entry = AuditEntry.objects.filter(release=release, action="planning_revised").get()
    assert entry.actor == release_manager
    assert entry.changes["name"] == ["Functional update", "Renamed"]
    assert entry.changes["release_type"] == ["minor", "emergency"]
    page = release_page(client, release)
    assert "planning_revised" in page
    assert "Renamed" in page


def test_the_application_s_default_threads_are_taken_when_none_is_named(
    client, api, release_manager, application
):
    """Master data (issue 13 point 1): the threads an application names by default are
    the affected ones of a new release unless the release manager ticks others (RM.1.1),
    and RM.1.2's form starts from them."""
    from raci.models import Party

    application.business_threads.set(Party.objects.filter(slug__in=["a3-cust", "a4-cpt"]))
    client.force_login(release_manager)
    response = client.post("/releases/new/", form_data(application, business_threads=[]))
    assert response.status_code == 302
    release = Release.objects.get(identifier="ECS-3.2.0")
    held = {a.party.slug for a in release.assignments.select_related("party")}
    assert {"a3-cust", "a4-cpt"} <= held
    body = api(release_manager).post(
        "/api/v1/releases/",
        form_data(
            application, application=application.code, version="3.3.0", business_threads=["a4-cpt"]
        ),
        format="json",
    )
    assert body.status_code == 201, body.json()
    other = Release.objects.get(identifier="ECS-3.3.0")
    threads = {
        a.party.slug
        for a in other.assignments.select_related("party")
        if a.party.kind == "business_thread"
    }
    assert threads == {"a4-cpt"}
    # A release formalised before the application had defaults: RM.1.2 offers them.
    application.business_threads.clear()
    bare = api(release_manager).post(
        "/api/v1/releases/",
        form_data(application, application=application.code, version="3.4.0", business_threads=[]),
        format="json",
    )
    assert bare.status_code == 201, bare.json()
    application.business_threads.set(Party.objects.filter(slug="a4-cpt"))
    page = client.get("/releases/ECS-3.4.0/activities/RM.1.2/").content.decode()
    ticked = re.findall(r'<input[^>]*name="business_threads"[^>]*>', page)
    assert [t for t in ticked if "checked" in t] == [
        t for t in ticked if f'value="{Party.objects.get(slug="a4-cpt").pk}"' in t
    ]
