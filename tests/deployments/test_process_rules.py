"""Rules of the process the tool enforces at the edges: rounds after a NOGO or a rollback,
closure, reconsidered decisions, settled planning."""

import pytest

from changes.models import RfC
from releases.models import Release
from tests.lifecycle import install, upload, walk_to


@pytest.fixture
def release(release_at):
    return release_at(conformance_testing=True)


def transition(cast, user, release, name, **data):
    return cast.client(user).post(
        f"/api/v1/releases/{release.identifier}/transitions/{name}/", data, format="json"
    )


def roll_back(cast, release):
    walk_to(cast, release, "installation")
    install(cast, release, successful=False)
    cast.ok(cast.decide(cast.cust, release, "rollback"), 201)
    cast.ok(cast.perform(cast.dc, release, "RM.6.4"))


def test_reauthorisation_needs_a_new_plan_and_new_decisions(cast, release):
    roll_back(cast, release)
    cast.ok(transition(cast, cast.dc, release, "reauthorise"))
    response = cast.perform(cast.dc, release, "RM.5.1")
    assert response.status_code == 409  # the old approval belongs to the previous round
    plan = {
        "file": upload("install-v2.pdf"),
        "release_notes": "Fixed migration",
        "planned_start": "2027-03-10T20:00",
    }
    cast.ok(cast.act(cast.dc, release, "submit-installation-plan", plan), 201)
    cast.ok(cast.decide(cast.cust, release, "installation_plan"), 201)
    cast.ok(cast.perform(cast.dc, release, "RM.5.1"))
    assert cast.perform(cast.dc, release, "RM.5.2").status_code == 409
    cast.ok(cast.decide(cast.cust, release, "authorisation"), 201)
    assert cast.ok(cast.perform(cast.dc, release, "RM.5.2"))["stage"] == "installation"


def test_a_closed_operation_is_not_reauthorised_and_close_failed_names_its_gate(cast, release):
    roll_back(cast, release)
    response = transition(cast, cast.rm, release, "close_failed")
    assert response.status_code == 409
    assert "RM.6.6" in " ".join(response.json()["missing"])
    cast.ok(cast.perform(cast.dc, release, "RM.6.6", {"message": "Rolled back"}))
    cast.ok(
        cast.perform(
            cast.rm,
            release,
            "RM.6.7",
            {"configuration_manager_informed": True, "deployment_plan_updated": True},
        )
    )
    response = transition(cast, cast.dc, release, "reauthorise")
    assert response.status_code == 409
    assert "RM.6.7" in response.json()["missing"][0]


def test_only_cab_approved_rfcs_are_included_and_implemented(cast, release, release_manager):
    RfC.objects.create(reference="RFC-200", title="Not approved", requester=release_manager)
    walk_to(cast, release, "kickoff")
    response = cast.act(cast.rm, release, "include-rfc", {"rfc": "RFC-200"}, multipart=False)
    assert response.status_code in (400, 409)
    assert RfC.objects.get(reference="RFC-200").release is None


def test_a_nogo_to_conformance_testing_can_be_reconsidered(cast, release):
    walk_to(cast, release, "installation")
    install(cast, release, successful=True)
    cast.ok(cast.perform(cast.dc, release, "RM.6.5"))
    cast.ok(cast.perform(cast.dc, release, "RM.6.6", {"message": "Available"}))
    cast.ok(
        cast.perform(
            cast.rm,
            release,
            "RM.6.7",
            {"configuration_manager_informed": True, "deployment_plan_updated": True},
        )
    )
    assert cast.perform(cast.dc, release, "RM.7.2").status_code == 409  # RM.7.1 first
    cast.ok(cast.decide(cast.cust, release, "ct_go_ahead", verdict="nogo"), 201)
    assert (
        cast.perform(
            cast.rm, release, "RM.7.1", {"coordinator": "camille", "scope": "CT"}
        ).status_code
        == 409
    )
    cast.ok(cast.decide(cast.cust, release, "ct_go_ahead", verdict="go"), 201)
    cast.ok(cast.perform(cast.rm, release, "RM.7.1", {"coordinator": "camille", "scope": "CT"}))


def test_notifications_are_done_by_their_own_activity(cast, release):
    walk_to(cast, release, "installation")
    response = cast.perform(cast.dc, release, "RM.6.6", {"message": "after"})
    assert response.status_code == 409
    cast.ok(cast.perform(cast.dc, release, "RM.6.1", {"message": "before"}))


def test_versions_must_fit_in_a_url(api, release_manager, application):
    response = api(release_manager).post(
        "/api/v1/releases/",
        {
            "application": "ecs",
            "version": "1.0/x",
            "name": "x",
            "release_type": "minor",
            "planned_delivery_date": "2027-01-01",
            "planned_installation_date": "2027-01-02",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "version" in response.json()
    assert not Release.objects.exists()


def test_planning_settles_conformance_and_threads(cast, release):
    walk_to(cast, release, "acceptance")
    response = cast.client(cast.rm).post(
        f"/api/v1/releases/{release.identifier}/assign-roles/",
        {
            "deployment_coordinator": cast.dc.username,
            "business_threads": ["a3-exc"],
            "developers": "Acme Software",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "business_threads" in response.json()
    walk_to(cast, release, "installation", start="acceptance")
    response = cast.client(cast.rm).patch(
        f"/api/v1/releases/{release.identifier}/", {"conformance_testing": False}, format="json"
    )
    assert response.status_code == 400
    assert "conformance_testing" in response.json()
