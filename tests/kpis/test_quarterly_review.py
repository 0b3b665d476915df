"""The quarterly review of the KPIs (seed 002 section 6: "KPIs are reviewed quarterly to
decide improvement actions"; issue 15 point 7): the quarter's KPIs, lessons learned and
open improvement actions on one page, the release manager's record of the review with
the actions it decided, who reads it and who writes it, through the pages and the API."""

import datetime
import json
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftercare.models import ImprovementAction, Lesson, PostReleaseReview
from kpis import periods
from releasemgmt.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def last_quarter():
    return periods.quarter_of(timezone.localdate()).previous()


def held_on() -> str:
    return timezone.localdate().isoformat()


def web(user):
    client = Client()
    client.force_login(user)
    return client


def review_body(cast, **extra):
    return {
        "held_on": held_on(),
        "participants": [cast.rm.username, cast.dc.username],
        "summary": "Late releases doubled; rollbacks steady.",
        "decisions": "Baseline every plan at RM.1.4.\nRehearse migrations.",
    } | extra


@pytest.fixture
def records(cast, make_release):
    """A lesson learned in the last quarter and one in this quarter; an improvement
    action open and late, one done."""
    quarter = last_quarter()
    release = make_release()
    review = PostReleaseReview.objects.create(
        release=release, note="Reviewed", recorded_by=cast.rm, recorded_at=timezone.now()
    )

    def lesson(text, day):
        made = Lesson.objects.create(
            release=release,
            application=release.application,
            review=review,
            what_happened=text,
            next_time="Do better",
            tags_text="testing",
            author=cast.rm,
        )
        moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
        Lesson.objects.filter(pk=made.pk).update(created_at=moment)
        return made

    before = lesson("The SAT overran", quarter.start + datetime.timedelta(days=10))
    after = lesson("Nobody was told", timezone.localdate())
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    late = ImprovementAction.objects.create(
        review=review,
        release=release,
        title="Rehearse the migration",
        owner=cast.dc,
        due_date=yesterday,
        created_by=cast.rm,
    )
    ImprovementAction.objects.create(
        review=review,
        release=release,
        title="Already done",
        owner=cast.dc,
        due_date=yesterday,
        status=ImprovementAction.Status.DONE,
        created_by=cast.rm,
    )
    return {"release": release, "in_quarter": before, "later": after, "late": late}


def test_the_list_names_the_last_eight_quarters_and_whether_each_is_reviewed(cast):
    quarter = last_quarter()
    cast.ok(
        cast.client(cast.rm).post(
            f"/api/v1/kpis/reviews/{quarter.key}/", review_body(cast), format="json"
        ),
        201,
    )
    listed = cast.ok(cast.client(cast.dc).get("/api/v1/kpis/reviews/"))
    assert listed["count"] == 8
    rows = {r["quarter"]: r for r in listed["results"]}
    assert rows[quarter.key]["recorded"] is True
    assert rows[periods.quarter_of(timezone.localdate()).key]["recorded"] is False
    page = web(cast.dc).get("/kpis/reviews/")
    assert page.status_code == 200
    assert f'href="/kpis/reviews/{quarter.key}/"' in page.content.decode()


def test_the_page_shows_the_quarters_kpis_lessons_and_open_actions(cast, records):
    quarter = last_quarter()
    body = cast.ok(cast.client(cast.dc).get(f"/api/v1/kpis/reviews/{quarter.key}/"))
    assert body["period"]["key"] == quarter.key
    assert body["previous"]["key"] == quarter.previous().key
    assert {k["slug"] for k in body["kpis"]} >= {"total", "late", "rollback"}
    assert [lesson["what_happened"] for lesson in body["lessons"]] == ["The SAT overran"]
    opened = [(a["title"], a["late"], a["release"]) for a in body["open_actions"]]
    assert opened == [("Rehearse the migration", True, records["release"].identifier)]
    assert body["review"] is None
    assert body["may_record"] is False  # the coordinator reads

    page = web(cast.dc).get(f"/kpis/reviews/{quarter.key}/").content.decode()
    assert 'id="kpi-table"' in page
    assert "The SAT overran" in page
    assert "Nobody was told" not in page  # recorded this quarter
    assert "Rehearse the migration" in page
    assert "Already done" not in page
    assert 'id="record-review"' not in page


def test_the_release_manager_records_the_review_and_updates_it_audited(cast, records):
    quarter = last_quarter()
    url = f"/api/v1/kpis/reviews/{quarter.key}/"
    body = review_body(
        cast,
        action_title="Baseline every plan",
        action_owner=cast.dc.username,
        action_due_date=(timezone.localdate() + datetime.timedelta(days=30)).isoformat(),
    )
    review = cast.ok(cast.client(cast.rm).post(url, body, format="json"), 201)["review"]
    assert review["participants"] == sorted([cast.rm.username, cast.dc.username])
    assert review["decisions"].startswith("Baseline every plan at RM.1.4.")
    assert [(a["title"], a["owner"], a["status"]) for a in review["actions"]] == [
        ("Baseline every plan", cast.dc.username, "open")
    ]
    entry = AuditEntry.objects.get(action="quarterly_review_recorded")
    assert entry.actor == cast.rm
    assert entry.changes["summary"][1] == body["summary"]
    assert AuditEntry.objects.filter(action="quarterly_action_added").count() == 1

    again = review_body(cast, summary="Late releases doubled.", participants=[cast.rm.username])
    page = cast.ok(cast.client(cast.rm).post(url, again, format="json"), 200)
    assert page["review"]["summary"] == "Late releases doubled."
    assert page["review"]["participants"] == [cast.rm.username]
    assert len(page["review"]["actions"]) == 1  # kept; none added
    updated = AuditEntry.objects.get(action="quarterly_review_updated")
    assert updated.changes["summary"] == [body["summary"], "Late releases doubled."]
    assert updated.changes["participants"][0] == sorted([cast.rm.username, cast.dc.username])
    # the quarterly action is among the open ones, next to the release's
    titles = {(a["title"], a["quarter"]) for a in page["open_actions"]}
    assert ("Baseline every plan", quarter.key) in titles
    assert ("Rehearse the migration", None) in titles


def test_the_page_records_the_review_with_an_action_and_its_owner_marks_it_done(cast):
    quarter = last_quarter()
    path = f"/kpis/reviews/{quarter.key}/"
    due = (timezone.localdate() + datetime.timedelta(days=10)).isoformat()
    body = review_body(
        cast, action_title="Test earlier", action_owner=cast.dc.username, action_due_date=due
    )
    response = web(cast.rm).post(path, body)
    assert response.status_code == 302
    page = web(cast.rm).get(path).content.decode()
    assert "Rehearse migrations." in page
    assert "Test earlier" in page
    action = cast.ok(cast.client(cast.rm).get(f"/api/v1/kpis/reviews/{quarter.key}/"))
    pk = action["review"]["actions"][0]["id"]

    stranger = cast.desk  # ITSM staff, neither owner nor release manager
    refused = web(stranger).post(f"{path}actions/{pk}/", {"status": "done"})
    assert refused.status_code == 403
    assert web(cast.dc).post(f"{path}actions/{pk}/", {"status": "done"}).status_code == 302
    moved = AuditEntry.objects.get(action="quarterly_action_moved")
    assert moved.changes == {"status": ["open", "done"]}
    body = cast.ok(cast.client(cast.rm).get(f"/api/v1/kpis/reviews/{quarter.key}/"))
    assert body["review"]["actions"][0]["status"] == "done"
    assert all(a["title"] != "Test earlier" for a in body["open_actions"])
    again = cast.client(cast.rm).post(
        f"/api/v1/kpis/reviews/{quarter.key}/actions/{pk}/", {"status": "open"}, format="json"
    )
    assert cast.ok(again)["status"] == "open"


def test_the_form_offers_the_staff_by_name_with_the_participants_checked(cast, make_user):
    """Each ITSM staff member a box labelled with their full name, else their username;
    those recorded checked when the page is asked again; a business thread not offered."""
    named = make_user("ada", "ITSM Service Desk", first_name="Ada", last_name="Lovelace <Ops>")
    quarter = last_quarter()
    path = f"/kpis/reviews/{quarter.key}/"
    body = review_body(cast, participants=[named.username, cast.dc.username])
    assert web(cast.rm).post(path, body).status_code == 302
    page = web(cast.rm).get(path).content.decode()
    boxes = re.findall(
        r'<label><input type="checkbox" name="participants" ([^>]*)> ([^<]*)</', page
    )
    offered = {
        re.search(r'value="([^"]+)"', attrs)[1]: (label, " checked" in attrs)
        for attrs, label in boxes
    }
    assert offered["ada"] == ("Ada Lovelace &lt;Ops&gt;", True)
    assert offered[cast.dc.username] == (str(cast.dc), True)
    assert offered[cast.rm.username] == (str(cast.rm), False)
    assert cast.cust.username not in offered
    assert list(offered) == sorted(offered)


def test_only_the_release_manager_writes_others_of_the_staff_read(cast):
    quarter = last_quarter()
    url = f"/api/v1/kpis/reviews/{quarter.key}/"
    refused = cast.client(cast.dc).post(url, review_body(cast), format="json")
    assert refused.status_code == 403
    page = web(cast.dc).post(f"/kpis/reviews/{quarter.key}/", review_body(cast))
    assert page.status_code == 403
    assert not AuditEntry.objects.filter(action__startswith="quarterly").exists()
    assert cast.client(cast.desk).get(url).status_code == 200


def test_a_business_thread_gets_403_and_the_anonymous_the_login(cast):
    quarter = last_quarter()
    for path in ("/kpis/reviews/", f"/kpis/reviews/{quarter.key}/"):
        assert web(cast.cust).get(path).status_code == 403
        anonymous = Client().get(path)
        assert anonymous.status_code == 302
        assert anonymous["Location"].startswith("/login/")
    for path in ("/api/v1/kpis/reviews/", f"/api/v1/kpis/reviews/{quarter.key}/"):
        assert cast.client(cast.cust).get(path).status_code == 403
        assert cast.api().get(path).status_code == 401
    post = cast.client(cast.cust).post(
        f"/api/v1/kpis/reviews/{quarter.key}/", review_body(cast), format="json"
    )
    assert post.status_code == 403


@pytest.mark.parametrize("quarter", ["2026-Q5", "2026-Q0", "2026", "2026-H1", "0999-Q1", "x"])
def test_a_malformed_or_out_of_range_quarter_is_404(cast, quarter):
    assert web(cast.rm).get(f"/kpis/reviews/{quarter}/").status_code == 404
    assert cast.client(cast.rm).get(f"/api/v1/kpis/reviews/{quarter}/").status_code == 404
    post = cast.client(cast.rm).post(
        f"/api/v1/kpis/reviews/{quarter}/", review_body(cast), format="json"
    )
    assert post.status_code == 404


def test_bad_input_is_named_and_kept_and_nothing_is_saved(cast):
    quarter = last_quarter()
    url = f"/api/v1/kpis/reviews/{quarter.key}/"
    cases = {
        "summary": {"summary": ""},
        "held_on": {"held_on": (quarter.start - datetime.timedelta(days=1)).isoformat()},
        "action_owner": {"action_title": "Owned by nobody"},
        "action_due_date": {"action_title": "Undated", "action_owner": cast.dc.username},
        "participants": {"participants": ["nobody"]},
    }
    for field, change in cases.items():
        response = cast.client(cast.rm).post(url, review_body(cast) | change, format="json")
        assert response.status_code == 400, field
        assert field in response.json(), (field, response.json())
    future = (timezone.localdate() + datetime.timedelta(days=1)).isoformat()
    page = web(cast.rm).post(
        f"/kpis/reviews/{quarter.key}/",
        review_body(cast, held_on=future, summary="Kept as typed"),
    )
    assert page.status_code == 400
    assert page.context["form"].errors["held_on"]
    assert "Kept as typed" in page.content.decode()
    payload = json.dumps(review_body(cast, decisions="a\x00b", action_title="x\ud800"))
    hostile = cast.client(cast.rm).generic("POST", url, payload, content_type="application/json")
    assert hostile.status_code == 400
    assert not AuditEntry.objects.filter(action__startswith="quarterly").exists()


def test_the_pages_and_the_api_cost_the_same_queries_for_few_or_many(cast, records, make_user):
    quarter = last_quarter()
    url = f"/api/v1/kpis/reviews/{quarter.key}/"
    due = (timezone.localdate() + datetime.timedelta(days=5)).isoformat()
    body = review_body(cast, action_title="One", action_owner=cast.dc.username, action_due_date=due)
    cast.ok(cast.client(cast.rm).post(url, body, format="json"), 201)
    client = web(cast.rm)

    def cost():
        counts = []
        for path in ("/kpis/reviews/", f"/kpis/reviews/{quarter.key}/", url):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200, path
            counts.append(len(queries))
        return counts

    few = cost()
    review = records["late"].review
    for i in range(4):
        owner = make_user(f"owner{i}", "ITSM Service Desk")
        Lesson.objects.create(
            release=records["release"],
            application=records["release"].application,
            what_happened=f"Lesson {i}",
            next_time="Then",
            author=cast.rm,
        )
        ImprovementAction.objects.create(
            review=review,
            release=records["release"],
            title=f"Action {i}",
            owner=owner,
            due_date=timezone.localdate(),
            created_by=cast.rm,
        )
        more = body | {"action_title": f"More {i}", "action_owner": owner.username}
        more["participants"] = [*body["participants"], owner.username]
        cast.ok(cast.client(cast.rm).post(url, more, format="json"))
    assert cost() == few
    assert few[1] <= 40, few


def test_the_open_actions_are_counted_up_to_a_bound_then_more_than(cast, records, monkeypatch):
    """Past ``SHOWN`` rows the open actions are counted, exactly up to the bound; past it
    the page says "more than" and the API's count is null (issue 17: counting them all
    grew with the years)."""
    from kpis import review_selectors

    monkeypatch.setattr(review_selectors, "SHOWN", 2)
    quarter = last_quarter()
    url = f"/api/v1/kpis/reviews/{quarter.key}/"
    for i in range(3):
        ImprovementAction.objects.create(
            review=records["late"].review,
            release=records["release"],
            title=f"Action {i}",
            owner=cast.dc,
            due_date=timezone.localdate(),
            created_by=cast.rm,
        )
    assert cast.ok(cast.client(cast.rm).get(url))["open_actions_count"] == 4
    page = web(cast.rm).get(f"/kpis/reviews/{quarter.key}/").content.decode()
    assert "The 2 due first of 4 open actions." in page

    monkeypatch.setattr(review_selectors, "ACTIONS_COUNTED_UP_TO", 3)
    body = cast.ok(cast.client(cast.rm).get(url))
    assert body["open_actions_count"] is None
    assert len(body["open_actions"]) == 2
    page = web(cast.rm).get(f"/kpis/reviews/{quarter.key}/").content.decode()
    assert "The 2 due first of more than 3 open actions." in page
