"""The start pages sort what is owed by due date and mark the late ones, in words and
style, at a cost that does not grow with the rows; the release page and the API give the
same due dates (issue 16 point 3)."""

import datetime
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext

from changes.models import RfC
from deployments.owed import recount as recount_owed
from releases import policy as release_policy
from tests.lifecycle import upload
from tests.start import start_page


def rows_of(page: str, heading: str) -> list[str]:
    body = page.split(heading, 1)[1].split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return re.findall(r"<tr[^>]*>.*?</tr>", body, re.S)


def test_waiting_for_you_sorted_by_due_date_late_ones_marked(client, make_release, release_manager):
    later = make_release(
        planned_delivery_date=datetime.date(2099, 6, 1),
        planned_installation_date=datetime.date(2099, 6, 20),
    )
    late = make_release()  # delivered on 8 March 2027: RM.1.3 was due then
    late.milestones.filter(kind="delivery").update(
        starts_at=datetime.datetime(2020, 1, 6, tzinfo=datetime.UTC),
        ends_at=datetime.datetime(2020, 1, 7, tzinfo=datetime.UTC),
    )
    client.force_login(release_manager)
    page = start_page(client)
    rows = rows_of(page, "Waiting for you")
    assert late.identifier in rows[0]
    assert later.identifier in rows[-1]
    assert 'class="late"' in rows[0]
    assert '<strong class="due-late">late</strong>' in rows[0]
    assert "2020-01-06" in rows[0]
    assert "late" not in rows[-1].replace(later.identifier, "")
    assert "2099-06-01" in rows[-1]

    detail = client.get(f"/releases/{late.identifier}/").content.decode()
    assert re.search(r'<li class="late">.*?RM\.1\.3.*?2020-01-06.*?late', detail, re.S)


def test_the_start_page_costs_the_same_with_more_owed(client, make_release, release_manager):
    client.force_login(release_manager)
    make_release()
    with CaptureQueriesContext(connection) as one:
        start_page(client)
    for _ in range(3):
        make_release()
    with CaptureQueriesContext(connection) as four:
        page = start_page(client)
    assert len(rows_of(page, "Waiting for you")) >= 4
    assert len(four.captured_queries) == len(one.captured_queries)


def test_the_thread_s_decisions_show_their_due_date(client, cast, release_at):
    release = release_at("acceptance")
    report = {"kind": "psat", "file": upload("psat.pdf")}
    cast.ok(cast.act(cast.dc, release, "submit-test-report", report), 201)
    release.test_reports.update(uploaded_at=datetime.datetime(2020, 1, 6, 9, tzinfo=datetime.UTC))
    recount_owed()  # a record changed in the database, as the nightly recount finds it
    client.force_login(cast.cust)
    for page in (start_page(client), client.get("/approvals/").content.decode()):
        [row] = rows_of(page, "Decision owed")
        assert 'class="late"' in row
        assert "2020-01-09" in row
        assert ">late</strong>" in row


def test_the_api_lists_what_is_owed_with_due_dates(cast, release_at, release_manager):
    release = release_at("acceptance")
    report = {"kind": "psat", "file": upload("psat.pdf")}
    cast.ok(cast.act(cast.dc, release, "submit-test-report", report), 201)
    release_policy.save_policy(release.application, by=release_manager, decision_days=1)
    release.test_reports.update(uploaded_at=datetime.datetime(2020, 1, 6, 9, tzinfo=datetime.UTC))
    recount_owed()  # a record changed in the database, as the nightly recount finds it

    owed = cast.ok(cast.api(cast.cust).get("/api/v1/owed/"))
    assert owed["activities"] == []
    assert owed["more_activities"] is False
    assert owed["more_decisions"] is False
    [decision] = owed["decisions"]
    assert decision == {
        "release": release.identifier,
        "thread": "A3/Cust",
        "kind": "psat",
        "label": decision["label"],
        "activity": "RM.4.1",
        "due_date": "2020-01-07",
        "lateness": "late",
        "link": f"/releases/{release.identifier}/decisions/psat/",
    }
    activities = cast.ok(cast.api(cast.dc).get("/api/v1/owed/"))["activities"]
    assert [a["activity"] for a in activities] == ["RM.4.1", "RM.4.2"]
    assert all(a["due_date"] and a["link"].endswith(f"/{a['activity']}/") for a in activities)
    assert cast.api(None).get("/api/v1/owed/").status_code in (401, 403)


def test_the_approvals_page_a_thread_at_a_time_pages_through_every_decision_owed(
    client, cast, release_at, monkeypatch
):
    """A thread owing more than a page says so and links the rest: none is left out or
    shown twice, whatever ``?page=`` says (issue 17)."""
    from dashboards import views

    monkeypatch.setattr(views, "APPROVALS_PER_PAGE", 2)
    owing = []
    for n in range(3):
        rfc = RfC.objects.create(
            reference=f"RFC-20{n}", title="Rules", status="authorised", requester=cast.rm
        )
        release = release_at("acceptance", rfc=rfc)
        report = {"kind": "psat", "file": upload("psat.pdf")}
        cast.ok(cast.act(cast.dc, release, "submit-test-report", report), 201)
        owing.append(release.identifier)
    client.force_login(cast.cust)

    first = client.get("/approvals/").content.decode()
    assert 'href="?page=2" rel="next"' in first
    assert "more decisions may be owed" in first
    second = client.get("/approvals/?page=2").content.decode()
    assert 'href="?page=1"' in second
    assert 'rel="next"' not in second
    shown = re.findall(r"/releases/([^/]+)/decisions/psat/", first + second)
    assert sorted(shown) == sorted(owing)
    from dashboards import selectors

    monkeypatch.setattr(selectors, "OWED_LISTED", 2)
    owed = cast.ok(cast.api(cast.cust).get("/api/v1/owed/"))
    assert len(owed["decisions"]) == 2
    assert owed["more_decisions"] is True
    for hostile in ("0", "-1", "x", "9" * 30, "\x00", "99"):
        page = client.get("/approvals/", {"page": hostile})
        assert page.status_code == 200
        assert re.findall(r"/releases/([^/]+)/decisions/psat/", page.content.decode()) == (
            re.findall(r"/releases/([^/]+)/decisions/psat/", first)
        )
