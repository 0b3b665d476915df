"""Activity pages, decision pages and the start page in the browser's terms (HTTP client):
who sees which form, 403/404, query counts that do not grow."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from releasemgmt.notifications.models import Communication, Recipient
from tests.lifecycle import upload, walk_to
from tests.start import start_page


def count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


def test_activity_page_shows_the_form_only_to_r_and_a(client, cast, make_release, make_user):
    release = make_release()
    path = f"/releases/{release.identifier}/activities/RM.1.3/"
    client.force_login(cast.rm)
    assert "Initialise the deployment plan" in client.get(path).content.decode()
    client.force_login(cast.desk)
    page = client.get(path).content.decode()
    assert 'name="components"' not in page
    assert "Only the parties Responsible or Accountable" in page
    assert client.post(path, {"option": "big_bang"}).status_code == 403
    exc = make_user("exc", "DG TAXUD A3/Exc")
    client.force_login(exc)
    assert client.get(path).status_code == 404


def test_web_form_errors_and_conflicts(client, cast, make_release):
    release = make_release()
    client.force_login(cast.rm)
    base = f"/releases/{release.identifier}/activities/"
    response = client.post(base + "RM.1.4/", {})
    assert response.status_code == 409
    assert "RM.1.3 Initialise Deployment Plan" in response.content.decode()
    response = client.post(
        base + "RM.1.3/",
        {
            "option": "big_bang",
            "summary": "x",
            "components": "bad",
            "last_known_good_build": "1",
            "rollback_procedure": "x",
        },
    )
    assert response.status_code == 400
    assert "Line 1: write" in response.content.decode()
    response = client.post(
        base + "RM.1.3/",
        {
            "option": "big_bang",
            "summary": "x",
            "components": "core 1.0",
            "last_known_good_build": "0.9",
            "rollback_procedure": "x",
        },
    )
    assert response.status_code == 302


def test_business_thread_sees_and_records_the_decision_it_owes(
    client, cast, make_release, approved_rfc
):
    release = make_release(threads=["a3-cust"])
    from changes.services import include_rfc

    include_rfc(release, by=cast.rm, rfc=approved_rfc)
    walk_to(cast, release, "acceptance")
    cast.ok(
        cast.act(
            cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload("psat.pdf")}
        ),
        201,
    )
    client.force_login(cast.cust)
    start = start_page(client)
    assert "Decisions your thread owes" in start
    assert f"/releases/{release.identifier}/decisions/psat/" in start
    response = client.post(
        f"/releases/{release.identifier}/decisions/psat/",
        {"business_thread": "a3-cust", "verdict": "go"},
    )
    assert response.status_code == 302
    assert "No decision is owed" in client.get("/approvals/").content.decode()
    # The pSAT report mail went to the thread, with the link to the decision form.
    comm = Communication.objects.get(release=release, interface="pSAT report")
    assert comm.link == f"/releases/{release.identifier}/decisions/psat/"
    assert Recipient.objects.filter(communication=comm, user=cast.cust).exists()


def test_informed_parties_get_a_notice_when_an_activity_is_done(cast, make_release, make_user):
    from deployments import services

    release = make_release()
    make_user("amy", "ITSM Application Manager")
    services.initialise_deployment_plan(
        release,
        by=cast.rm,
        option="big_bang",
        summary="x",
        components="core 1.0",
        last_known_good_build="0.9",
        rollback_procedure="x",
    )
    notice = Communication.objects.get(release=release, activity="RM.1.3", kind="informed")
    recipients = set(notice.recipients.values_list("user__username", flat=True))
    assert {"dave", "amy"} <= recipients  # DC and application manager are I for RM.1.3
    assert "rita" not in recipients


def test_release_activity_and_start_pages_have_constant_queries(
    client, cast, make_release, approved_rfc
):
    from changes.services import include_rfc

    release = make_release(threads=["a3-cust"])
    include_rfc(release, by=cast.rm, rfc=approved_rfc)
    walk_to(cast, release, "receiving")
    paths = [
        "/",
        f"/releases/{release.identifier}/",
        f"/releases/{release.identifier}/activities/RM.2.1/",
        f"/releases/{release.identifier}/activities/RM.3.1/",
    ]
    client.force_login(cast.dc)
    start = start_page(client)
    assert "RM.2.1 Verify release consistency" in start  # waiting for the coordinator
    assert "RM.1.4" not in start  # done
    before = [count(client, p) for p in paths]
    walk_to(cast, release, "kickoff", start="receiving")
    for _ in range(5):
        make_release(threads=["a3-cust"])
    client.force_login(cast.dc)
    assert [count(client, p) for p in paths] == before


def test_release_page_offers_cancellation_to_the_release_manager_only(client, cast, make_release):
    release = make_release()
    path = f"/releases/{release.identifier}/"
    client.force_login(cast.dc)
    assert "Cancel the release" not in client.get(path).content.decode()
    assert client.post(path + "transitions/cancel/", {"reason": "x"}).status_code == 403
    client.force_login(cast.rm)
    assert "Cancel the release" in client.get(path).content.decode()
    response = client.post(path + "transitions/cancel/", {"reason": ""}, follow=True)
    assert "Say why." in response.content.decode()
    client.post(path + "transitions/cancel/", {"reason": "Merged into 3.3.0"})
    release.refresh_from_db()
    assert release.stage == "cancelled"
