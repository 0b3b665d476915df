"""The living deployment plan: the items of BS 15000-2 9.3 and what is missing of them
(RM.1.4 refuses to publish until none is), revisions with their reasons by the holders
of RM.1.3, RM.3.1 and RM.6.7, their comparison, and the phased deployment installed phase
by phase at RM.6.3; through the pages and the API."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from deployments.models import DeploymentPlan
from releasemgmt.audit.models import AuditEntry
from releases.models import ActivityRecord
from tests.lifecycle import PLAN, PLAN_ITEMS, make_ready, upload, walk_to

#: RM.1.3 as a release manager in a hurry does it: no item of section 9.3 but the back-out
BARE_PLAN = {k: v for k, v in PLAN.items() if k not in PLAN_ITEMS}
PHASED = PLAN | {
    "option": "phased",
    "phases": "Wave 1 | BE, NL, LU | 2027-03-15\nWave 2 | DE, FR | 2027-03-22",
}


def revision_of(release, **changes):
    """A whole revision as the form sends it: the plan as it stands with ``changes``."""
    plan = DeploymentPlan.objects.get(release=release)
    data = {"option": plan.option, "summary": plan.summary, **(plan.items or {})}
    data["risks"] = "\n".join(
        f"{r.description} | {r.owner} | {r.mitigation}" for r in plan.risks.all()
    )
    data["phases"] = "\n".join(
        f"{p.name} | {p.target} | {p.planned_date.isoformat()}" for p in plan.phases.all()
    )
    return data | changes


def planned(cast, release_at_planning, plan=BARE_PLAN):
    cast.ok(cast.perform(cast.rm, release_at_planning, "RM.1.3", plan))
    return release_at_planning


def test_a_plan_missing_items_is_not_published_and_says_what_it_lacks(
    client, api, cast, release_at
):
    release = planned(cast, release_at("planning"))
    refused = cast.perform(cast.rm, release, "RM.1.4")
    assert refused.status_code == 409
    missing = refused.json()["missing"]
    assert "Release sign-off" not in missing  # the label is the plan's own
    assert "Sign-off" in missing
    assert "Logistics" in missing
    assert any(m.startswith("Dependencies and risks") for m in missing)
    assert "Back-out" not in missing  # taken from the rollback procedure
    body = cast.ok(api(cast.cust).get(f"/api/v1/releases/{release.identifier}/plan/"))
    assert body["missing"] == missing
    assert body["revision"] == 1

    # the release page's deployment section, the plan page and RM.1.4's page name them
    client.force_login(cast.rm)
    section = client.get(
        f"/releases/{release.identifier}/deployment-plan/", headers={"HX-Request": "true"}
    ).content.decode()
    assert 'id="plan-missing"' in section
    assert "Sign-off" in section
    assert "RM.1.4 publishes only a complete plan" in section
    assert (
        f"/releases/{release.identifier}/deployment-plan/"
        in client.get(f"/releases/{release.identifier}/").content.decode()
    )
    page = client.post(f"/releases/{release.identifier}/activities/RM.1.4/", {})
    assert page.status_code == 409
    text = page.content.decode()
    assert "lacks items of BS 15000-2 9.3" in text
    assert 'id="plan-missing"' in text

    # the coordinator completes it, with a reason: nothing is missing, RM.1.4 publishes
    client.force_login(cast.dc)
    done = client.post(
        f"/releases/{release.identifier}/deployment-plan/revise/",
        revision_of(release, reason="Completed with the threads", based_on=1, **PLAN_ITEMS),
    )
    assert done.status_code == 302
    assert "from=1&to=2" in done["Location"]
    body = cast.ok(api(cast.rm).get(f"/api/v1/releases/{release.identifier}/plan/"))
    assert body["missing"] == []
    assert body["revision"] == 2
    assert body["risks"][0]["owner"] == "DBA team"
    cast.ok(cast.perform(cast.rm, release, "RM.1.4"))
    entry = AuditEntry.objects.filter(release=release, action="deployment_plan_revised").get()
    assert entry.changes["reason"][1] == "Completed with the threads"


def test_a_revision_needs_a_reason_and_a_holder_of_the_plan(
    client, api, cast, release_at, make_user
):
    release = planned(cast, release_at("planning"), PLAN)
    path = f"/releases/{release.identifier}/deployment-plan/revise/"
    client.force_login(cast.dc)
    assert 'name="reason"' in client.get(path).content.decode()
    refused = client.post(path, revision_of(release, summary="Kept as typed", reason=" "))
    assert refused.status_code == 400
    assert "Kept as typed" in refused.content.decode()
    assert DeploymentPlan.objects.get(release=release).revisions.count() == 1

    # the business thread reads the plan, and may not revise it
    client.force_login(cast.cust)
    assert client.get(f"/releases/{release.identifier}/deployment-plan/").status_code == 200
    assert client.get(path).status_code == 403
    denied = api(cast.cust).post(
        f"/api/v1/releases/{release.identifier}/plan/revisions/",
        revision_of(release, reason="Mine"),
        format="json",
    )
    assert denied.status_code == 403
    # another thread does not see the release at all
    client.force_login(make_user("exc", "DG TAXUD A3/Exc"))
    assert client.get(f"/releases/{release.identifier}/deployment-plan/").status_code == 404

    # the API names the field, and refuses a revision of a revision made meanwhile
    url = f"/api/v1/releases/{release.identifier}/plan/revisions/"
    bad = api(cast.dc).post(url, revision_of(release, reason=""), format="json")
    assert bad.status_code == 400
    assert "reason" in bad.json()
    first = api(cast.dc).post(url, revision_of(release, reason="A", based_on=1), format="json")
    assert cast.ok(first, 201)["number"] == 2
    stale = api(cast.rm).post(url, revision_of(release, reason="B", based_on=1), format="json")
    assert stale.status_code == 409
    assert "Revision 2" in stale.json()["detail"]
    bad_risk = api(cast.dc).post(
        url, revision_of(release, reason="R", risks="no owner"), format="json"
    )
    assert bad_risk.status_code == 400
    assert "risks" in bad_risk.json()
    no_phase = api(cast.dc).post(
        url, revision_of(release, reason="P", option="phased"), format="json"
    )
    assert no_phase.status_code == 400
    assert "phases" in no_phase.json()


def test_two_revisions_compared_field_by_field_and_row_by_row(client, api, cast, release_at):
    release = planned(cast, release_at("planning"), PLAN)
    url = f"/api/v1/releases/{release.identifier}/plan/revisions/"
    cast.ok(
        api(cast.dc).post(
            url,
            revision_of(
                release,
                reason="Second wave for the larger states",
                option="phased",
                phases="Wave 1 | BE | 2027-03-15\nWave 2 | DE, FR | 2027-03-22",
                logistics="Two shipping dates",
                risks=PLAN_ITEMS["risks"] + "\nA state is not ready | Member state desk | Move "
                "it to wave 2",
            ),
            format="json",
        ),
        201,
    )
    body = cast.ok(api(cast.cust).get(f"/api/v1/releases/{release.identifier}/plan/compare/"))
    assert body["first"]["number"] == 1
    assert body["second"]["number"] == 2
    changes = {(c["kind"], c["key"]): c for c in body["changes"]}
    assert changes[("field", "option")]["before"] == "big_bang"
    assert changes[("field", "logistics")]["after"] == "Two shipping dates"
    assert changes[("phase", "Wave 2")]["change"] == "added"
    assert changes[("risk", "A state is not ready")]["change"] == "added"
    assert ("risk", "Database migration overruns") not in changes  # unchanged
    revisions = cast.ok(api(cast.cust).get(url))
    assert [r["number"] for r in revisions] == [2, 1]
    assert revisions[0]["reason"] == "Second wave for the larger states"

    client.force_login(cast.cust)
    page = client.get(f"/releases/{release.identifier}/deployment-plan/compare/?from=1&to=2")
    text = page.content.decode()
    assert page.status_code == 200
    assert "Two shipping dates" in text
    assert "Wave 2" in text
    assert (
        client.get(
            f"/releases/{release.identifier}/deployment-plan/compare/?from=1&to=9"
        ).status_code
        == 400
    )
    assert (
        client.get(f"/releases/{release.identifier}/deployment-plan/compare/?from=x").status_code
        == 400
    )
    missing = api(cast.cust).get(f"/api/v1/releases/{release.identifier}/plan/compare/?to=7")
    assert missing.status_code == 400
    assert "to" in missing.json()


def test_the_kick_off_and_the_closure_keep_their_revisions(cast, release_at):
    release = release_at("acceptance")
    plan = DeploymentPlan.objects.get(release=release)
    assert [(r.number, r.activity) for r in plan.revisions.all()] == [(1, "RM.1.3"), (2, "RM.3.1")]
    assert plan.revisions.get(number=2).content["tasks"][0]["title"] == "Prepare servers"


def test_a_phased_deployment_goes_live_with_its_last_phase(client, api, cast, release_at):
    release = release_at("planning")
    cast.ok(cast.perform(cast.rm, release, "RM.1.3", PHASED))
    cast.ok(cast.perform(cast.rm, release, "RM.1.4"))
    walk_to(cast, release, "installation", start="receiving")
    ok, p = cast.ok, cast.perform
    ok(p(cast.dc, release, "RM.6.1", {"message": "Downtime", "disruption": "2 hours"}))
    make_ready(cast, release)
    ok(p(cast.dc, release, "RM.6.2", {"start_at": "2027-03-15T20:00"}))
    phases = cast.ok(api(cast.dc).get(f"/api/v1/releases/{release.identifier}/plan/"))["phases"]
    assert [ph["name"] for ph in phases] == ["Wave 1", "Wave 2"]

    def report(phase=None, successful=True):
        data = {"file": upload("wave.pdf"), "successful": successful, "assessment": "Green"}
        return p(
            cast.dc, release, "RM.6.3", data | ({"phase": phase} if phase else {}), multipart=True
        )

    unnamed = report()
    assert unnamed.status_code == 400
    assert "phase" in unnamed.json()
    ok(report(phases[0]["id"]))
    status = lambda: ActivityRecord.objects.get(release=release, activity__code="RM.6.3").status  # noqa: E731
    assert status() == "pending"
    again = report(phases[0]["id"])
    assert again.status_code == 409
    assert "Wave 1" in again.json()["detail"]
    now = cast.ok(api(cast.cust).get(f"/api/v1/releases/{release.identifier}/plan/"))["phases"]
    assert [ph["installed"] for ph in now] == [True, False]

    client.force_login(cast.dc)
    page = client.get(f"/releases/{release.identifier}/activities/RM.6.3/").content.decode()
    assert "Phased deployment" in page
    assert 'id="phase-1"' in page
    # a phase reported on stays in the plan
    kept = api(cast.dc).post(
        f"/api/v1/releases/{release.identifier}/plan/revisions/",
        revision_of(release, reason="Drop wave 1", phases="Wave 2 | DE | 2027-03-22"),
        format="json",
    )
    assert kept.status_code == 400
    assert "Wave 1" in kept.json()["phases"][0]

    ok(report(phases[1]["id"]))
    assert status() == "done"
    done = ActivityRecord.objects.get(release=release, activity__code="RM.6.3")
    assert done.outcome == "success"
    assert ActivityRecord.objects.get(release=release, activity__code="RM.6.4").status == (
        "not_applicable"
    )
    assert (
        AuditEntry.objects.filter(release=release, action="phase_installation_assessed").count()
        == 2
    )


def test_a_big_bang_takes_no_phase(cast, release_in_installation):
    release = release_in_installation
    ok, p = cast.ok, cast.perform
    ok(p(cast.dc, release, "RM.6.1", {"message": "Downtime", "disruption": "2 hours"}))
    make_ready(cast, release)
    ok(p(cast.dc, release, "RM.6.2", {"start_at": "2027-03-15T20:00"}))
    data = {"file": upload("r.pdf"), "successful": True, "assessment": "Green", "phase": 1}
    refused = p(cast.dc, release, "RM.6.3", data, multipart=True)
    assert refused.status_code == 400
    assert "phase" in refused.json()
    data.pop("phase")
    data["file"] = upload("r.pdf")
    ok(p(cast.dc, release, "RM.6.3", data, multipart=True))
    assert ActivityRecord.objects.get(release=release, activity__code="RM.6.3").status == "done"


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_plan_pages_take_the_same_queries_however_long_the_history(
    api, client, cast, release_at
):
    release = planned(cast, release_at("planning"), PHASED)
    pages = [
        f"/releases/{release.identifier}/deployment-plan/",
        f"/releases/{release.identifier}/deployment-plan/compare/?from=1&to=2",
        f"/api/v1/releases/{release.identifier}/plan/",
        f"/api/v1/releases/{release.identifier}/plan/revisions/",
        f"/api/v1/releases/{release.identifier}/plan/compare/",
    ]
    url = f"/api/v1/releases/{release.identifier}/plan/revisions/"

    def revise(n):
        risks = "\n".join(f"Risk {i} | Owner {i} | Mitigation {i}" for i in range(n))
        cast.ok(
            api(cast.dc).post(
                url, revision_of(release, reason=f"R{n}", risks=risks), format="json"
            ),
            201,
        )

    revise(1)
    client.force_login(cast.dc)
    before = [_queries(client, path) for path in pages]
    for n in range(2, 8):
        revise(n)
    after = [_queries(client, path) for path in pages]
    assert after == before
    assert max(after) <= 20
