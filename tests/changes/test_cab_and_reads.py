"""The CAB's record and the reads of change management: rounds after a reassessment,
the quorum, a meeting closed by its minutes and who they reach; what each user sees;
the change schedule's overlaps; what waits for the change manager; odd input refused
by the services with the field named."""

import datetime
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from rest_framework.test import APIClient

from changes import selectors, services
from changes.models import Advice, CabDecision, CabMeeting, RfC
from releasemgmt.errors import Conflict
from releasemgmt.notifications.models import Communication

from .conftest import LOW_RISK, complete, through_cab

pytestmark = pytest.mark.django_db


def heard(rfc, *, by, members, meeting=None, outcome="authorised"):
    """Send an assessed or submitted RfC to ``meeting`` (a new CAB unless given), advise
    to the quorum and decide."""
    if rfc.status == "submitted":
        services.revise_rfc(rfc, by=by, risk_answers=LOW_RISK)
        services.fire(rfc, "assess", by=by)
    rfc = services.fire(rfc, "send_to_cab", by=by)
    meeting = meeting or services.plan_meeting(
        by=by, kind="cab", title="CAB", starts_at=timezone.now(), members=members
    )
    services.put_on_agenda(meeting, by=by, rfcs=[rfc])
    for member in members[: services.quorum(meeting)]:
        services.give_advice(meeting, by=member, rfc=rfc, verdict="approve")
    services.record_cab_decision(meeting, by=by, rfc=rfc, outcome=outcome)
    rfc.refresh_from_db()
    return rfc, meeting


def test_a_reassessed_rfc_is_heard_again_at_the_same_meeting(draft, change_manager, members):
    rfc = services.fire(draft(), "submit", by=change_manager)
    rfc, meeting = heard(rfc, by=change_manager, members=members, outcome="rejected")
    rfc = services.fire(rfc, "reassess", by=change_manager, reason="New evidence")
    rfc, _ = heard(rfc, by=change_manager, members=members, meeting=meeting)
    assert rfc.status == "authorised"
    assert rfc.cab_round == 2
    rounds = CabDecision.objects.filter(rfc=rfc).values_list("round", "outcome")
    assert list(rounds) == [(1, "rejected"), (2, "authorised")]
    assert Advice.objects.filter(rfc=rfc, meeting=meeting).count() == 4  # two per round


def test_the_quorum_is_a_majority(change_manager, members, make_user):
    four = [*members, make_user("dora", "ITSM Application Manager")]
    meeting = services.plan_meeting(
        by=change_manager, kind="cab", title="CAB", starts_at=timezone.now(), members=four
    )
    assert services.quorum(meeting) == 3
    ecab = services.plan_meeting(
        by=change_manager, kind="ecab", title="ECAB", starts_at=timezone.now(), members=four
    )
    assert services.quorum(ecab) == 1


def test_the_minutes_close_the_record_and_reach_members_and_requesters(
    draft, change_manager, members, requester
):
    rfc, meeting = through_cab(draft(), by=change_manager, members=members)
    services.record_minutes(meeting, by=change_manager, minutes="Authorised with no conditions.")
    mail = Communication.objects.get(subject__contains="Minutes of")
    addressees = {r.user.username for r in mail.recipients.all()}
    assert addressees == {m.username for m in members} | {requester.username, "chris"}
    assert rfc.reference in mail.body
    assert mail.release is None
    with pytest.raises(Conflict, match="sent already"):
        services.record_minutes(meeting, by=change_manager, minutes="Again")
    other = services.fire(draft("Another"), "submit", by=change_manager)
    services.revise_rfc(other, by=change_manager, risk_answers=LOW_RISK)
    services.fire(other, "assess", by=change_manager)
    services.fire(other, "send_to_cab", by=change_manager)
    with pytest.raises(Conflict, match="agenda is closed"):
        services.put_on_agenda(meeting, by=change_manager, rfcs=[other])
    # the requester reaches the meeting the minutes link to
    assert selectors.meetings(requester).filter(pk=meeting.pk).exists()


def test_advice_after_the_minutes_is_refused(draft, change_manager, members):
    rfc = services.fire(draft(), "submit", by=change_manager)
    services.revise_rfc(rfc, by=change_manager, risk_answers=LOW_RISK)
    services.fire(rfc, "assess", by=change_manager)
    services.fire(rfc, "send_to_cab", by=change_manager)
    meeting = services.plan_meeting(
        by=change_manager, kind="cab", title="CAB", starts_at=timezone.now(), members=members
    )
    services.build_agenda(meeting, by=change_manager)
    services.record_minutes(meeting, by=change_manager, minutes="Adjourned.")
    with pytest.raises(Conflict, match="record is closed"):
        services.give_advice(meeting, by=members[0], rfc=rfc, verdict="approve")


def test_a_thread_user_sees_their_own_requests_and_members_their_agenda(
    make_user, draft, change_manager, members, requester
):
    tess = make_user("tess", "DG TAXUD A3/Cust")
    theirs = services.raise_rfc(by=tess, title="From the business")
    ours = draft()
    assert list(selectors.visible_rfcs(tess)) == [theirs]
    assert set(selectors.visible_rfcs(requester)) == {theirs, ours}  # ITSM staff see all
    developer = make_user("dev", "3rd Party Developers")
    assert not selectors.visible_rfcs(developer).exists()


def test_the_schedule_flags_overlaps_on_one_application(
    requester, application, change_manager, members, make_user
):
    other_app = application.__class__.objects.create(code="ncts", name="NCTS")
    first, second, elsewhere = (
        services.raise_rfc(
            by=requester, title=title, change_type="standard", **complete(app, days=days)
        )
        for title, app, days in (("A", application, 3), ("B", application, 3), ("C", other_app, 3))
    )
    for rfc in (first, second, elsewhere):
        services.fire(rfc, "submit", by=requester)
    slots = {s.rfc.title: s for s in selectors.change_schedule(change_manager)}
    # named by their references, as the page, the export and the API show them
    assert [r.reference for r in slots["A"].overlaps] == [second.reference]
    assert [r.reference for r in slots["B"].overlaps] == [first.reference]
    assert slots["C"].overlaps == []
    assert [r.title for r in selectors.conflicts_of(first)] == ["B"]


def test_the_rfc_page_names_the_conflicts_its_reader_may_see_and_counts_the_others(
    make_user, requester, application, change_manager, client
):
    tess = make_user("tess", "DG TAXUD A3/Cust")
    mine, also_mine = (
        services.raise_rfc(
            by=tess, title=title, change_type="standard", **complete(application, days=3)
        )
        for title in ("Mine", "Also mine")
    )
    hidden = services.raise_rfc(
        by=requester, title="Not hers", change_type="standard", **complete(application, days=3)
    )
    for rfc, by in ((mine, tess), (also_mine, tess), (hidden, requester)):
        services.fire(rfc, "submit", by=by)
    client.force_login(tess)
    page = client.get(f"/changes/rfcs/{mine.reference}/").content.decode()
    assert "Conflicts: 2 other changes overlap its window" in page
    assert also_mine.reference in page
    assert hidden.reference not in page
    assert "Not hers" not in page
    assert "1 of them is not yours to see" in page
    client.force_login(change_manager)
    page = client.get(f"/changes/rfcs/{mine.reference}/").content.decode()
    assert hidden.reference in page
    assert also_mine.reference in page
    assert "not yours to see" not in page


def test_the_change_manager_sees_what_waits(requester, application, change_manager, draft):
    submitted = services.fire(draft(), "submit", by=requester)
    emergency = services.raise_rfc(
        by=requester, title="Hotfix", change_type="emergency", **complete(application, days=0)
    )
    emergency = services.fire(emergency, "submit", by=requester)
    work = selectors.change_manager_work(change_manager)
    assert {r.pk for r in work["to_assess"]} == {submitted.pk, emergency.pk}
    assert work["overdue"] == []
    later = timezone.now() + timedelta(hours=5)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        assert [r.pk for r in selectors.change_manager_work(change_manager)["overdue"]] == [
            emergency.pk
        ]


def test_the_change_managers_page_lists_the_overdue_decisions(
    client, requester, application, change_manager
):
    """An emergency change the ECAB should have decided within hours is listed apart."""
    emergency = services.raise_rfc(
        by=requester, title="Hotfix", change_type="emergency", **complete(application, days=0)
    )
    emergency = services.fire(emergency, "submit", by=requester)
    client.force_login(change_manager)
    assert 'id="overdue"' not in client.get("/changes/").content.decode()
    RfC.objects.filter(pk=emergency.pk).update(submitted_at=timezone.now() - timedelta(hours=30))
    page = client.get("/changes/").content.decode()
    overdue = page.split('id="overdue"', 1)[1].split("</section>", 1)[0]
    assert f">{emergency.reference}</a>" in overdue
    assert "Hotfix" in overdue


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"planned_start": datetime.datetime(2027, 1, 1, 10)}, "planned_start"),  # noqa: DTZ001
        ({"risk_answers": {"done_before": ["often"]}}, "risk_answers"),
        ({"risk_answers": ["often"]}, "risk_answers"),
        ({"impact": "colossal"}, "impact"),
        ({"change_type": "zzz"}, "change_type"),
        ({"category": "x" * 30}, "category"),
        ({"description": 42}, "description"),
    ],
)
def test_odd_input_is_refused_naming_the_field(requester, fields, field):
    with pytest.raises(ValidationError) as refused:
        services.raise_rfc(by=requester, title="Odd", **fields)
    assert field in refused.value.message_dict


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"kind": "xx"}, "kind"),
        ({"starts_at": None}, "starts_at"),
        ({"title": "t" * 201}, "title"),
        ({"location": "l" * 201}, "location"),
    ],
)
def test_a_meeting_refuses_odd_input(change_manager, members, values, field):
    base = {"kind": "cab", "title": "CAB", "starts_at": timezone.now(), "members": members}
    with pytest.raises(ValidationError) as refused:
        services.plan_meeting(by=change_manager, **(base | values))
    assert field in refused.value.message_dict
    assert not CabMeeting.objects.exists()


def test_a_new_type_takes_its_default_model_and_the_risk_follows_the_answers(draft, change_manager):
    rfc = services.revise_rfc(draft(), by=change_manager, risk_answers=LOW_RISK)
    assert rfc.risk_level == "low"
    rfc = services.revise_rfc(rfc, by=change_manager, change_type="emergency")
    assert rfc.change_model.change_type == "emergency"
    rfc = services.revise_rfc(rfc, by=change_manager, risk_answers={"done_before": "never"})
    assert rfc.risk_level == ""  # incomplete answers give no level


def test_the_list_counts_what_it_shows_whoever_asks(
    make_user, draft, change_manager, members, requester, application
):
    """The RfC list's pager counts and pages the keys of the rows the list holds (one
    walk, ``Walked``), with and without filters, and reads the rows of those keys."""
    tess = make_user("tess", "DG TAXUD A3/Cust")
    services.raise_rfc(by=tess, title="From the business")
    services.raise_rfc(by=tess, title="Another from the business")
    through_cab(draft("Heard"), by=change_manager, members=members)
    draft("Not theirs")
    for user in (tess, members[0], requester, change_manager):
        for filters in (
            {},
            {"status": "draft"},
            {"text": "business"},
            {"application": application},
        ):
            listed = list(selectors.rfc_list(user, **filters))
            keys = list(selectors.rfc_keys(user, **filters))
            assert keys == [rfc.pk for rfc in listed]
            rows = selectors.rfc_rows(keys)
            assert [row.reference for row in rows] == [rfc.reference for rfc in listed]
    assert len(selectors.rfc_keys(tess)) == 2
    # the API's pager counts the same way: its count is the rows it lists
    for user in (tess, members[0], requester, change_manager):
        client = APIClient()
        client.force_authenticate(user)
        for query in (
            {},
            {"status": "draft"},
            {"q": "business"},
            {"application": application.code},
        ):
            body = client.get("/api/v1/rfcs/", query).json()
            assert (
                body["count"]
                == len(body["results"])
                == selectors.rfc_list(user, **_web_filters(query, application)).count()
            ), (user, query)


def _web_filters(query, application):
    names = {"q": "text", "status": "status"}
    found = {names[k]: v for k, v in query.items() if k in names}
    if "application" in query:
        found["application"] = application
    return found


def test_past_the_bound_the_pagers_say_more_and_still_walk_every_rfc(
    make_user, draft, requester, monkeypatch, client
):
    """A list counted only up to its bound (``releasemgmt.paging``): past it the web
    page says "more than" and links the next page, the API's count is null, and walking
    ``next`` reads every RfC once; under the bound both count exactly. For ITSM staff
    (a plain walk) and for a business thread (the releases it sees)."""
    from changes import views
    from releasemgmt import paging

    tess = make_user("tess", "DG TAXUD A3/Cust")
    for n in range(5):
        draft(f"Change {n}")
        services.raise_rfc(by=tess, title=f"Change {n} from the business")
    monkeypatch.setattr(paging, "COUNT_UP_TO", 3)
    monkeypatch.setattr(views, "RFCS_PER_PAGE", 2)
    monkeypatch.setattr(paging.CountedPagination, "page_size", 2)
    for user, listed in ((requester, 10), (tess, 5)):
        everything = set(selectors.rfc_list(user).values_list("reference", flat=True))
        assert len(everything) == listed

        client.force_login(user)
        first = client.get("/changes/rfcs/").content.decode()
        assert "Page 1 · more than 3 RfCs" in first
        assert "page=2" in first
        last = client.get("/changes/rfcs/", {"page": 3 if listed == 5 else 5})
        assert last.status_code == 200
        assert "Next" not in last.content.decode()
        assert "Previous" in last.content.decode()
        assert client.get("/changes/rfcs/", {"page": 999}).status_code == 200  # the first

        api = APIClient()
        api.force_authenticate(user)
        seen, url = [], "/api/v1/rfcs/"
        while url:
            body = api.get(url).json()
            assert body["count"] is None
            seen += [row["reference"] for row in body["results"]]
            url = body["next"]
        assert sorted(seen) == sorted(everything)
        assert api.get("/api/v1/rfcs/", {"page": 99}).status_code == 404
        assert api.get("/api/v1/rfcs/", {"page": "x"}).status_code == 404

        # under the bound: exact again
        assert api.get("/api/v1/rfcs/", {"q": "Change 1"}).json()["count"] == listed // 5
        narrowed = client.get("/changes/rfcs/", {"q": "Change 1"}).content.decode()
        assert "more than" not in narrowed


def test_a_list_row_names_every_application_of_the_rfc_by_code(
    draft, application, requester, client
):
    """The list's rows, web and API, read the applications' codes in one query for the
    page (``selectors.with_application_codes``), in the order of their codes."""
    from releases.models import Application

    bti = Application.objects.create(code="bti", name="Binding Tariff Information")
    both = draft("On both", applications=[application, bti])
    draft("On ECS alone")
    api = APIClient()
    api.force_authenticate(requester)
    rows = {
        row["reference"]: row["applications"] for row in api.get("/api/v1/rfcs/").json()["results"]
    }
    assert rows[both.reference] == ["bti", "ecs"]
    assert sorted(rows.values()) == [["bti", "ecs"], ["ecs"]]
    assert api.get(f"/api/v1/rfcs/{both.reference}/").json()["applications"] == ["bti", "ecs"]
    client.force_login(requester)
    assert "<td>BTI, ECS</td>" in client.get("/changes/rfcs/").content.decode()
