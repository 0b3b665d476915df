"""A cast of people and helpers to drive a release through the API."""

from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from changes.models import RfC


def upload(name="report.pdf", content=b"%PDF-1.4 test report"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@dataclass
class Cast:
    rm: object
    dc: object
    cust: object
    desk: object
    campaign: object
    api: object

    def client(self, user):
        return self.api(user)

    def perform(self, user, release, code, data=None, multipart=False):
        return self.api(user).post(
            f"/api/v1/releases/{release.identifier}/activities/{code}/",
            data or {},
            format="multipart" if multipart else "json",
        )

    def act(self, user, release, slug, data, multipart=True):
        return self.api(user).post(
            f"/api/v1/releases/{release.identifier}/actions/{slug}/",
            data,
            format="multipart" if multipart else "json",
        )

    def decide(self, user, release, kind, verdict="go", **extra):
        data = {"kind": kind, "business_thread": "a3-cust", "verdict": verdict, **extra}
        return self.api(user).post(
            f"/api/v1/releases/{release.identifier}/decisions/", data, format="multipart"
        )

    def ok(self, response, status=200):
        assert response.status_code == status, response.json()
        return response.json()


@pytest.fixture
def cast(make_user, release_manager, coordinator, api):
    return Cast(
        rm=release_manager,
        dc=coordinator,
        cust=make_user("cust", "DG TAXUD A3/Cust", first_name="Carla", last_name="Cust"),
        desk=make_user("desk", "ITSM Service Desk"),
        campaign=make_user("camille", "ITSM Campaign Coordinator"),
        api=api,
    )


@pytest.fixture
def approved_rfc(release_manager):
    return RfC.objects.create(
        reference="RFC-100",
        title="New export rules",
        status=RfC.Status.APPROVED,
        cab_decision=RfC.CabDecision.APPROVED,
        created_by=release_manager,
    )


def walk_to(cast, release, target: str):
    """Drive ``release`` (roles assigned, an approved RfC included) through the API up to
    the start of stage ``target``: receiving, kickoff, acceptance, authorisation,
    installation."""
    ok, p, a = cast.ok, cast.perform, cast.act
    ok(
        p(
            cast.rm,
            release,
            "RM.1.3",
            {
                "option": "big_bang",
                "summary": "One go",
                "components": "ecs-core 3.2.0\necs-web 3.2.0",
                "last_known_good_build": "ecs 3.1.7",
                "rollback_procedure": "Redeploy 3.1.7",
            },
        )
    )
    ok(p(cast.rm, release, "RM.1.4"))
    if target == "receiving":
        return
    ok(p(cast.dc, release, "RM.2.1", {"plan_completed": True, "documents_present": True}))
    delivered = [c.pk for c in release.deployment_plan.components.all()]
    ok(p(cast.dc, release, "RM.2.2", {"delivered": delivered}))
    for name in ("ecs-core", "ecs-web"):
        ok(
            a(
                cast.rm,
                release,
                "store-component",
                {"name": name, "version": "3.2.0", "file": upload(f"{name}.jar", b"PK jar")},
            ),
            201,
        )
    ok(p(cast.rm, release, "RM.2.3"))
    ok(
        a(
            cast.dc,
            release,
            "store-document",
            {"title": "Installation guide", "kind": "installation", "file": upload("guide.pdf")},
        ),
        201,
    )
    ok(p(cast.dc, release, "RM.2.4"))
    if target == "kickoff":
        return
    ok(
        a(
            cast.dc,
            release,
            "add-task",
            {
                "title": "Prepare servers",
                "owner_party": "itsm-infrastructure-manager",
                "due_date": "2027-02-01",
            },
            multipart=False,
        ),
        201,
    )
    ok(p(cast.dc, release, "RM.3.1", {"scheduled_at": "2027-01-20T10:00", "agenda": "Plan"}))
    ok(p(cast.dc, release, "RM.3.2", {"decisions": "Go ahead", "plan_approved": True}))
    ok(p(cast.dc, release, "RM.3.3", {"file": upload("env.pdf"), "accepted": True}, multipart=True))
    if target == "acceptance":
        return
    ok(a(cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload("psat.pdf")}), 201)
    ok(cast.decide(cast.cust, release, "psat"), 201)
    ok(p(cast.dc, release, "RM.4.1"))
    ok(a(cast.dc, release, "submit-test-report", {"kind": "sat", "file": upload("sat.pdf")}), 201)
    ok(cast.decide(cast.cust, release, "sat"), 201)
    ok(p(cast.dc, release, "RM.4.2"))
    if target == "authorisation":
        return
    ok(
        a(
            cast.dc,
            release,
            "submit-installation-plan",
            {
                "file": upload("install.pdf"),
                "release_notes": "New rules",
                "planned_start": "2027-02-10T20:00",
            },
        ),
        201,
    )
    ok(cast.decide(cast.cust, release, "installation_plan"), 201)
    ok(p(cast.dc, release, "RM.5.1"))
    ok(cast.decide(cast.cust, release, "authorisation"), 201)
    ok(p(cast.dc, release, "RM.5.2"))
