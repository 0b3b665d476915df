"""The Go/No-Go board (seed 002 sections 3 and 6): scheduled before the installation
with its participants, an input pack assembled from the records and frozen with the
outcome, GO recorded by RM.5.2's accountable party (Table 4-1), NO-GO re-planning the
installation through the re-plan history, or the release cancelled by its release
manager; RM.6.2 waits for a GO. Through the API and the pages."""

import pytest

from releases.models import MilestoneChange
from tests.lifecycle import complete_runbook_and_go
from tests.start import start_page

pytestmark = pytest.mark.django_db


def _boards(cast, release, user=None):
    return cast.ok(cast.api(user or cast.dc).get(f"/api/v1/releases/{release.identifier}/boards/"))


def _schedule(cast, user, release, **extra):
    body = {"scheduled_at": "2027-02-09T10:00", "participants": [cast.dc.username], **extra}
    return cast.api(user).post(
        f"/api/v1/releases/{release.identifier}/boards/", body, format="json"
    )


def _decide(cast, user, release, board, **body):
    return cast.api(user).post(
        f"/api/v1/releases/{release.identifier}/boards/{board['id']}/outcome/",
        body,
        format="json",
    )


def test_the_pack_is_assembled_and_frozen_with_a_go(release_at, cast):
    release = release_at("installation")
    assert _boards(cast, release)["missing"] == ["A GO of the Go/No-Go board"]
    board = cast.ok(_schedule(cast, cast.dc, release, parties=["a3-cust"]), 201)
    assert board["participants"] == [cast.dc.username]
    pack = board["pack"]
    assert {d["kind"] for d in pack["decisions"]} == {"psat", "sat", "authorisation"}
    assert [r["kind"] for r in pack["test_reports"]] == ["SAT report", "pSAT report"]
    assert pack["rollback_plan"]["procedure"] == "Redeploy 3.1.7"
    assert any("Database migration" in r["description"] for r in pack["risks"])
    assert pack["runbook"] == {"version": "", "complete": False}
    assert _schedule(cast, cast.dc, release).status_code == 409  # one open board at a time

    # Table 4-1: the release manager is I for RM.5.2, the coordinator A
    assert _decide(cast, cast.rm, release, board, outcome="go").status_code == 403
    assert _decide(cast, cast.cust, release, board, outcome="go").status_code == 403
    decided = cast.ok(_decide(cast, cast.dc, release, board, outcome="go"))
    assert decided["outcome"] == "go"
    assert decided["pack"]["runbook"]["complete"] is False
    assert _decide(cast, cast.dc, release, board, outcome="go").status_code == 409
    body = _boards(cast, release)
    assert body["missing"] == []
    assert body["authorisations"][0]["verdict"] == "go"
    assert body["boards"][0]["pack"] == decided["pack"]  # frozen


def test_a_no_go_replans_the_installation_and_go_live_waits(release_at, cast):
    release = release_at("installation")
    board = cast.ok(_schedule(cast, cast.dc, release), 201)
    no_reason = _decide(cast, cast.dc, release, board, outcome="nogo")
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()
    no_date = _decide(cast, cast.dc, release, board, outcome="nogo", reason="SAT findings")
    assert "new_installation_date" in no_date.json()
    cast.ok(
        _decide(
            cast,
            cast.dc,
            release,
            board,
            outcome="nogo",
            reason="SAT findings open",
            new_installation_date="2027-04-20",
        )
    )
    release.refresh_from_db()
    assert str(release.planned_installation_date) == "2027-04-20"
    change = MilestoneChange.objects.get(milestone__release=release)
    assert "NO-GO at the Go/No-Go board: SAT findings open" in change.reason

    cast.ok(cast.perform(cast.dc, release, "RM.6.1", {"message": "Later", "disruption": "2h"}))
    refused = cast.perform(cast.dc, release, "RM.6.2", {"start_at": "2027-04-20T20:00"})
    assert refused.status_code == 409
    assert "A GO of the Go/No-Go board" in refused.json()["missing"]
    complete_runbook_and_go(release, by=cast.dc)
    release.checklist_items.filter(status="open").exclude(priority="low").update(status="waived")
    cast.ok(cast.perform(cast.dc, release, "RM.6.2", {"start_at": "2027-04-20T20:00"}))


def test_the_release_manager_cancels_at_the_board(release_at, cast, make_user):
    release = release_at("authorisation")
    board = cast.ok(_schedule(cast, cast.rm, release), 201)  # the chair schedules too
    body = {"outcome": "cancel", "reason": "The business withdrew the change"}
    assert _decide(cast, cast.dc, release, board, **body).status_code == 403
    cast.ok(_decide(cast, cast.rm, release, board, **body))
    release.refresh_from_db()
    assert release.stage == "cancelled"
    outsider = make_user("olga", "DG TAXUD A3/Tax")
    read = cast.api(outsider).get(f"/api/v1/releases/{release.identifier}/boards/")
    assert read.status_code == 404
    assert _schedule(cast, outsider, release).status_code == 404


def test_the_board_page_shows_the_pack_and_keeps_input_on_refusal(client, release_at, cast):
    release = release_at("installation")
    client.force_login(cast.dc)
    url = f"/releases/{release.identifier}/board/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"Schedule the board" in page.content
    assert b"RM.5.2 authorisations" in page.content
    bad = client.post(f"{url}schedule/", {"scheduled_at": "0001-01-01T10:00", "agenda": "Pack"})
    assert bad.status_code == 400
    assert b"Pack" in bad.content
    done = client.post(
        f"{url}schedule/", {"scheduled_at": "2027-02-09T10:00", "participants": [cast.dc.username]}
    )
    assert done.status_code == 302
    page = client.get(url)
    assert b"Input pack" in page.content
    assert b"Redeploy 3.1.7" in page.content
    board = release.boards.get()
    refused = client.post(f"{url}{board.pk}/outcome/", {"outcome": "nogo", "reason": "Not yet"})
    assert refused.status_code == 400
    assert b"Not yet" in refused.content
    assert client.post(f"{url}999999/outcome/", {"outcome": "go"}).status_code == 404
    assert client.post(f"{url}{board.pk}/outcome/", {"outcome": "go"}).status_code == 302
    section = client.get(f"/releases/{release.identifier}/readiness/", HTTP_HX_REQUEST="true")
    assert b"GO on" in section.content


def test_the_board_reads_in_a_fixed_number_of_queries(
    client, release_at, cast, django_assert_max_num_queries
):
    release = release_at("installation")
    client.force_login(cast.dc)
    url = f"/releases/{release.identifier}/board/"
    for _ in range(2):
        with django_assert_max_num_queries(40):
            assert client.get(url).status_code == 200
        board = cast.ok(_schedule(cast, cast.dc, release), 201)
        with django_assert_max_num_queries(40):
            assert client.get(url).status_code == 200
        cast.ok(
            _decide(
                cast,
                cast.dc,
                release,
                board,
                outcome="nogo",
                reason="Again",
                new_installation_date=f"2027-0{5 + _}-20",
            )
        )


def test_the_start_page_lists_the_boards_the_user_sits_on(client, release_at, cast):
    release = release_at("installation")
    cast.ok(_schedule(cast, cast.dc, release, participants=[], parties=["a3-cust"]), 201)
    client.force_login(cast.cust)
    page = start_page(client)
    assert "Go/No-Go boards you sit on" in page
    assert f"/releases/{release.identifier}/board/" in page
