"""Deputies (issue 16 point 4): during the period the deputy acts for the principal's
parties on the principal's releases and gets a copy of their mails; every record says
"deputy of"; separation of duties holds for the deputy as for the principal."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from deployments.models import Decision
from deployments.selectors import owed_decisions
from raci import deputies, selectors
from raci import permissions as raci
from raci.models import Activity, Delegation
from readiness import services as readiness
from releasemgmt.audit.models import AuditEntry
from releasemgmt.notifications.models import Recipient
from releases import selectors as release_selectors
from releases.communications import communicate, parties
from releases.models import ActivityRecord
from releases.selectors import waiting_for
from tests.lifecycle import upload
from tests.start import release_page

pytestmark = pytest.mark.django_db


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def fresh(user):
    """The user as a new request sees them (permissions are cached per user object)."""
    return get_user_model().objects.get(pk=user.pk)


@pytest.fixture
def dora(make_user):
    """A service desk user: sees every release, performs none of its activities."""
    return make_user("dora", "ITSM Service Desk", first_name="Dora", last_name="Deputy")


@pytest.fixture
def olga(make_user):
    """A user with no party at all: sees nothing of her own."""
    return make_user("olga")


@pytest.fixture
def psat(cast, release_at):
    """A release in RM.4 whose pSAT report the coordinator submitted."""
    release = release_at("acceptance")
    report = {"kind": "psat", "file": upload()}
    cast.ok(cast.act(cast.dc, release, "submit-test-report", report), 201)
    return release


# --- acting ----------------------------------------------------------------------------


def test_a_deputy_of_a_thread_user_decides_for_the_thread_and_every_record_says_so(
    cast, psat, olga, client
):
    deputies.name_deputy(by=cast.cust, deputy=olga, starts=days(0), ends=days(4), reason="Leave")
    assert owed_decisions(fresh(olga))[0]["kind"] == "psat"

    body = cast.ok(cast.decide(fresh(olga), psat, "psat"), 201)

    assert body["deputy_of"] == "cust"
    assert body["recorded_by_label"] == "olga, deputy of Carla Cust"
    decision = Decision.objects.get(pk=body["id"])
    assert (decision.recorded_by, decision.deputy_of, decision.on_behalf) == (
        olga,
        cast.cust,
        False,
    )
    entry = AuditEntry.objects.get(action="decision_recorded", object_id=str(decision.pk))
    assert entry.deputy_of == "Carla Cust"
    assert entry.who == "olga, deputy of Carla Cust"
    client.force_login(olga)
    page = release_page(client, psat)
    assert "olga, deputy of Carla Cust" in page
    listed = cast.api(fresh(olga)).get(f"/api/v1/releases/{psat.identifier}/decisions/").json()
    assert listed[0]["recorded_by_label"] == "olga, deputy of Carla Cust"


@pytest.mark.parametrize("when", ["before", "after", "revoked"])
def test_outside_the_period_the_deputy_is_only_themself(cast, psat, olga, when):
    delegation = deputies.name_deputy(by=cast.cust, deputy=olga, starts=days(0), ends=days(4))
    if when == "before":
        Delegation.objects.filter(pk=delegation.pk).update(starts=days(1))
    elif when == "after":
        Delegation.objects.filter(pk=delegation.pk).update(starts=days(-5), ends=days(-1))
    else:
        deputies.revoke_delegation(delegation, by=cast.cust)
    response = cast.decide(fresh(olga), psat, "psat")
    assert response.status_code == 404  # the release is not hers to know of
    assert not psat.decisions.exists()
    assert owed_decisions(fresh(olga)) == []


def test_a_deputy_performs_the_principal_s_activity_and_is_refused_after_stepping_down(
    cast, psat, dora, api
):
    cast.ok(cast.decide(cast.cust, psat, "psat"), 201)
    assert cast.perform(fresh(dora), psat, "RM.4.1").status_code == 403
    delegation = deputies.name_deputy(by=cast.dc, deputy=dora, starts=days(0), ends=days(2))
    assert "RM.4.1" in [r.activity.code for r in waiting_for(fresh(dora))]

    cast.ok(cast.perform(fresh(dora), psat, "RM.4.1"))

    record = ActivityRecord.objects.get(release=psat, activity__code="RM.4.1")
    assert (record.performed_by, record.deputy_of) == (dora, cast.dc)
    entry = AuditEntry.objects.get(action="activity_done", object_id=str(record.pk))
    assert entry.deputy_of == "dave"
    detail = api(fresh(dora)).get(f"/api/v1/releases/{psat.identifier}/").json()
    row = next(a for a in detail["activities"] if a["code"] == "RM.4.1")
    assert row["performed_by_label"] == "Dora Deputy, deputy of dave"
    assert row["deputy_of"] == "dave"

    deputies.revoke_delegation(delegation, by=fresh(dora))  # the deputy steps down
    cast.ok(cast.act(cast.dc, psat, "submit-test-report", {"kind": "sat", "file": upload()}), 201)
    cast.ok(cast.decide(cast.cust, psat, "sat"), 201)
    assert cast.perform(fresh(dora), psat, "RM.4.2").status_code == 403
    assert not waiting_for(fresh(dora)).exists()


def test_a_deputy_gains_no_party_beyond_the_principal_s_releases(cast, make_release, olga, client):
    """The release manager's deputy may act on the release manager's releases, but does
    not formalise releases: that party is held everywhere, not on a release."""
    release = make_release()
    deputies.name_deputy(by=cast.rm, deputy=olga, starts=days(0), ends=days(1))
    assert raci.may_perform(fresh(olga), release, "RM.1.3")
    assert not raci.may_formalise(fresh(olga))
    client.force_login(olga)
    assert client.get("/releases/new/").status_code == 403


# --- separation of duties ------------------------------------------------------------


def test_the_deputy_of_the_submitter_does_not_decide_on_the_submission(cast, psat, make_user):
    cleo = make_user("cleo", "DG TAXUD A3/Cust")
    delegation = deputies.name_deputy(by=cast.dc, deputy=cleo, starts=days(0), ends=days(1))
    response = cast.decide(fresh(cleo), psat, "psat")
    assert response.status_code == 403
    assert "deputy" in response.json()["detail"]
    assert not psat.decisions.exists()
    deputies.revoke_delegation(delegation, by=cast.dc)
    cast.ok(cast.decide(fresh(cleo), psat, "psat"), 201)  # herself again, she may


def test_a_deputy_does_not_decide_on_what_they_submitted_as_a_deputy(cast, release_at, make_user):
    release = release_at("acceptance")
    cleo = make_user("cleo", "DG TAXUD A3/Cust")
    deputies.name_deputy(by=cast.dc, deputy=cleo, starts=days(0), ends=days(1))
    report = {"kind": "psat", "file": upload()}
    cast.ok(cast.act(fresh(cleo), release, "submit-test-report", report), 201)
    assert release.test_reports.get().uploaded_by == cleo
    assert cast.decide(fresh(cleo), release, "psat").status_code == 403
    cast.ok(cast.decide(cast.cust, release, "psat"), 201)


def test_the_principal_does_not_decide_on_what_their_deputy_submitted_for_them(
    cast, release_at, make_user
):
    release = release_at("acceptance")
    cleo = make_user("cleo", "DG TAXUD A3/Cust")
    deputies.name_deputy(by=cast.dc, deputy=cleo, starts=days(0), ends=days(1))
    report = {"kind": "psat", "file": upload()}
    cast.ok(cast.act(fresh(cleo), release, "submit-test-report", report), 201)
    on_behalf = {"decided_by_name": "Carla Cust", "evidence": upload()}
    response = cast.decide(fresh(cast.dc), release, "psat", **on_behalf)
    assert response.status_code == 403
    assert "their deputy submitted" in response.json()["detail"]
    assert not release.decisions.exists()


def test_a_deputy_confirming_the_principal_s_move2run_item_is_audited_as_deputy(
    cast, release_at, make_user
):
    release = release_at("authorisation")
    cleo = make_user("cleo", "DG TAXUD A3/Cust", first_name="Cleo")
    deputies.name_deputy(by=cast.dc, deputy=cleo, starts=days(0), ends=days(1))
    item = release.checklist_items.filter(owner_party__name="ITSM Deployment Coordinator")[0]
    readiness.confirm_item(release, item.pk, by=fresh(cleo), evidence_note="Checked")
    entry = AuditEntry.objects.filter(object_type="readiness.checklistitem").latest("id")
    assert entry.actor == cleo
    assert entry.deputy_of in {cast.dc.get_full_name(), cast.dc.username}


# --- mails ---------------------------------------------------------------------------


def _tell_the_thread(release, by):
    activity = Activity.objects.get(code="RM.4.1")
    communication = communicate(
        release,
        "RM.4.1",
        by=by,
        mail="informed",
        context={"activity": activity, "outcome": ""},
        to=parties("DG TAXUD A3/Cust"),
    )
    return set(
        Recipient.objects.filter(communication=communication).values_list(
            "user__username", flat=True
        )
    )


def test_mails_to_the_principal_are_copied_to_the_deputy_during_the_period(
    cast, make_release, olga, make_user
):
    release = make_release()
    later = make_user("lena")
    delegation = deputies.name_deputy(by=cast.cust, deputy=olga, starts=days(0), ends=days(3))
    deputies.name_deputy(by=cast.cust, deputy=later, starts=days(4), ends=days(6))
    assert _tell_the_thread(release, cast.rm) == {"cust", "olga"}
    assert selectors.deputies_of([cast.cust], on=days(5)) == {cast.cust.pk: [later]}
    assert [u.username for u in selectors.with_deputies([cast.cust, olga])] == ["cust", "olga"]
    deputies.revoke_delegation(delegation, by=cast.cust)
    assert _tell_the_thread(release, cast.rm) == {"cust"}


# --- naming and revoking: validation, isolation ------------------------------------------


def _body(**fields):
    return {"deputy": "desk", "starts": str(days(0)), "ends": str(days(2))} | fields


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"deputy": "cust"}, "deputy"),
        ({"deputy": "nobody"}, "deputy"),
        ({"ends": str(days(-1))}, "ends"),
        ({"starts": str(days(-3)), "ends": str(days(1))}, "starts"),
        ({"ends": str(days(400))}, "ends"),
        ({"reason": "x" * 501}, "reason"),
        ({"reason": "on\x1bleave"}, "reason"),
        ({"starts": "0001-01-01"}, "starts"),
    ],
)
def test_a_deputy_named_with_bad_input_is_refused_naming_the_field(cast, fields, field):
    response = cast.api(cast.cust).post("/api/v1/deputies/", _body(**fields), format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not Delegation.objects.exists()


def test_overlapping_periods_of_one_principal_are_refused(cast, make_user):
    client = cast.api(cast.cust)
    created = client.post("/api/v1/deputies/", _body(reason="Leave"), format="json")
    assert cast.ok(created, 201)["state"] == "active"
    again = client.post(
        "/api/v1/deputies/",
        _body(deputy="camille", starts=str(days(2)), ends=str(days(5))),
        format="json",
    )
    assert again.status_code == 409
    assert "desk" in again.json()["detail"] or "already" in again.json()["detail"]
    later = client.post(
        "/api/v1/deputies/", _body(starts=str(days(3)), ends=str(days(5))), format="json"
    )
    assert later.status_code == 201


def test_only_an_administrator_names_a_deputy_for_someone_else(cast, make_user):
    body = _body(principal="dave")
    assert cast.api(cast.cust).post("/api/v1/deputies/", body, format="json").status_code == 403
    admin = make_user("root", is_superuser=True, is_staff=True)
    named = cast.ok(cast.api(admin).post("/api/v1/deputies/", body, format="json"), 201)
    assert (named["principal"], named["deputy"], named["created_by"]) == ("dave", "desk", "root")
    # the principal and the deputy read it; the administrator revokes it
    assert [d["id"] for d in cast.api(cast.dc).get("/api/v1/deputies/").json()] == [named["id"]]
    assert [d["id"] for d in cast.api(cast.desk).get("/api/v1/deputies/").json()] == [named["id"]]
    assert cast.api(cast.cust).get("/api/v1/deputies/").json() == []
    revoked = cast.api(admin).post(f"/api/v1/deputies/{named['id']}/revoke/")
    assert cast.ok(revoked)["state"] == "revoked"


def test_someone_else_s_delegation_is_not_found_on_the_page_and_the_api(cast, client):
    delegation = deputies.name_deputy(by=cast.dc, deputy=cast.desk, starts=days(0), ends=days(1))
    response = cast.api(cast.cust).post(f"/api/v1/deputies/{delegation.pk}/revoke/")
    assert response.status_code == 404
    client.force_login(cast.cust)
    assert client.post(f"/account/deputies/{delegation.pk}/revoke/").status_code == 404
    assert "desk" not in client.get("/account/deputies/").content.decode().split("<h2>")[0]
    delegation.refresh_from_db()
    assert delegation.revoked_at is None
    again = cast.api(cast.dc).post(f"/api/v1/deputies/{delegation.pk}/revoke/")
    assert cast.ok(again)["state"] == "revoked"
    assert cast.api(cast.dc).post(f"/api/v1/deputies/{delegation.pk}/revoke/").status_code == 409


def test_the_page_names_a_deputy_and_revokes_it(cast, client):
    client.force_login(cast.cust)
    page = client.get("/account/deputies/")
    assert page.status_code == 200
    body = {"deputy": "desk", "starts": str(days(0)), "ends": str(days(1)), "reason": "Away"}
    assert client.post("/account/deputies/", body).status_code == 302
    delegation = Delegation.objects.get()
    assert (delegation.principal, delegation.deputy) == (cast.cust, cast.desk)
    assert AuditEntry.objects.filter(action="deputy_named").exists()
    # a clash comes back on the form with what was typed
    clash = client.post("/account/deputies/", body | {"deputy": "camille"})
    assert clash.status_code == 409
    assert 'value="camille"' in clash.content.decode()
    bad = client.post("/account/deputies/", body | {"ends": str(days(-1))})
    assert bad.status_code == 400
    assert client.post(f"/account/deputies/{delegation.pk}/revoke/").status_code == 302
    delegation.refresh_from_db()
    assert delegation.revoked_by == cast.cust
    assert "revoked" in client.get("/account/deputies/").content.decode()


# --- speed ---------------------------------------------------------------------------


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_a_deputy_s_pages_take_the_same_queries_however_many_releases(
    cast, make_release, olga, client
):
    """The delegations are read once per request; the principal's releases cost no query
    each on the start page, the release list and the inbox."""
    deputies.name_deputy(by=cast.dc, deputy=olga, starts=days(0), ends=days(3))
    make_release()
    client.force_login(olga)
    pages = ["/", "/releases/", "/messages/"]
    _queries(client, "/")
    few = [_queries(client, page) for page in pages]
    for _ in range(4):
        make_release()
    assert [_queries(client, page) for page in pages] == few
    assert len(release_selectors.visible_releases(fresh(olga))) == 5
