"""Change management's pages through the HTTP client: each page for the people it is
for, 403 or 404 for the others; each form's happy path and a refused one (the error on
the field, what was typed kept, nothing saved); hostile input on the registration form;
query counts that do not grow with the rows."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from changes import risk, services
from changes.forms import RfCForm
from changes.models import Advice, CabDecision, CabMeeting, Review, RfC, RfCAttachment
from releases.models import Application
from tests.start import start_page

from .conftest import LOW_RISK, complete, through_cab

pytestmark = pytest.mark.django_db


def local(moment) -> str:
    """A moment as a datetime-local box sends it."""
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def count(client, path, status=200):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == status, (path, response.status_code)
    return len(ctx.captured_queries)


def registration(application, *, days=10, **extra) -> dict:
    """A registration form filled in completely."""
    start = timezone.now() + timedelta(days=days)
    return {
        "title": "New customs codes",
        "description": "Add the new customs codes to the export declaration.",
        "reason": "Regulation 2026/123 applies from January.",
        "change_type": "normal",
        "change_model": "",
        "category": "application",
        "applications": [application.pk],
        "impact": "high",
        "urgency": "medium",
        **{f"risk_{key}": value for key, value in LOW_RISK.items()},
        "planned_start": local(start),
        "planned_end": local(start + timedelta(hours=4)),
        "outage_start": local(start + timedelta(hours=1)),
        "outage_end": local(start + timedelta(hours=2)),
        "outage_description": "Declarations cannot be lodged.",
        "backout_plan": "Restore the previous version from the DSL.",
        "backout_impossible_reason": "",
        "backout_trigger": "Smoke tests fail after installation.",
        **extra,
    }


@pytest.fixture
def thread_user(make_user):
    return make_user("tess", "DG TAXUD A3/Cust", first_name="Tess")


@pytest.fixture
def outsider(make_user):
    """A user of another business thread."""
    return make_user("otto", "DG TAXUD A3/Exc")


@pytest.fixture
def developer(make_user, organisation):
    return make_user("devon", groups=[organisation.group])


@pytest.fixture
def meeting(change_manager, members):
    return services.plan_meeting(
        by=change_manager,
        kind="cab",
        title="Weekly CAB",
        starts_at=timezone.now() + timedelta(hours=2),
        location="Room 12",
        members=members,
    )


def awaiting(rfc, change_manager):
    """Submitted, assessed and sent to the CAB."""
    rfc = services.fire(rfc, "submit", by=change_manager)
    services.revise_rfc(rfc, by=change_manager, risk_answers=LOW_RISK)
    rfc = services.fire(rfc, "assess", by=change_manager)
    return services.fire(rfc, "send_to_cab", by=change_manager)


# --- the start page and the nav ----------------------------------------------------------


def test_every_page_asks_for_a_login_first(client, draft, meeting):
    rfc = draft()
    for path in (
        "/changes/",
        "/changes/rfcs/",
        "/changes/rfcs/new/",
        f"/changes/rfcs/{rfc.reference}/",
        f"/changes/rfcs/{rfc.reference}/edit/",
        f"/changes/rfcs/{rfc.reference}/review/",
        "/changes/schedule/",
        "/changes/cab/",
        "/changes/cab/new/",
        f"/changes/cab/{meeting.pk}/",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/"), path
    for path in ("steps/submit/", "attachments/"):
        assert client.post(f"/changes/rfcs/{rfc.reference}/{path}").status_code == 302
    assert RfC.objects.get().status == "draft"


def test_the_change_manager_s_start_page_says_what_waits(
    client, draft, requester, change_manager, members, meeting
):
    submitted = services.fire(draft("To assess"), "submit", by=requester)
    at_cab = awaiting(draft("At the CAB"), change_manager)
    client.force_login(change_manager)
    page = client.get("/changes/").content.decode()
    assert 'href="/changes/"' in page  # the nav's link
    for heading in ("To assess", "Awaiting the CAB", "Reviews owed", "Releases in trouble"):
        assert heading in page
    assert submitted.reference in page
    assert at_cab.reference in page
    assert f"/changes/cab/{meeting.pk}/" in page  # the next CAB
    assert "Plan a CAB" in page


def test_others_see_their_own_requests_and_the_boards_they_sit_on(
    client, draft, requester, members, meeting, developer
):
    mine = draft("Mine")
    client.force_login(requester)
    page = client.get("/changes/").content.decode()
    assert "Your requests" in page
    assert mine.reference in page
    assert "Raise an RfC" in page
    assert "To assess" not in page
    client.force_login(members[0])
    page = client.get("/changes/").content.decode()
    assert "CAB meetings you sit on" in page
    assert "Weekly CAB" in page
    assert mine.reference not in page
    client.force_login(developer)
    page = client.get("/changes/").content.decode()
    assert "Raise an RfC" not in page
    assert client.get("/changes/rfcs/new/").status_code == 403


def test_the_dashboard_points_the_change_manager_to_change_management(
    client, draft, requester, change_manager
):
    services.fire(draft(), "submit", by=requester)
    client.force_login(change_manager)
    page = start_page(client)
    assert "Change management" in page
    assert "1 RfC to assess" in page
    client.force_login(requester)
    assert 'id="change-management"' not in start_page(client)


def test_the_dashboard_costs_the_change_manager_the_same_with_more_rfcs(
    client, draft, requester, change_manager
):
    client.force_login(change_manager)
    services.fire(draft(), "submit", by=requester)
    count(client, "/")
    few = count(client, "/")
    for i in range(5):
        services.fire(draft(f"More {i}"), "submit", by=requester)
    assert count(client, "/") == few


# --- the list ------------------------------------------------------------------------


def test_the_list_filters_and_searches(client, draft, requester, change_manager, application):
    other_app = Application.objects.create(code="ncts", name="New Computerised Transit")
    plain = draft("Plain draft")
    submitted = services.fire(draft("Submitted one"), "submit", by=requester)
    transit = services.raise_rfc(
        by=requester,
        title="Transit rules",
        change_type="emergency",
        applications=[other_app],
    )
    assessed = awaiting(draft("Assessed low"), change_manager)
    client.force_login(change_manager)

    def shown(**query):
        page = client.get("/changes/rfcs/", query).content.decode()
        rfcs = (plain, submitted, transit, assessed)
        return {r.reference for r in rfcs if f">{r.reference}</a>" in page}

    assert shown() == {plain.reference, submitted.reference, transit.reference, assessed.reference}
    assert shown(status="submitted") == {submitted.reference}
    assert shown(change_type="emergency") == {transit.reference}
    assert shown(application="ncts") == {transit.reference}
    assert shown(risk="low") == {assessed.reference}
    assert shown(q="transit") == {transit.reference}
    assert shown(q=plain.reference) == {plain.reference}
    response = client.get("/changes/rfcs/", {"status": "nonsense"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_the_list_costs_the_same_for_3_rfcs_as_for_30(
    client, requester, change_manager, application, thread_user
):
    def add(n):
        for i in range(n):
            services.raise_rfc(by=thread_user, title=f"Change {i}", applications=[application])

    add(3)
    for user in (change_manager, thread_user):
        client.force_login(user)
        count(client, "/changes/rfcs/")
    few = {u.pk: None for u in (change_manager, thread_user)}
    for user in (change_manager, thread_user):
        client.force_login(user)
        few[user.pk] = count(client, "/changes/rfcs/?application=ecs")
    add(27)
    for user in (change_manager, thread_user):
        client.force_login(user)
        assert count(client, "/changes/rfcs/?application=ecs") == few[user.pk], user
        assert client.get("/changes/rfcs/").content.decode().count("Change ") >= 30


def test_the_list_shows_a_thread_only_what_it_may_see(client, draft, thread_user, outsider):
    theirs = services.raise_rfc(by=thread_user, title="Thread request")
    client.force_login(outsider)
    assert theirs.reference not in client.get("/changes/rfcs/").content.decode()
    found = client.get(f"/changes/rfcs/?q={theirs.reference}").content.decode()
    assert theirs.reference not in found.replace(f'value="{theirs.reference}"', "")
    client.force_login(thread_user)
    assert theirs.reference in client.get("/changes/rfcs/").content.decode()


# --- registration ----------------------------------------------------------------------


def test_a_request_is_registered_with_every_field(client, requester, application):
    client.force_login(requester)
    page = client.get("/changes/rfcs/new/").content.decode()
    assert 'type="datetime-local"' in page
    for q in risk.QUESTIONS:
        assert q.text in page
    response = client.post("/changes/rfcs/new/", registration(application))
    assert response.status_code == 302
    rfc = RfC.objects.get()
    assert response["Location"] == f"/changes/rfcs/{rfc.reference}/"
    assert (rfc.title, rfc.status, rfc.requester) == ("New customs codes", "draft", requester)
    assert rfc.risk_answers == LOW_RISK
    assert list(rfc.applications.all()) == [application]
    assert (rfc.impact, rfc.urgency, rfc.priority) == ("high", "medium", "2")
    assert rfc.change_model.name == "Normal change"
    assert rfc.outage_description == "Declarations cannot be lodged."
    assert rfc.outage_end - rfc.outage_start == timedelta(hours=1)


def test_a_refused_registration_keeps_the_input_and_saves_nothing(client, requester, application):
    client.force_login(requester)
    body = registration(application)
    body["planned_end"] = body["planned_start"]
    body["change_type"] = "standard"
    body["change_model"] = str(services.default_model("normal").pk)
    response = client.post("/changes/rfcs/new/", body)
    assert response.status_code == 400
    form = response.context["form"]
    assert set(form.errors) == {"planned_end", "change_model"}
    page = response.content.decode()
    assert "The end comes after the start." in page
    assert 'value="New customs codes"' in page
    assert "Regulation 2026/123" in page
    assert not RfC.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "ab\x1b[31mcd"),
        ("title", "ab\x00cd"),
        ("description", "ab\x07cd"),
        ("planned_start", "9999-12-31T23:59"),
        ("planned_start", "0001-01-01T00:00"),
        ("outage_start", "9999-12-31T23:59"),
        ("planned_end", "2500-01-01T00:00"),  # a date, but no plan: the service says so
        ("description", "x" * 1_000_001),
        ("reason", "x" * 100_001),
        ("title", "x" * 201),
        ("risk_tested", "\x00"),
        ("applications", ["99999999999999999999999"]),
    ],
)
def test_hostile_input_on_the_registration_form_is_refused_on_its_field(
    client, requester, application, field, value
):
    client.force_login(requester)
    response = client.post("/changes/rfcs/new/", registration(application, **{field: value}))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    said = str(response.context["form"].errors)  # the value typed stays in its box
    assert "\x00" not in said
    assert "\x1b" not in said
    assert not RfC.objects.exists()


def test_a_lone_surrogate_is_refused_by_the_form(requester, application):
    """A browser's form body cannot carry one (UTF-8): the form, the door of the web and
    of the API alike, refuses it on its field."""
    for field in ("title", "description", "backout_plan", "risk_outage"):
        data = registration(application, **{field: "ab\ud800cd"})
        form = RfCForm(data)
        assert not form.is_valid()
        assert field in form.errors
        assert "\ud800" not in str(form.errors)


def test_business_threads_raise_requests_and_developers_do_not(
    client, thread_user, developer, application
):
    client.force_login(thread_user)
    assert client.post("/changes/rfcs/new/", registration(application)).status_code == 302
    client.force_login(developer)
    assert client.get("/changes/rfcs/new/").status_code == 403
    assert client.post("/changes/rfcs/new/", registration(application)).status_code == 403
    assert RfC.objects.count() == 1


# --- the RfC page ------------------------------------------------------------------------


def test_the_rfc_page_shows_everything(client, draft, requester, change_manager, members):
    rfc = draft(outage_start=None)
    other = draft("Overlapping change")
    services.fire(other, "submit", by=requester)
    rfc, meeting = through_cab(rfc, by=change_manager, members=members)
    services.attach(rfc, by=requester, uploaded=SimpleUploadedFile("design.pdf", b"%PDF-1 x"))
    client.force_login(requester)
    page = client.get(f"/changes/rfcs/{rfc.reference}/").content.decode()
    for shown in (
        rfc.title,
        "Authorised",
        "Low",  # the risk level
        "3 - Moderate",
        "Conflicts: 1 other change overlaps",
        other.reference,
        rfc.attachments.get().filename,  # the storage may have added a suffix
        "Restore the previous version from the DSL.",
        "Has a change like this been made successfully before?",
    ):
        assert shown in page, shown
    attachment = rfc.attachments.get()
    assert f"/changes/rfcs/{rfc.reference}/attachments/{attachment.pk}/" in page
    # the CAB's record and the history come once the page is shown, in their places
    record = f"/changes/rfcs/{rfc.reference}/record/"
    assert f'hx-get="{record}"' in page
    assert "Approve" not in page
    part = client.get(record, headers={"HX-Request": "true"}).content.decode()
    on_its_own = client.get(record).content.decode()
    for shown in ("Approve", "Weekly CAB", "rfc_raised", "cab_decision"):  # advice, history
        assert shown in part, shown
        assert shown in on_its_own, shown
    assert '<section id="history" hx-swap-oob="true">' in part
    assert "<html" not in part
    assert "hx-swap-oob" not in on_its_own
    assert f'<a href="/changes/rfcs/{rfc.reference}/">' in on_its_own


def test_the_rfc_page_is_404_for_another_thread(
    client, thread_user, outsider, make_user, application
):
    rfc = services.raise_rfc(by=thread_user, title="Thread request")
    client.force_login(outsider)
    for path in ("", "edit/", "review/"):
        assert client.get(f"/changes/rfcs/{rfc.reference}/{path}").status_code == 404
    for path in ("steps/withdraw/", "attachments/", "review/", "edit/"):
        assert client.post(f"/changes/rfcs/{rfc.reference}/{path}").status_code == 404
    assert client.get("/changes/rfcs/RFC-NOWHERE/").status_code == 404
    client.force_login(thread_user)
    assert client.get(f"/changes/rfcs/{rfc.reference}/").status_code == 200


def test_the_rfc_page_names_the_release_and_the_one_that_raised_it(
    client, cast, make_release, change_manager, approved_rfc
):
    release = make_release(threads=["a3-cust"])
    services.include_rfc(release, by=cast.rm, rfc=approved_rfc)
    complementary = services.raise_complementary_rfc(release, by=cast.dc, title="More storage")
    client.force_login(cast.cust)
    page = client.get(f"/changes/rfcs/{approved_rfc.reference}/").content.decode()
    assert f'href="/releases/{release.identifier}/"' in page
    page = client.get(f"/changes/rfcs/{complementary.reference}/").content.decode()
    assert "Raised at RM.2.1 of" in page
    assert release.identifier in page


def test_the_rfc_page_costs_the_same_however_much_it_holds(
    client, draft, requester, change_manager, members, make_user
):
    """Two requests in the same state: one with a conflict, two advice and a document,
    the other with three conflicts, three advice and three documents."""

    def walk(title, days, board, documents, overlapping):
        rfc = draft(title, days=days)
        for i in range(overlapping):
            services.fire(draft(f"{title} overlap {i}", days=days), "submit", by=requester)
        for i in range(documents):
            uploaded = SimpleUploadedFile(f"d{i}.pdf", b"%PDF x")
            services.attach(rfc, by=requester, uploaded=uploaded)
        rfc, _ = through_cab(rfc, by=change_manager, members=board)
        rfc = services.fire(rfc, "implement", by=change_manager)
        services.record_review(rfc, by=change_manager, objective_met=True)
        return f"/changes/rfcs/{rfc.reference}/"

    few = walk("Few", 10, members, 1, 1)
    board = [
        *members,
        make_user("extra", "ITSM Service Desk"),
        make_user("more", "ITSM Service Desk"),
    ]
    many = walk("Many", 40, board, 3, 3)
    for user in (change_manager, requester):
        client.force_login(user)
        count(client, few)
        page = client.get(many).content.decode()
        assert "Conflicts: 3 other changes overlap" in page
        assert len(re.findall(r"/attachments/\d+/", page)) == 3  # the documents
        assert count(client, many) == count(client, few), user
        # and the CAB's record with the history, asked apart
        record = client.get(f"{many}record/", headers={"HX-Request": "true"}).content.decode()
        assert record.count("Approve</strong>") == 3
        assert count(client, f"{many}record/") == count(client, f"{few}record/"), user


# --- steps -----------------------------------------------------------------------------


def test_the_requester_submits_and_the_page_says_what_is_missing_first(
    client, requester, application
):
    rfc = services.raise_rfc(by=requester, title="Too short")
    client.force_login(requester)
    page = client.get(f"/changes/rfcs/{rfc.reference}/").content.decode()
    assert "Before it is submitted it needs" in page
    response = client.post(f"/changes/rfcs/{rfc.reference}/steps/submit/")
    assert response.status_code == 409
    page = response.content.decode()
    assert "Submit: not done" in page
    assert "<li>a description of the change</li>" in page
    assert "<li>the applications it affects</li>" in page
    assert RfC.objects.get().status == "draft"
    services.revise_rfc(rfc, by=requester, **complete(application))
    response = client.post(f"/changes/rfcs/{rfc.reference}/steps/submit/")
    assert response.status_code == 302
    assert RfC.objects.get().status == "submitted"


def test_a_step_not_yours_is_403_and_an_unknown_one_404(client, draft, requester, thread_user):
    rfc = services.fire(draft(), "submit", by=requester)
    client.force_login(requester)
    assert client.post(f"/changes/rfcs/{rfc.reference}/steps/assess/").status_code == 403
    assert client.post(f"/changes/rfcs/{rfc.reference}/steps/fly/").status_code == 404
    assert client.get(f"/changes/rfcs/{rfc.reference}/steps/submit/").status_code == 405
    assert RfC.objects.get().status == "submitted"


def test_the_change_manager_assesses_with_the_risk_answers(
    client, draft, requester, change_manager
):
    rfc = services.fire(draft(), "submit", by=requester)
    client.force_login(change_manager)
    page = client.get(f"/changes/rfcs/{rfc.reference}/").content.decode()
    assert "Record the assessment" in page
    path = f"/changes/rfcs/{rfc.reference}/steps/assess/"
    partial = {"risk_done_before": "often"}
    response = client.post(path, partial)
    assert response.status_code == 409
    assert "an answer to: Was it tested" in response.content.decode()
    rfc.refresh_from_db()
    assert (rfc.status, rfc.risk_answers) == ("submitted", {})  # the answers were not kept
    answers = {f"risk_{k}": v for k, v in LOW_RISK.items()} | {"risk_backout": "no"}
    assert client.post(path, answers).status_code == 302
    rfc.refresh_from_db()
    assert (rfc.status, rfc.risk_level) == ("assessed", "medium")


def test_a_step_that_needs_a_reason_asks_for_it_and_a_final_one_for_confirmation(
    client, draft, requester
):
    rfc = draft()
    client.force_login(requester)
    path = f"/changes/rfcs/{rfc.reference}/steps/withdraw/"
    page = client.get(f"/changes/rfcs/{rfc.reference}/").content.decode()
    assert "data-confirm=" in page
    response = client.post(path, {"reason": "", "confirmed": "yes"})
    assert response.status_code == 400
    assert "Reason: This field is required." in response.content.decode()
    response = client.post(path, {"reason": "Not needed any more"})
    assert response.status_code == 200  # asked on a page of its own
    assert "Yes, withdraw it" in response.content.decode()
    assert RfC.objects.get().status == "draft"
    response = client.post(path, {"reason": "Not needed any more", "confirmed": "yes"})
    assert response.status_code == 302
    assert RfC.objects.get().status == "withdrawn"


# --- edit ------------------------------------------------------------------------------


def test_the_requester_edits_a_draft_and_the_change_manager_until_it_is_decided(
    client, draft, requester, change_manager, members, application
):
    rfc = draft()
    client.force_login(requester)
    path = f"/changes/rfcs/{rfc.reference}/edit/"
    page = client.get(path).content.decode()
    assert 'value="New customs codes"' in page
    response = client.post(path, registration(application, title="Renamed"))
    assert response.status_code == 302
    assert RfC.objects.get().title == "Renamed"
    response = client.post(path, registration(application, title="", urgency="extreme"))
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"title", "urgency"}
    assert RfC.objects.get().title == "Renamed"
    services.fire(rfc, "submit", by=requester)
    assert client.get(path).status_code == 403
    client.force_login(change_manager)
    assert client.get(path).status_code == 200
    rfc, _ = through_cab(RfC.objects.get(), by=change_manager, members=members)
    assert client.get(path).status_code == 403


# --- review ---------------------------------------------------------------------------


def test_the_post_implementation_review(client, draft, requester, change_manager, members):
    rfc, _ = through_cab(draft(), by=change_manager, members=members)
    path = f"/changes/rfcs/{rfc.reference}/review/"
    client.force_login(change_manager)
    assert client.get(path).status_code == 409  # not implemented yet
    rfc = services.fire(rfc, "implement", by=change_manager)
    assert (
        "Record the post-implementation review"
        in client.get(f"/changes/rfcs/{rfc.reference}/").content.decode()
    )
    response = client.post(path, {"side_effects": "Slow for an hour", "objective_met": "maybe"})
    assert response.status_code == 400
    assert "objective_met" in response.context["form"].errors
    assert "Slow for an hour" in response.content.decode()
    assert not Review.objects.exists()
    client.force_login(requester)
    assert client.get(path).status_code == 403
    assert client.post(path, {"objective_met": "yes"}).status_code == 403
    client.force_login(change_manager)
    body = {"objective_met": "yes", "remediation_used": "on", "lessons": "Test earlier."}
    assert client.post(path, body).status_code == 302
    review = Review.objects.get()
    assert (review.objective_met, review.remediation_used) == (True, True)
    assert RfC.objects.get().status == "reviewed"
    assert client.post(path, body).status_code == 409


# --- attachments -------------------------------------------------------------------------


def test_documents_are_attached_and_downloaded_by_those_who_see_the_rfc(
    client, thread_user, outsider
):
    rfc = services.raise_rfc(by=thread_user, title="With a design")
    client.force_login(thread_user)
    path = f"/changes/rfcs/{rfc.reference}/attachments/"
    response = client.post(path, {"title": "Design", "file": SimpleUploadedFile("x.exe", b"MZ")})
    assert response.status_code == 400
    assert "file" in response.context["refused"].errors
    assert 'value="Design"' in response.content.decode()
    assert not RfCAttachment.objects.exists()
    document = SimpleUploadedFile("design.pdf", b"%PDF-1.4 design")
    response = client.post(path, {"title": "Design", "file": document})
    assert response.status_code == 302
    attachment = RfCAttachment.objects.get()
    download = f"/changes/rfcs/{rfc.reference}/attachments/{attachment.pk}/"
    response = client.get(download)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 design"
    assert response["Repr-Digest"].startswith("sha-256=:")
    client.force_login(outsider)
    assert client.get(download).status_code == 404
    document = SimpleUploadedFile("other.pdf", b"%PDF-1.4 other")
    assert client.post(path, {"file": document}).status_code == 404
    assert RfCAttachment.objects.count() == 1


# --- the CAB -------------------------------------------------------------------------------


def meeting_body(members, **extra):
    return {
        "kind": "cab",
        "title": "Monthly CAB",
        "starts_at": local(timezone.now() + timedelta(days=1)),
        "location": "Room 12",
        "members": [m.pk for m in members],
        **extra,
    }


def test_the_change_manager_plans_a_meeting(client, change_manager, members, requester):
    client.force_login(change_manager)
    assert 'type="datetime-local"' in client.get("/changes/cab/new/").content.decode()
    response = client.post("/changes/cab/new/", meeting_body(members) | {"members": []})
    assert response.status_code == 400
    assert "members" in response.context["form"].errors
    assert 'value="Monthly CAB"' in response.content.decode()
    response = client.post("/changes/cab/new/", meeting_body(members, starts_at="9999-12-31T23:59"))
    assert response.status_code == 400
    assert "starts_at" in response.context["form"].errors
    assert not CabMeeting.objects.exists()
    response = client.post("/changes/cab/new/", meeting_body(members))
    meeting = CabMeeting.objects.get()
    assert response["Location"] == f"/changes/cab/{meeting.pk}/"
    assert meeting.members.count() == 3
    assert "Monthly CAB" in client.get("/changes/cab/").content.decode()
    client.force_login(requester)
    assert client.get("/changes/cab/new/").status_code == 403
    assert client.post("/changes/cab/new/", meeting_body(members)).status_code == 403


def test_a_meeting_is_seen_by_its_members_and_the_itsm_staff_only(
    client, meeting, members, thread_user, outsider, requester
):
    path = f"/changes/cab/{meeting.pk}/"
    client.force_login(members[0])
    assert client.get(path).status_code == 200
    client.force_login(requester)  # ITSM staff
    assert client.get(path).status_code == 200
    client.force_login(thread_user)
    assert client.get(path).status_code == 404
    assert "Weekly CAB" not in client.get("/changes/cab/").content.decode()
    for action in ("agenda", "advice", "decisions", "minutes"):
        assert client.post(f"{path}{action}/").status_code == 404
    assert client.get("/changes/cab/987654321/").status_code == 404


def test_the_agenda_advice_decision_and_minutes(
    client, draft, requester, change_manager, members, meeting
):
    rfc = awaiting(draft(), change_manager)
    other = awaiting(draft("Second"), change_manager)
    path = f"/changes/cab/{meeting.pk}/"
    client.force_login(members[0])
    assert client.post(f"{path}agenda/", {"build": "1"}).status_code == 403
    client.force_login(change_manager)
    page = client.get(path).content.decode()
    assert "Build the agenda from the RfCs awaiting the CAB" in page
    # one is typed, the RfCs awaiting suggested as the field's list
    assert 'list="agenda-candidates"' in page
    for waiting in (rfc, other):
        assert f'<option value="{waiting.reference}">{escape(waiting.title)}</option>' in page
    response = client.post(f"{path}agenda/", {"rfc": "RFC-NOWHERE"})
    assert response.status_code == 400
    assert "rfc" in response.context["refused"].errors
    refused = response.content.decode()
    assert "No RfC of that reference awaits this CAB." in refused
    assert 'value="RFC-NOWHERE"' in refused  # what was typed is kept
    # typed as a person types it: spaces around, small letters
    typed = f"  {other.reference.lower()} "
    assert client.post(f"{path}agenda/", {"rfc": typed}).status_code == 302
    assert client.post(f"{path}agenda/", {"build": "1"}).status_code == 302
    assert list(meeting.agenda.values_list("rfc__reference", flat=True)) == [
        other.reference,
        rfc.reference,
    ]
    page = client.get(path).content.decode()
    assert "0 given, 2 needed" in page
    # the conflicts come once the page is shown, each put in its RfC's place
    assert f'hx-get="{path}conflicts/?page=1"' in page
    assert f'<dd id="conflicts-{rfc.reference}">' in page
    part = client.get(f"{path}conflicts/?page=1", headers={"HX-Request": "true"})
    part = part.content.decode()
    for one, two in ((rfc, other), (other, rfc)):  # they overlap
        assert re.search(
            rf'<dd id="conflicts-{one.reference}" hx-swap-oob="true">'
            rf'<strong class="tag rfc-conflict">overlaps <a href="[^"]+">{two.reference}</a>',
            part,
        ), part
    assert "<html" not in part
    # without htmx, a page of its own in the site's layout
    alone = client.get(f"{path}conflicts/").content.decode()
    assert "Conflicts on the agenda" in alone
    assert "overlaps <a" in alone
    # a hostile ?page= gets the first page, in either form
    for odd in ("0", "-1", "%C2%B2", "9" * 5000, "1e9", "%00", "%ED%A0%80"):
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(f"{path}conflicts/?page={odd}", headers=headers)
            assert response.status_code == 200, odd
            assert "overlaps <a href" in response.content.decode(), odd

    # Advice: the members only, once each.
    assert (
        client.post(f"{path}advice/", {"rfc": rfc.reference, "verdict": "approve"}).status_code
        == 403
    )
    client.force_login(members[0])
    page = client.get(path).content.decode()
    assert f"Give advice on {rfc.reference}" in page
    response = client.post(f"{path}advice/", {"rfc": rfc.reference, "verdict": "perhaps"})
    assert response.status_code == 400
    assert "verdict" in response.context["refused"].errors
    # the refused advice comes back in its RfC's place on the agenda, with its error
    item = response.content.decode().split(f'id="item-{rfc.reference}"', 1)[1]
    item = item.split("</article>", 1)[0]
    assert f'aria-label="Your advice on {rfc.reference}"' in item
    assert "perhaps is not one of the available choices" in item
    assert 'name="csrfmiddlewaretoken"' in item
    body = {"rfc": rfc.reference, "verdict": "approve", "comment": "Tested in SAT."}
    assert client.post(f"{path}advice/", body).status_code == 302
    assert client.post(f"{path}advice/", body).status_code == 409
    assert Advice.objects.count() == 1
    assert "Your advice is recorded: Approve." in client.get(path).content.decode()

    # The decision: refused without the quorum, naming what is missing.
    client.force_login(change_manager)
    decision = {"rfc": rfc.reference, "outcome": "authorised", "conditions": "After 20:00."}
    response = client.post(f"{path}decisions/", decision)
    assert response.status_code == 409
    assert "the advice of 1 more member(s) (quorum 2)" in response.content.decode()
    client.force_login(members[1])
    client.post(f"{path}advice/", {"rfc": rfc.reference, "verdict": "abstain"})
    client.force_login(change_manager)
    assert "quorum met" in client.get(path).content.decode()
    assert client.post(f"{path}decisions/", decision).status_code == 302
    assert CabDecision.objects.get().outcome == "authorised"
    assert RfC.objects.get(pk=rfc.pk).status == "authorised"
    item = client.get(path).content.decode().split(f'id="item-{rfc.reference}"', 1)[1]
    item = item.split("</article>", 1)[0]
    assert "<strong>Decision: Authorised</strong>, on conditions: After 20:00." in item
    assert "Tested in SAT." in item  # the advice given, with its comment
    # who advised what, and who decided, by name
    for member, verdict in ((members[0], "Approve"), (members[1], "Abstain")):
        assert f"{member.get_full_name() or member.username}: <strong>{verdict}</strong>" in item
    assert f"<small>{change_manager.get_full_name() or change_manager.username} " in item
    assert f"Record the decision on {rfc.reference}" not in item

    # Minutes: once, then shown read-only.
    response = client.post(f"{path}minutes/", {"minutes": ""})
    assert response.status_code == 400
    assert "minutes" in response.context["refused"].errors
    assert client.post(f"{path}minutes/", {"minutes": "Authorised one."}).status_code == 302
    page = client.get(path).content.decode()
    assert "Authorised one." in page
    assert "Recorded and sent" in page
    assert "Record and send the minutes" not in page
    assert client.post(f"{path}minutes/", {"minutes": "Again"}).status_code == 409
    assert CabMeeting.objects.get().minutes == "Authorised one."


def test_the_meeting_page_costs_the_same_with_more_on_its_agenda(
    client, draft, change_manager, meeting, members
):
    def add(titles):
        for title in titles:
            awaiting(draft(title), change_manager)
        services.build_agenda(meeting, by=change_manager)
        for item in meeting.agenda.all():
            if not item.rfc.advice.exists():
                services.give_advice(meeting, by=members[0], rfc=item.rfc, verdict="approve")

    add(["First", "Second"])  # they overlap: a conflict each
    paths = [f"/changes/cab/{meeting.pk}/", f"/changes/cab/{meeting.pk}/conflicts/"]
    few = {}
    for user in (change_manager, members[1]):
        client.force_login(user)
        for path in paths:
            count(client, path)
            few[user.pk, path] = count(client, path)
    add([f"More {i}" for i in range(4)])
    for user in (change_manager, members[1]):
        client.force_login(user)
        for path in paths:
            assert count(client, path) == few[user.pk, path], (user, path)
    path = paths[0]
    assert client.get(path).content.decode().count("Give advice on") == 6


def test_each_form_of_the_agenda_names_its_own_rfc(client, draft, change_manager, meeting, members):
    """The blank advice and decision forms are rendered once and copied per RfC: each
    copy carries its RfC, in its hidden field, its label and its fields' ids."""
    rfcs = [awaiting(draft(title), change_manager) for title in ("First", "Second", "Third")]
    services.build_agenda(meeting, by=change_manager)
    for user, kind in ((change_manager, "decisions"), (members[0], "advice")):
        client.force_login(user)
        page = client.get(f"/changes/cab/{meeting.pk}/").content.decode()
        forms = re.findall(rf'<form method="post" action="[^"]+/{kind}/"(.*?)</form>', page, re.S)
        assert len(forms) == len(rfcs)
        for rfc, body in zip(rfcs, forms, strict=True):
            assert f'on {rfc.reference}"' in body
            assert f'name="rfc" value="{rfc.reference}"' in body
            ids = re.findall(r'id="([^"]+)"', body)
            assert ids
            assert all(rfc.reference in i for i in ids)
        assert "RFC-ON-THE-AGENDA" not in page
        ids = re.findall(r'id="([^"]+)"', page)
        assert len(ids) == len(set(ids))


# --- the change schedule ------------------------------------------------------------------


def test_the_change_schedule_flags_overlaps_and_filters(
    client, draft, requester, change_manager, members, application
):
    first, _ = through_cab(draft("First"), by=change_manager, members=members)
    second, _ = through_cab(draft("Second"), by=change_manager, members=members)
    other_app = Application.objects.create(code="ncts", name="New Computerised Transit")
    later = services.raise_rfc(
        by=requester, title="Later", **complete(other_app, days=40), change_type="standard"
    )
    later = services.fire(later, "submit", by=requester)
    assert later.status == "authorised"
    client.force_login(requester)
    page = client.get("/changes/schedule/").content.decode()
    for r in (first, second, later):
        assert r.reference in page
    assert page.count('class="overlap"') == 2
    page = client.get("/changes/schedule/", {"application": "ncts"}).content.decode()
    assert later.reference in page
    assert first.reference not in page
    day = timezone.localdate() + timedelta(days=30)
    page = client.get("/changes/schedule/", {"start": day.isoformat()}).content.decode()
    assert later.reference in page
    assert first.reference not in page
    response = client.get("/changes/schedule/", {"start": "2027-02-01", "end": "2027-01-01"})
    assert "The end comes after the start." in response.content.decode()


def test_the_change_schedule_costs_the_same_with_more_changes(
    client, draft, requester, change_manager, members
):
    for title in ("First", "Second"):  # two that overlap: the overlaps are read too
        through_cab(draft(title), by=change_manager, members=members)
    client.force_login(requester)
    count(client, "/changes/schedule/")
    few = count(client, "/changes/schedule/")
    for i in range(3):
        through_cab(draft(f"More {i}"), by=change_manager, members=members)
    assert count(client, "/changes/schedule/") == few
    assert client.get("/changes/schedule/").content.decode().count('class="overlap"') == 5


def test_the_change_schedule_pages_by_fifty_without_counting_them_all(
    client, requester, application
):
    """Fifty changes a page, a later page offered while there are more; any odd page
    number is the first page."""
    start = timezone.now() + timedelta(days=3)
    for i in range(52):
        window = {"planned_start": start + timedelta(hours=i)}
        window["planned_end"] = window["planned_start"] + timedelta(minutes=30)
        rfc = services.raise_rfc(
            by=requester,
            title=f"Standard {i}",
            change_type="standard",
            **complete(application, **window),
        )
        services.fire(rfc, "submit", by=requester)
    client.force_login(requester)
    first = client.get("/changes/schedule/").content.decode()
    assert first.count("Standard ") == 50
    assert "Later changes" in first
    assert "Earlier changes" not in first
    second = client.get("/changes/schedule/", {"page": "2"}).content.decode()
    assert re.findall(r"Standard \d+", second) == ["Standard 50", "Standard 51"]
    assert "Earlier changes" in second
    assert "Later changes" not in second
    # the last one a lone surrogate, as a hostile client sends it (UTF-8 of U+D800)
    for odd in ("0", "-1", "%C2%B2", "9" * 5000, "1e9", "%00", "%ED%A0%80"):
        response = client.get(f"/changes/schedule/?page={odd}")
        assert response.status_code == 200, odd
        assert response.content.decode().count("Standard ") == 50


# --- RM.1.1: the picker ---------------------------------------------------------------------


def test_rm_1_1_picks_an_authorised_rfc_and_refuses_any_other(
    client, cast, make_release, draft, change_manager, members
):
    release = make_release(threads=["a3-cust"])
    authorised, _ = through_cab(draft("Ready"), by=change_manager, members=members)
    undecided = services.fire(draft("Undecided"), "submit", by=change_manager)
    path = f"/releases/{release.identifier}/activities/RM.1.1/"
    client.force_login(cast.rm)
    page = client.get(path).content.decode()
    assert "<datalist" in page
    assert f'<option value="{authorised.reference}">Ready</option>' in page
    assert undecided.reference not in page
    response = client.post(path, {"action": "include-rfc", "rfc": undecided.reference})
    assert response.status_code == 400
    errors = [f.errors for _, _, f in response.context["actions"] if f.is_bound][0]
    assert "a release includes authorised RfCs only" in errors["rfc"][0]
    assert RfC.objects.get(pk=undecided.pk).release is None
    response = client.post(path, {"action": "include-rfc", "rfc": authorised.reference})
    assert response.status_code == 302
    authorised.refresh_from_db()
    assert (authorised.release, authorised.status) == (release, "scheduled")
    page = client.get(path).content.decode()
    assert f'<a href="/changes/rfcs/{authorised.reference}/">{authorised.reference}</a>' in page
    assert "Scheduled in a release" in page
    response = client.post(path, {"action": "include-rfc", "rfc": authorised.reference})
    assert response.status_code == 400
    assert "already in a release" in response.content.decode()


def test_rows_written_by_jinja_escape_what_the_requester_typed(
    client, change_manager, requester, draft, members
):
    """The start page's, the list's and the schedule's rows are written by Jinja2
    (issue 17): a title with markup shows as text there as on every other page, and the
    planned start is Brussels time as Django's ``date`` writes it."""
    title = '<img src=x onerror="alert(1)"> & <b>co</b>'
    rfc = services.fire(draft(title=title), "submit", by=requester)
    authorised, _ = through_cab(draft(title=title), by=change_manager, members=members)
    shown = escape(title).replace("&quot;", "&#34;")
    starts = {
        timezone.localtime(r.planned_start).strftime("%Y-%m-%d %H:%M") for r in (rfc, authorised)
    }
    pages = {
        change_manager: ["/changes/", "/changes/rfcs/", "/changes/schedule/"],
        requester: ["/changes/", "/changes/rfcs/"],
    }
    for user, paths in pages.items():
        client.force_login(user)
        for path in paths:
            page = client.get(path).content.decode()
            assert "<img src=x" not in page, path
            assert "<b>co</b>" not in page, path
            assert shown in page, path
            assert any(start in page for start in starts), path
    client.force_login(change_manager)
    assert authorised.reference in client.get("/changes/schedule/").content.decode()
