"""A release planned into a blackout, through the pages and the API: the conflict shows
in the release page's conflicts section and in the API, RM.1.4 asks for its
acknowledgement (409 naming it), and once the release manager acknowledged it with a
reason the release is published and the change manager hears of it. The release page
itself does not run the conflict rules: its queries do not grow with them."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from releasemgmt.notifications.models import Communication
from tests.lifecycle import PLAN

pytestmark = pytest.mark.django_db

FREEZE = {
    "kind": "blackout",
    "title": "Data centre move",
    "reason": "Racks in transit",
    "starts_at": "2027-03-14T00:00",
    "ends_at": "2027-03-17T00:00",
}
INSTALLATION = {
    "kind": "installation",
    "starts_at": "2027-03-15T20:00",
    "ends_at": "2027-03-15T23:00",
    "reason": "",
}


def queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def conflicts_section(client, release):
    response = client.get(
        f"/releases/{release.identifier}/conflicts/", headers={"HX-Request": "true"}
    )
    assert response.status_code == 200
    return response.content.decode()


def test_a_release_planned_into_a_blackout_waits_for_the_acknowledgement(
    client, api, cast, make_release, make_user
):
    chris = make_user("chris", "ITSM Change Manager")
    release = make_release(planned_installation_date=datetime.date(2027, 4, 5))
    cast.ok(cast.perform(cast.rm, release, "RM.1.3", PLAN))
    page = f"/releases/{release.identifier}/"
    client.force_login(cast.rm)
    queries(client, page)
    quiet = queries(client, page)

    assert client.post("/windows/new/", FREEZE).status_code == 302
    milestones = f"/releases/{release.identifier}/milestones/"
    assert client.post(milestones, INSTALLATION).status_code == 302
    release.refresh_from_db()
    assert str(release.planned_installation_date) == "2027-03-15"

    # the release page loads its conflicts section from deployments, on demand
    assert queries(client, page) == quiet  # (and shows the messages of the last two posts)
    shown = client.get(page).content.decode()
    assert f'hx-get="/releases/{release.identifier}/conflicts/"' in shown
    assert "Data centre move" not in shown
    section = conflicts_section(client, release)
    assert "The installation falls in the blackout &#x27;Data centre move&#x27;" in section
    assert "Racks in transit" in section
    assert "Not yet" in section
    assert 'name="action" value="acknowledge-conflict"' in section  # the release manager's
    assert "<html" not in section
    assert "<html" in client.get(f"/releases/{release.identifier}/conflicts/").content.decode()
    client.force_login(cast.cust)
    theirs = conflicts_section(client, release)
    assert "Data centre move" in theirs
    assert "acknowledge-conflict" not in theirs  # a business thread reads, no more

    [finding] = cast.ok(api(cast.cust).get(f"/api/v1/releases/{release.identifier}/conflicts/"))
    assert (finding["rule"], finding["acknowledged"], finding["reason"]) == (
        "blackout",
        False,
        None,
    )
    assert finding["key"].startswith("blackout:")
    assert "Data centre move" in finding["message"]

    # RM.1.4 is refused, naming the conflict
    client.force_login(cast.rm)
    rm_1_4 = f"/releases/{release.identifier}/activities/RM.1.4/"
    refused = client.post(rm_1_4, {})
    assert refused.status_code == 409
    assert "Acknowledge each conflict with a reason first" in refused.content.decode()
    assert "Data centre move" in refused.content.decode()

    # acknowledged from the conflicts section's form (posted to RM.1.4's page)
    acknowledge = {"action": "acknowledge-conflict", "key": finding["key"], "reason": " "}
    no_reason = client.post(rm_1_4, acknowledge)
    assert no_reason.status_code == 400
    assert finding["key"] in no_reason.content.decode()  # what was sent comes back
    acknowledge["reason"] = "The move ends on Sunday evening"
    assert client.post(rm_1_4, acknowledge).status_code == 302
    [finding] = cast.ok(api(cast.rm).get(f"/api/v1/releases/{release.identifier}/conflicts/"))
    assert finding["acknowledged"] is True
    assert finding["acknowledged_by"] == cast.rm.username
    assert finding["reason"] == "The move ends on Sunday evening"
    assert finding["acknowledged_at"]
    section = conflicts_section(client, release)
    assert "The move ends on Sunday evening" in section
    assert "acknowledge-conflict" not in section

    assert client.post(rm_1_4, {}).status_code == 302
    release.refresh_from_db()
    assert release.published_at is not None
    mail = Communication.objects.get(release=release, interface="Release Plan")
    assert chris in [r.user for r in mail.recipients.all()]
    assert "The move ends on Sunday evening" in mail.body
    # published: nothing more to acknowledge, and the plan has its baseline
    assert "acknowledge-conflict" not in conflicts_section(client, release)
    plan = cast.ok(api(cast.rm).get(f"/api/v1/releases/{release.identifier}/milestones/"))
    assert all(m["baseline_starts_at"] for m in plan)


def test_the_conflicts_of_another_threads_release_are_404(client, api, make_release, make_user):
    release = make_release(threads=("a3-cust",))
    exc = make_user("exc", "DG TAXUD A3/Exc")
    client.force_login(exc)
    assert client.get(f"/releases/{release.identifier}/conflicts/").status_code == 404
    response = api(exc).get(f"/api/v1/releases/{release.identifier}/conflicts/")
    assert response.status_code == 404
    assert client.post(f"/releases/{release.identifier}/conflicts/").status_code == 405


def test_no_conflict_says_so(client, cast, make_release):
    release = make_release()
    client.force_login(cast.cust)
    assert "None: no other installation" in conflicts_section(client, release)
    assert (
        cast.ok(cast.api(cast.cust).get(f"/api/v1/releases/{release.identifier}/conflicts/")) == []
    )
