"""A release walked from RM.1.1 to closed through the API, and the NOGO, rollback and
cancellation paths."""

import pytest

from changes.models import RfC
from deployments.models import Decision
from releasemgmt.notifications.models import Communication
from releases.models import Release
from tests.lifecycle import install, upload, walk_to


@pytest.fixture
def release(release_at):
    return release_at(conformance_testing=True)


def stage(release):
    return Release.objects.get(pk=release.pk).stage


def test_walk_from_planning_to_closed_with_conformance_testing(cast, release):
    walk_to(cast, release, "installation")
    assert stage(release) == "installation"
    ok, p = cast.ok, cast.perform
    install(cast, release, successful=True)
    ok(p(cast.dc, release, "RM.6.5"))
    ok(p(cast.dc, release, "RM.6.6", {"message": "ECS 3.2.0 is available"}))
    body = ok(
        p(
            cast.rm,
            release,
            "RM.6.7",
            {"configuration_manager_informed": True, "deployment_plan_updated": True},
        )
    )
    assert body["stage"] == "conformance"
    ok(cast.decide(cast.cust, release, "ct_go_ahead"), 201)
    ok(p(cast.rm, release, "RM.7.1", {"coordinator": "camille", "scope": "Full CT"}))
    ok(cast.act(cast.campaign, release, "add-ct-report", {"file": upload("ct.pdf")}), 201)
    body = ok(p(cast.dc, release, "RM.7.2"))

    assert body["stage"] == "closed"
    statuses = {a["code"]: a["status"] for a in body["activities"]}
    assert statuses["RM.6.4"] == "not_applicable"
    assert all(s == "done" for c, s in statuses.items() if c != "RM.6.4")
    assert RfC.objects.get(reference="RFC-100").status == "implemented"
    interfaces = set(
        Communication.objects.filter(release=release).values_list("interface", flat=True)
    )
    assert {
        "Release Plan",
        "Kick-off meeting decisions",
        "pSAT report",
        "SAT report",
        "Installation Plan & Release notes",
        "Installation report",
        "Trigger start",
        "Notification of completion",
    } <= interfaces


def test_a_gate_not_met_answers_409_naming_it(cast, release):
    response = cast.client(cast.rm).post(
        f"/api/v1/releases/{release.identifier}/activities/RM.1.4/", {}, format="json"
    )
    assert response.status_code == 409
    assert "RM.1.3 Initialise Deployment Plan" in response.json()["missing"][0]
    response = cast.client(cast.dc).post(
        f"/api/v1/releases/{release.identifier}/activities/RM.2.1/",
        {"plan_completed": True, "documents_present": True},
        format="json",
    )
    assert response.status_code == 409
    assert "belongs to stage RM.2" in response.json()["detail"]


def test_activity_without_r_or_a_is_403(cast, release, make_user):
    infra = make_user("infra", "ITSM Infrastructure Manager")
    response = cast.perform(infra, release, "RM.1.4")
    assert response.status_code == 403
    assert "RM.1.4" in response.json()["detail"]


def test_bad_input_is_400_naming_the_field_and_saves_nothing(cast, release):
    response = cast.perform(cast.rm, release, "RM.1.3", {"option": "teleport", "summary": ""})
    assert response.status_code == 400
    assert {"option", "summary", "components"} <= set(response.json())
    response = cast.perform(
        cast.rm,
        release,
        "RM.1.3",
        {
            "option": "big_bang",
            "summary": "x",
            "components": "no-version",
            "last_known_good_build": "1",
            "rollback_procedure": "x",
        },
    )
    assert response.status_code == 400
    assert "Line 1" in response.json()["components"][0]
    assert not hasattr(Release.objects.get(pk=release.pk), "deployment_plan_set")
    from deployments.models import DeploymentPlan

    assert not DeploymentPlan.objects.exists()


def test_nogo_after_psat_sends_back_for_a_corrected_delivery(cast, release):
    walk_to(cast, release, "acceptance")
    cast.ok(
        cast.act(
            cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload("psat.pdf")}
        ),
        201,
    )
    response = cast.decide(cast.cust, release, "psat", verdict="nogo")
    assert response.status_code == 400
    assert "consequence" in response.json()
    cast.ok(
        cast.decide(cast.cust, release, "psat", verdict="nogo", consequence="corrected_delivery"),
        201,
    )
    assert stage(release) == "receiving"
    body = cast.ok(cast.client(cast.rm).get(f"/api/v1/releases/{release.identifier}/"))
    statuses = {a["code"]: a["status"] for a in body["activities"]}
    assert statuses["RM.2.1"] == statuses["RM.4.1"] == "pending"
    assert statuses["RM.1.4"] == "done"


def test_nogo_can_cancel_the_release(cast, release):
    walk_to(cast, release, "acceptance")
    cast.ok(
        cast.act(
            cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload("psat.pdf")}
        ),
        201,
    )
    cast.ok(cast.decide(cast.cust, release, "psat", verdict="nogo", consequence="cancel"), 201)
    assert stage(release) == "cancelled"


def test_decisions_are_evidence_never_edited_superseded_after_a_retest(cast, release):
    walk_to(cast, release, "acceptance")
    cast.ok(
        cast.act(
            cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload("psat.pdf")}
        ),
        201,
    )
    first = cast.ok(cast.decide(cast.cust, release, "psat", verdict="go"), 201)
    again = cast.decide(cast.cust, release, "psat", verdict="go")
    assert again.status_code == 409
    assert "re-test" in again.json()["detail"]
    cast.ok(
        cast.act(
            cast.dc,
            release,
            "submit-test-report",
            {"kind": "psat", "file": upload("psat-2.pdf", b"%PDF retest")},
        ),
        201,
    )
    second = cast.ok(cast.decide(cast.cust, release, "psat", verdict="go"), 201)
    assert second["supersedes"] == first["id"]
    listed = cast.ok(cast.client(cast.dc).get(f"/api/v1/releases/{release.identifier}/decisions/"))
    assert {d["id"]: d["superseded"] for d in listed} == {first["id"]: True, second["id"]: False}
    decision = Decision.objects.get(pk=first["id"])
    decision.verdict = "nogo"
    with pytest.raises(ValueError, match="cannot be edited"):
        decision.save()


def test_nobody_decides_on_what_they_submitted(cast, release):
    walk_to(cast, release, "acceptance")
    cast.ok(
        cast.act(
            cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload("psat.pdf")}
        ),
        201,
    )
    response = cast.decide(cast.dc, release, "psat", evidence_note="mail of 3 March")
    assert response.status_code == 403
    # The release manager (A for RM.4.1) records it on the thread's behalf, with evidence.
    response = cast.decide(cast.rm, release, "psat")
    assert response.status_code == 400
    assert "evidence" in response.json()
    body = cast.ok(
        cast.decide(
            cast.rm,
            release,
            "psat",
            decided_by_name="Ana Thread",
            evidence=upload("acceptance.eml", b"From: a3"),
        ),
        201,
    )
    assert body["decided_by_name"] == "Ana Thread"
    assert body["evidence_sha256"]


def test_rm5_without_authorisation_no_installation(cast, release):
    walk_to(cast, release, "authorisation")
    cast.ok(
        cast.act(
            cast.dc,
            release,
            "submit-installation-plan",
            {
                "file": upload("install.pdf"),
                "release_notes": "Notes",
                "planned_start": "2027-02-10T20:00",
            },
        ),
        201,
    )
    response = cast.perform(cast.dc, release, "RM.5.1")
    assert response.status_code == 409
    assert response.json()["missing"] == ["DG TAXUD A3/Cust"]
    cast.ok(cast.decide(cast.cust, release, "installation_plan"), 201)
    cast.ok(cast.perform(cast.dc, release, "RM.5.1"))
    assert cast.perform(cast.dc, release, "RM.5.2").status_code == 409
    assert cast.perform(cast.dc, release, "RM.6.1", {"message": "x"}).status_code == 409
    assert stage(release) == "authorisation"


def test_failed_installation_rolls_back_then_closes_as_failed(cast, release):
    walk_to(cast, release, "installation")
    ok, p = cast.ok, cast.perform
    install(cast, release, successful=False)
    assert p(cast.dc, release, "RM.6.5").status_code == 409  # not applicable after a failure
    response = p(cast.dc, release, "RM.6.4")
    assert response.status_code == 409  # the business thread validates the rollback first
    ok(cast.decide(cast.cust, release, "rollback"), 201)
    ok(p(cast.dc, release, "RM.6.4"))
    assert stage(release) == "rolled_back"
    ok(p(cast.dc, release, "RM.6.6", {"message": "Rolled back to 3.1.7"}))
    ok(
        p(
            cast.rm,
            release,
            "RM.6.7",
            {"configuration_manager_informed": True, "deployment_plan_updated": True},
        )
    )
    body = ok(
        cast.client(cast.rm).post(
            f"/api/v1/releases/{release.identifier}/transitions/close_failed/", {}, format="json"
        )
    )
    assert body["stage"] == "closed"
    assert body["rollback_plan_used"] is True
    # not implemented: free again for another release
    rfc = RfC.objects.get(reference="RFC-100")
    assert (rfc.status, rfc.release) == ("authorised", None)


def test_rolled_back_release_can_be_reauthorised(cast, release):
    walk_to(cast, release, "installation")
    ok, p = cast.ok, cast.perform
    install(cast, release, successful=False)
    ok(cast.decide(cast.cust, release, "rollback"), 201)
    ok(p(cast.dc, release, "RM.6.4"))
    body = ok(
        cast.client(cast.dc).post(
            f"/api/v1/releases/{release.identifier}/transitions/reauthorise/", {}, format="json"
        )
    )
    assert body["stage"] == "authorisation"
    statuses = {a["code"]: a["status"] for a in body["activities"]}
    assert statuses["RM.5.1"] == statuses["RM.6.5"] == "pending"


def test_cancellation_by_the_release_manager(cast, release):
    response = cast.client(cast.rm).post(
        f"/api/v1/releases/{release.identifier}/transitions/cancel/", {}, format="json"
    )
    assert response.status_code == 400
    assert "reason" in response.json()
    assert (
        cast.client(cast.dc)
        .post(
            f"/api/v1/releases/{release.identifier}/transitions/cancel/",
            {"reason": "x"},
            format="json",
        )
        .status_code
        == 403
    )
    body = cast.ok(
        cast.client(cast.rm).post(
            f"/api/v1/releases/{release.identifier}/transitions/cancel/",
            {"reason": "Superseded by 3.3.0"},
            format="json",
        )
    )
    assert body["stage"] == "cancelled"
    response = cast.perform(cast.rm, release, "RM.1.3", {})
    assert response.status_code in (400, 409)


def test_close_too_early_is_409_with_the_missing_gates(cast, release):
    response = cast.client(cast.rm).post(
        f"/api/v1/releases/{release.identifier}/transitions/close/", {}, format="json"
    )
    assert response.status_code == 409
    assert "not possible from there" in response.json()["detail"]


def test_deployment_tasks_are_added_and_done_by_their_assignee(cast, release, make_user):
    from deployments.models import DeploymentTask

    walk_to(cast, release, "kickoff")
    cust = cast.cust
    cast.ok(
        cast.act(
            cast.dc,
            release,
            "add-task",
            {
                "title": "Business acceptance of the plan",
                "owner_party": "a3-cust",
                "assignee": cust.username,
                "due_date": "2027-02-01",
            },
            multipart=False,
        ),
        201,
    )
    task = DeploymentTask.objects.get(title="Business acceptance of the plan")
    outsider = make_user("infra", "ITSM Infrastructure Manager")
    response = cast.act(
        outsider,
        release,
        "add-task",
        {"title": "x", "owner_party": "a3-cust", "due_date": "2027-02-01"},
        multipart=False,
    )
    assert response.status_code == 403
    stranger = make_user("exc", "DG TAXUD A3/Exc")  # holds no party on this release
    response = cast.act(
        cast.dc,
        release,
        "add-task",
        {
            "title": "x",
            "owner_party": "a3-cust",
            "assignee": stranger.username,
            "due_date": "2027-02-01",
        },
        multipart=False,
    )
    assert response.status_code == 400
    assert "assignee" in response.json()
    cast.ok(cast.act(cust, release, "complete-task", {"task": task.pk}, multipart=False), 201)
    task.refresh_from_db()
    assert task.status == "done"
    response = cast.act(cust, release, "complete-task", {"task": task.pk}, multipart=False)
    assert response.status_code == 400  # no longer an open task
