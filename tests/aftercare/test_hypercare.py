"""Hypercare after go-live (issue 14 point 1; seed 002 section 5, seed 003 early life
support): started by RM.6.5, incidents recorded by the parties that operate the release
and read by everyone on it, exit criteria checked, closed by the release manager with
why."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftercare.models import Hypercare
from releasemgmt.audit.models import AuditEntry
from releases import policy
from tests.lifecycle import install, walk_to
from tests.start import start_page

INCIDENT = {
    "reference": "INC-2027-0042",
    "title": "Declarations slow after go-live",
    "priority": "P2",
    "major": False,
    "caused_by_release": "yes",
    "opened_at": f"{timezone.localtime() - datetime.timedelta(hours=3):%Y-%m-%dT%H:%M}",
}


def hypercare_url(release, tail=""):
    return f"/api/v1/releases/{release.identifier}/hypercare/{tail}"


def record(cast, user, release, **changes):
    return cast.api(user).post(
        hypercare_url(release, "incidents/"), INCIDENT | changes, format="json"
    )


def test_go_live_starts_hypercare_for_as_long_as_the_type_or_the_policy_says(
    cast, live_release, application
):
    release = live_release()
    hypercare = Hypercare.objects.get(release=release)
    assert hypercare.days == 7  # a minor release
    assert hypercare.ends_at - hypercare.started_at == datetime.timedelta(days=7)
    assert AuditEntry.objects.filter(release=release, action="hypercare_started").exists()

    policy.save_policy(application, by=cast.rm, hypercare_days=3)
    other = live_release()
    assert Hypercare.objects.get(release=other).days == 3

    state = cast.ok(cast.api(cast.cust).get(hypercare_url(other)))
    assert state["hypercare"]["days"] == 3
    assert [c["met"] for c in state["criteria"]] == [False, True, True]


def test_before_go_live_there_is_no_hypercare_and_no_incident(cast, release_at):
    release = release_at("installation")
    assert cast.ok(cast.api(cast.cust).get(hypercare_url(release)))["hypercare"] is None
    response = record(cast, cast.dc, release)
    assert response.status_code == 409
    assert response.json()["missing"] == ["RM.6.5 Publish successful installation"]


def test_the_operating_parties_record_incidents_and_the_thread_reads_them(
    cast, live_release, make_user
):
    release = live_release()
    desk_response = record(cast, cast.desk, release, reference="INC-1", priority="P4")
    assert desk_response.status_code == 201, desk_response.json()
    incident = cast.ok(record(cast, cast.dc, release), 201)
    assert incident["blocks_exit"] is True
    assert incident["recorded_by"] == cast.dc.username

    refused = record(cast, cast.cust, release, reference="INC-2")
    assert refused.status_code == 403

    again = record(cast, cast.dc, release, reference="inc-2027-0042")
    assert again.status_code == 400
    assert "reference" in again.json()
    bad = record(cast, cast.dc, release, reference="INC 42; drop")
    assert bad.status_code == 400
    assert "reference" in bad.json()
    backwards = record(cast, cast.dc, release, reference="INC-3", resolved_at="2020-03-15T09:00")
    assert backwards.status_code == 400
    assert "resolved_at" in backwards.json()

    state = cast.ok(cast.api(cast.cust).get(hypercare_url(release)))
    assert [i["reference"] for i in state["incidents"]] == ["INC-2027-0042", "INC-1"] or [
        i["reference"] for i in state["incidents"]
    ] == ["INC-1", "INC-2027-0042"]
    assert state["may_record"] is False
    assert state["may_close"] is False

    stranger = make_user("tax", "DG TAXUD A3/Tax")
    assert cast.api(stranger).get(hypercare_url(release)).status_code == 404
    assert record(cast, stranger, release, reference="INC-9").status_code == 404
    assert AuditEntry.objects.filter(release=release, action="incident_recorded").count() == 2


def test_hypercare_closes_on_its_criteria_or_with_a_reason_for_going_ahead(cast, live_release):
    release = live_release()
    cast.ok(record(cast, cast.dc, release, priority="P1", major=True), 201)

    assert (
        cast.api(cast.dc).post(hypercare_url(release, "close/"), {"reason": "Stable"}).status_code
        == 403
    )
    refused = cast.api(cast.rm).post(hypercare_url(release, "close/"), {"reason": "Stable"})
    assert refused.status_code == 409
    missing = refused.json()["missing"]
    assert any("period" in m for m in missing)
    assert any("INC-2027-0042" in m for m in missing)
    assert not Hypercare.objects.get(release=release).closed_at

    resolved = cast.api(cast.dc).post(hypercare_url(release, "incidents/INC-2027-0042/resolve/"))
    assert cast.ok(resolved)["resolved_at"]
    still = cast.api(cast.rm).post(hypercare_url(release, "close/"), {"reason": "Stable"})
    assert still.status_code == 409
    assert len(still.json()["missing"]) == 1

    closed = cast.ok(
        cast.api(cast.rm).post(
            hypercare_url(release, "close/"),
            {"reason": "Stable for two days", "override_reason": "The threads agree"},
        )
    )
    assert closed["hypercare"]["is_open"] is False
    assert closed["hypercare"]["closed_by"] == cast.rm.username
    assert closed["hypercare"]["override_reason"] == "The threads agree"
    assert any("Hypercare closed" in m["what"] for m in closed["timeline"])
    after = record(cast, cast.dc, release, reference="INC-LATE")
    assert after.status_code == 409


def test_a_hypercare_whose_period_is_over_closes_without_a_reason_to_override(cast, live_release):
    release = live_release()
    Hypercare.objects.filter(release=release).update(ends_at=timezone.now())
    closed = cast.api(cast.rm).post(hypercare_url(release, "close/"), {"reason": "Quiet week"})
    assert cast.ok(closed)["hypercare"]["unmet_at_close"] == []


def test_the_hypercare_page_records_incidents_and_keeps_the_input_on_refusal(
    client, cast, live_release
):
    release = live_release()
    page = f"/releases/{release.identifier}/hypercare/"
    client.force_login(cast.dc)
    body = {**INCIDENT, "major": "on", "reference": "bad reference!"}
    refused = client.post(f"{page}incidents/", body)
    assert refused.status_code == 400
    text = refused.content.decode()
    assert "Declarations slow after go-live" in text
    assert "Letters, digits" in text

    done = client.post(f"{page}incidents/", {**INCIDENT, "major": "on"})
    assert done.status_code == 302
    shown = client.get(page).content.decode()
    assert "INC-2027-0042" in shown
    assert "Record an incident" in shown
    assert "Close hypercare" not in shown  # the coordinator does not close it

    section = client.get(page, headers={"HX-Request": "true"}).content.decode()
    assert section.startswith('<section id="hypercare"')

    client.force_login(cast.rm)
    refused = client.post(f"{page}close/", {"reason": "Early"})
    assert refused.status_code == 409
    assert "Early" in refused.content.decode()

    client.force_login(cast.cust)
    read = client.get(page).content.decode()
    assert "INC-2027-0042" in read
    assert "Record an incident" not in read


def test_the_hypercare_page_reads_in_constant_queries(client, cast, live_release):
    release = live_release()
    page = f"/releases/{release.identifier}/hypercare/"
    client.force_login(cast.rm)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(page).status_code == 200
        return len(ctx.captured_queries)

    count()
    few = count()
    for n in range(6):
        cast.ok(record(cast, cast.dc, release, reference=f"INC-{n}", priority="P3"), 201)
    assert count() == few


def test_the_start_page_lists_open_incidents_for_who_operates_the_release(
    client, cast, live_release
):
    release = live_release()
    cast.ok(record(cast, cast.dc, release, major=True), 201)
    client.force_login(cast.desk)
    page = start_page(client)
    assert "Open incidents in hypercare" in page
    assert "INC-2027-0042" in page
    Hypercare.objects.filter(release=release).update(ends_at=timezone.now())
    assert "late" in start_page(client)

    client.force_login(cast.cust)
    assert "Open incidents in hypercare" not in start_page(client)


def test_a_move2run_item_carried_into_hypercare_holds_its_exit_until_done(
    cast, make_release, approved_rfc
):
    """Seed 002 section 3: a low item may be carried into hypercare; its owner confirms
    it there, and hypercare's exit criteria wait for it."""
    release = make_release(threads=["a3-cust"])
    include = {"rfc": approved_rfc.reference}
    cast.ok(cast.act(cast.rm, release, "include-rfc", include, multipart=False), 201)
    walk_to(cast, release, "installation")
    checklist = f"/api/v1/releases/{release.identifier}/checklist/"
    items = cast.ok(cast.api(cast.dc).get(checklist))["items"]
    (low,) = [i for i in items if i["priority"] == "low"]
    cast.ok(
        cast.api(cast.dc).post(
            f"{checklist}{low['id']}/carry/", {"reason": "After go-live"}, format="json"
        )
    )
    install(cast, release, successful=True)
    cast.ok(cast.perform(cast.dc, release, "RM.6.5"))

    state = cast.ok(cast.api(cast.rm).get(hypercare_url(release)))
    carried = [c for c in state["criteria"] if "carried" in c["name"]]
    assert [(c["met"], low["title"] in c["detail"]) for c in carried] == [(False, True)]
    refused = cast.api(cast.rm).post(hypercare_url(release, "close/"), {"reason": "Stable"})
    assert any("carried" in m for m in refused.json()["missing"])

    assert cast.api(cast.rm).post(
        f"{checklist}{low['id']}/confirm/", {"evidence_note": "Done"}, format="json"
    ).status_code in (403, 404)
    done = cast.api(cast.desk).post(
        f"{checklist}{low['id']}/confirm/", {"evidence_note": "KB-1234 published"}, format="json"
    )
    assert cast.ok(done)
    state = cast.ok(cast.api(cast.rm).get(hypercare_url(release)))
    assert [c["met"] for c in state["criteria"] if "carried" in c["name"]] == [True]
