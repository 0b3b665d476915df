"""An application's release policy (issue 12 point 7), on the pages and through the API:
the release manager sets it; a release that breaks a rule that warns asks for a reason
(kept, audited, shown on the release page), one that breaks a rule that refuses is
refused on the field; the version pattern is a safe little language, never a regular
expression of the user's; the list answers in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from releasemgmt.audit.models import AuditEntry
from releases import planning, policy
from releases.models import Application, PolicyBreach, Release, ReleasePolicy
from tests.conftest import party

pytestmark = pytest.mark.django_db


def later(days):
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def strict(release_manager, application):
    return policy.save_policy(
        application,
        by=release_manager,
        allowed_types=["major", "minor"],
        types_on_breach="refuse",
        version_pattern="N.N.N",
        version_on_breach="refuse",
        lead_days=10,
        lead_on_breach="warn",
        min_days_between=7,
        frequency_on_breach="warn",
    )


def body(**extra):
    return {
        "application": "ecs",
        "version": "4.0.0",
        "name": "Update",
        "release_type": "minor",
        "planned_delivery_date": later(1).isoformat(),
        "planned_installation_date": later(3).isoformat(),
        "business_threads": ["a3-cust"],
    } | extra


def test_the_release_manager_sets_a_policy_on_the_page_and_through_the_api(
    client, api, release_manager, application, make_user
):
    window = planning.save_window(
        by=release_manager,
        kind="maintenance",
        title="Saturday night",
        starts_at=datetime.datetime(2030, 1, 5, 20, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2030, 1, 5, 23, tzinfo=datetime.UTC),
        repeats_weekly=True,
        application=application,
    )
    client.force_login(release_manager)
    assert "Set a policy" in client.get("/policies/").content.decode()
    form = {
        "allowed_types": ["minor", "major"],
        "types_on_breach": "refuse",
        "version_pattern": "N.N.N",
        "version_on_breach": "refuse",
        "min_days_between": "14",
        "frequency_on_breach": "warn",
        "windows": [window.pk],
        "windows_on_breach": "warn",
        "lead_days": "5",
        "lead_on_breach": "warn",
        "default_deployment_option": "phased",
    }
    assert client.post("/policies/ecs/", form).status_code == 302
    saved = ReleasePolicy.objects.get(application=application)
    assert saved.allowed_types == ["major", "minor"]
    assert list(saved.windows.all()) == [window]
    assert "Saturday night" in client.get("/policies/").content.decode()
    # a catastrophic expression is no pattern: refused on the field, the input kept
    response = client.post("/policies/ecs/", form | {"version_pattern": "(a+)+$"})
    assert response.status_code == 400
    assert "(a+)+$" in response.content.decode()
    assert response.context["form"].errors["version_pattern"]
    response = api(release_manager).put(
        "/api/v1/policies/ecs/", {"version_pattern": "NN", "lead_days": 99999}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) >= {"version_pattern", "lead_days"}
    body_ = api(release_manager).put(
        "/api/v1/policies/ecs/", {"version_pattern": "N.N-rcN", "lead_days": 2}, format="json"
    )
    assert body_.status_code == 200
    assert body_.json()["version_pattern"] == "N.N-rcN"
    assert api(release_manager).get("/api/v1/policies/").json()[0]["application"] == "ecs"
    assert AuditEntry.objects.filter(action="policy_saved").count() == 2
    # a business thread reads, never sets
    cust = make_user("cust", "DG TAXUD A3/Cust")
    client.force_login(cust)
    assert client.get("/policies/ecs/").status_code == 403
    assert api(cust).put("/api/v1/policies/ecs/", {}, format="json").status_code == 403


def test_a_breach_that_warns_asks_for_a_reason_and_is_kept(strict, api, client, release_manager):
    rm = api(release_manager)
    response = rm.post("/api/v1/releases/", body(), format="json")
    assert response.status_code == 400
    assert "10 day(s) ahead" in response.json()["policy_reason"][0]
    assert not Release.objects.exists()
    response = rm.post("/api/v1/releases/", body(policy_reason="Legal deadline"), format="json")
    assert response.status_code == 201
    breach = PolicyBreach.objects.get()
    assert (breach.rule, breach.reason) == ("lead_time", "Legal deadline")
    assert AuditEntry.objects.filter(action="policy_breach_accepted").exists()
    client.force_login(release_manager)
    page = client.get("/releases/ECS-4.0.0/").content.decode()
    assert "Legal deadline" in page
    assert "Lead time" in page
    # revising the same date again asks nothing more; a date next to it does
    identifier = "ECS-4.0.0"
    ok = rm.patch(f"/api/v1/releases/{identifier}/", {"description": "x"}, format="json")
    assert ok.status_code == 200
    response = rm.post(
        "/api/v1/releases/",
        body(version="4.0.1", planned_installation_date=later(20).isoformat()),
        format="json",
    )
    assert response.status_code == 201  # 20 days ahead, 17 days from the other one
    response = rm.patch(
        "/api/v1/releases/ECS-4.0.1/",
        {"planned_installation_date": later(5).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "ECS-4.0.0" in response.json()["policy_reason"][0]


def test_the_formalise_page_asks_for_the_reason_keeping_the_input(
    strict, client, release_manager, application
):
    client.force_login(release_manager)
    form = body(application=application.pk, business_threads=[party("a3-cust").pk])
    response = client.post("/releases/new/", form)
    assert response.status_code == 400
    assert "Say why it goes ahead" in response.content.decode()
    assert 'value="4.0.0"' in response.content.decode()
    response = client.post("/releases/new/", form | {"policy_reason": "Audit finding"})
    assert response.status_code == 302


def test_a_breach_that_refuses_is_refused_on_its_field(strict, api, release_manager):
    rm = api(release_manager)
    response = rm.post(
        "/api/v1/releases/", body(version="4.0", policy_reason="Anyway"), format="json"
    )
    assert response.status_code == 400
    assert "N.N.N" in response.json()["version"][0]
    response = rm.post(
        "/api/v1/releases/", body(release_type="emergency", policy_reason="x"), format="json"
    )
    assert response.status_code == 400
    assert "release_type" in response.json()
    assert not Release.objects.exists()


def test_an_emergency_release_is_not_held_to_the_planning_rules(api, release_manager, strict):
    strict.allowed_types = []
    strict.save()
    response = api(release_manager).post(
        "/api/v1/releases/", body(release_type="emergency"), format="json"
    )
    assert response.status_code == 201


@pytest.mark.parametrize(
    ("pattern", "version", "matches"),
    [
        ("N.N.N", "3.2.0", True),
        ("N.N.N", "3.2", False),
        ("N.N-rcN", "3.2-rc1", True),
        ("AN", "v12", True),
        ("N.N.N", "1" * 39 + "x", False),
    ],
)
def test_the_version_pattern(pattern, version, matches):
    assert bool(policy.compile_pattern(pattern).fullmatch(version)) is matches


@pytest.mark.parametrize("pattern", ["(a+)+$", "NN", "N*", "N" * 41, "N.N\u0000", "[0-9]+"])
def test_a_pattern_that_is_not_one_is_refused(pattern):
    with pytest.raises(ValueError, match=r"."):
        policy.compile_pattern(pattern)


def test_the_policy_list_answers_in_a_fixed_number_of_queries(client, release_manager):
    client.force_login(release_manager)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/policies/").status_code == 200
        return len(ctx.captured_queries)

    for i in range(3):
        app = Application.objects.create(code=f"a{i}", name=f"App {i}")
        policy.save_policy(app, by=release_manager, version_pattern="N.N")
    few = count()
    for i in range(3, 12):
        app = Application.objects.create(code=f"a{i}", name=f"App {i}")
        policy.save_policy(app, by=release_manager, lead_days=3)
    assert count() == few
