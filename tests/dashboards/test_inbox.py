"""The inbox: a user's messages with their read state, filters (release, kind, unread,
needs action) and pager, mark read, unread and all read, the navigation's counts; the
API gives the same. Another user's message is missing for everyone else, and nothing
costs more queries with more mail."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from releasemgmt.notifications import services as outbox
from releasemgmt.notifications.models import Communication, Recipient
from releases.selectors import waiting_for
from tests.releasemgmt.test_inbox import plan

INFORMED = Communication.Kind.INFORMED


def send(to, *, release=None, activity="", subject="A notice", kind=INFORMED, by=None):
    """One message to ``to`` (a user), as the process posts it; its recipient row."""
    comm = outbox.post(
        release=release,
        activity=activity,
        kind=kind,
        interface="",
        subject=subject,
        body=f"{subject}: the body.",
        link="/",
        by=by,
        to_users=[to],
    )
    return Recipient.objects.get(communication=comm, user=to)


def rows(page: str) -> str:
    """The messages' table of the inbox page."""
    return page.split('id="messages"', 1)[1].split("</table>", 1)[0]


@pytest.fixture
def mail(db, release_manager):
    return [send(release_manager, subject=f"Notice {i}") for i in range(3)]


def test_opening_a_message_marks_it_read_once_and_mark_unread_undoes_it(
    client, release_manager, mail
):
    client.force_login(release_manager)
    page = client.get("/messages/").content.decode()
    assert page.count("Unread: </span>") == 3
    response = client.get(f"/messages/{mail[0].pk}/")
    assert response.status_code == 200
    assert "Notice 0: the body." in response.content.decode()
    mail[0].refresh_from_db()
    first = mail[0].read_at
    assert first is not None
    client.get(f"/messages/{mail[0].pk}/")  # a second reading keeps the first
    mail[0].refresh_from_db()
    assert mail[0].read_at == first
    assert client.get("/messages/?unread=yes").content.decode().count("Unread: </span>") == 2
    assert "Notice 0" not in rows(client.get("/messages/?unread=yes").content.decode())
    assert client.post(f"/messages/{mail[0].pk}/unread/").status_code == 302
    mail[0].refresh_from_db()
    assert mail[0].read_at is None


def test_mark_all_read_marks_what_the_filter_shows(client, release_manager, make_release):
    release = make_release()
    about = send(release_manager, release=release, subject="About the release")
    other = send(release_manager, subject="About nothing")
    client.force_login(release_manager)
    response = client.post("/messages/read-all/", {"release": release.identifier})
    assert response.status_code == 302
    assert response["Location"] == f"/messages/?release={release.identifier}"
    about.refresh_from_db()
    other.refresh_from_db()
    assert about.read_at is not None
    assert other.read_at is None
    client.post("/messages/read-all/")
    assert not Recipient.objects.filter(user=release_manager, read_at__isnull=True).exists()


def test_the_filters_show_a_release_a_kind_and_keep_in_the_pager(
    client, release_manager, make_release
):
    release = make_release()
    send(release_manager, release=release, subject="About the release")
    send(release_manager, subject="A process mail", kind=Communication.Kind.PROCESS)
    client.force_login(release_manager)
    shown = rows(client.get(f"/messages/?release={release.identifier}").content.decode())
    assert "About the release" in shown
    assert "A process mail" not in shown
    shown = rows(client.get("/messages/?kind=process").content.decode())
    assert "A process mail" in shown
    assert "About the release" not in shown
    assert "No message matches" in client.get("/messages/?release=NO-SUCH-1").content.decode()
    for i in range(51):
        send(release_manager, subject=f"Bulk {i}", kind=Communication.Kind.PROCESS)
    page = client.get("/messages/?kind=process").content.decode()
    assert "?kind=process&amp;page=2" in page
    second = rows(client.get("/messages/?kind=process&page=2").content.decode())
    assert "A process mail" in second  # the oldest, on the second page


def test_needs_action_shows_what_the_user_owes_until_it_is_done(
    client, api, release_manager, make_release
):
    release = make_release()
    owed = {r.activity.code for r in waiting_for(release_manager).filter(release=release)}
    assert "RM.1.3" in owed
    send(release_manager, release=release, activity="RM.1.3", subject="Initialise the plan")
    send(release_manager, release=release, activity="RM.1.1", subject="Formalised already")
    client.force_login(release_manager)
    page = client.get("/messages/?needs_action=yes").content.decode()
    assert "Initialise the plan" in rows(page)
    assert "Formalised already" not in rows(page)
    assert "Needs your action" in rows(client.get("/messages/").content.decode())
    listed = api(release_manager).get("/api/v1/messages/?needs_action=yes").json()["results"]
    assert [m["subject"] for m in listed] == ["Initialise the plan"]
    assert listed[0]["needs_action"] is True
    counts = client.get("/messages/counts/").content.decode()
    assert "action" in counts
    assert "owed" in counts
    plan(release, release_manager)  # RM.1.3 done
    page = client.get("/messages/?needs_action=yes").content.decode()
    assert "Initialise the plan" not in rows(page)


def test_needs_action_keeps_each_release_with_its_own_activity(
    client, api, release_manager, make_release
):
    """What is owed is (release, activity) pairs, not every activity owed anywhere on
    every release owing something: a message about an activity another release owes,
    on a release that has done it and owes something else, needs no action."""
    owing, done = make_release(), make_release()
    plan(done, release_manager)  # RM.1.3 done on ``done``; something else is owed there

    def owed_on(release) -> set[str]:
        return {r.activity.code for r in waiting_for(release_manager).filter(release=release)}

    still = owed_on(done)
    assert still
    assert "RM.1.3" not in still
    other = sorted(still)[0]
    assert "RM.1.3" in owed_on(owing)
    send(release_manager, release=owing, activity="RM.1.3", subject="Owing: initialise")
    send(release_manager, release=done, activity=other, subject="Done: still owed")
    send(release_manager, release=done, activity="RM.1.3", subject="Done: initialised")
    client.force_login(release_manager)
    table = rows(client.get("/messages/?needs_action=yes").content.decode())
    shown = {"Owing: initialise", "Done: still owed"}
    assert all(subject in table for subject in shown)
    assert "Done: initialised" not in table
    listed = api(release_manager).get("/api/v1/messages/?needs_action=yes").json()["results"]
    assert {m["subject"] for m in listed} == shown


def test_without_the_filter_each_row_about_what_is_owed_is_marked(
    client, api, release_manager, make_release
):
    """Without "needs action" what is owed is read for the page's releases only: the
    rows about an owed activity are marked, on the page and in the API, the others not
    (another release's done activity, a notice about no release)."""
    owing, other = make_release(), make_release()
    plan(other, release_manager)  # RM.1.3 done on the other release
    send(release_manager, release=owing, activity="RM.1.3", subject="Initialise the plan")
    send(release_manager, release=other, activity="RM.1.3", subject="Initialised already")
    send(release_manager, subject="About no release")
    client.force_login(release_manager)
    table = rows(client.get("/messages/").content.decode())
    marked = [line for line in table.split("</tr>") if "Needs your action" in line]
    assert len(marked) == 1
    assert "Initialise the plan" in marked[0]
    listed = api(release_manager).get("/api/v1/messages/").json()["results"]
    assert {m["subject"] for m in listed if m["needs_action"]} == {"Initialise the plan"}
    assert {m["subject"] for m in listed} >= {"Initialised already", "About no release"}
    # each row names its release by identifier, and a notice about none by nothing
    about = {m["subject"]: m for m in listed}
    assert about["Initialise the plan"]["release"] == owing.identifier
    assert about["Initialise the plan"]["activity"] == "RM.1.3"
    assert about["About no release"]["release"] is None
    assert f'href="/releases/{owing.identifier}/"' in table


@pytest.mark.parametrize(
    "query",
    [
        "kind=nonsense",
        "unread=maybe",
        "needs_action=1",
        "release=" + "x" * 5000,
        "release=ab%01cd",
        "release=ab%0Acd",
        "release=%00",
        "release=%ED%A0%80",  # a lone surrogate, as UTF-8 would carry it
        "kind=%ED%A0%80",
        "page=99999999999999999999999",
    ],
)
def test_a_bad_filter_is_a_form_error_on_the_page_and_a_400_in_the_api(
    client, api, release_manager, mail, query
):
    client.force_login(release_manager)
    response = client.get(f"/messages/?{query}")
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    name = query.split("=")[0]
    answer = api(release_manager).get(f"/api/v1/messages/?{query}")
    assert answer.status_code == 400
    assert name in answer.json()
    if name != "page":  # marking all read reads no page
        assert api(release_manager).post(f"/api/v1/messages/read-all/?{query}").status_code == 400


def test_another_user_s_message_is_missing(client, api, release_manager, coordinator, mail):
    client.force_login(coordinator)
    assert client.get(f"/messages/{mail[0].pk}/").status_code == 404
    assert client.post(f"/messages/{mail[0].pk}/unread/").status_code == 404
    theirs = api(coordinator)
    assert theirs.post(f"/api/v1/messages/{mail[0].pk}/read/").status_code == 404
    assert theirs.post(f"/api/v1/messages/{mail[0].pk}/unread/").status_code == 404
    assert theirs.get("/api/v1/messages/").json()["results"] == []
    theirs.post("/api/v1/messages/read-all/")
    assert not Recipient.objects.filter(user=release_manager, read_at__isnull=False).exists()


def test_the_api_reads_and_marks_as_the_page(api, release_manager, make_release, mail):
    client = api(release_manager)
    listed = client.get("/api/v1/messages/").json()
    assert listed["next"] is None
    assert listed["previous"] is None
    first = listed["results"][0]
    assert set(first) == {
        "id",
        "subject",
        "body",
        "link",
        "release",
        "activity",
        "kind",
        "created_at",
        "read_at",
        "needs_action",
    }
    assert first["subject"] == "Notice 2"
    assert first["read_at"] is None
    assert client.get("/api/v1/messages/counts/").json()["unread"] == 3
    read = client.post(f"/api/v1/messages/{first['id']}/read/").json()
    assert read["read_at"] is not None
    # the mark answers the message as the list shows it
    assert read == {**first, "read_at": read["read_at"]}
    assert client.get("/api/v1/messages/counts/").json()["unread"] == 2
    assert len(client.get("/api/v1/messages/?unread=yes").json()["results"]) == 2
    assert client.post(f"/api/v1/messages/{first['id']}/unread/").json()["read_at"] is None
    assert client.post("/api/v1/messages/read-all/?kind=process").json() == {"marked": 0}
    assert client.post("/api/v1/messages/read-all/").json() == {"marked": 3}
    assert client.get("/api/v1/messages/counts/").json() == {
        "unread": 0,
        "unread_more": False,
        "actions_owed": 0,
        "actions_more": False,
    }
    for i in range(51):
        send(release_manager, subject=f"Bulk {i}")
    page = client.get("/api/v1/messages/?unread=yes").json()
    assert len(page["results"]) == 50
    assert "page=2" in page["next"]
    assert "unread=yes" in page["next"]
    second = client.get(page["next"]).json()
    assert second["next"] is None
    assert second["previous"]
    assert [m["subject"] for m in second["results"]] == ["Bulk 0"]


def test_the_navigation_loads_its_counts_after_the_page(client, release_manager, mail):
    client.force_login(release_manager)
    page = client.get("/releases/").content.decode()
    assert 'hx-get="/messages/counts/"' in page
    badge = client.get("/messages/counts/").content.decode()
    assert ", 3 unread, no action owed" in badge
    client.post("/messages/read-all/")
    assert "unread" not in client.get("/messages/counts/").content.decode()


def test_the_unread_are_counted_up_to_a_bound(client, api, release_manager):
    for i in range(100):
        send(release_manager, subject=f"Bulk {i}")
    counts = api(release_manager).get("/api/v1/messages/counts/").json()
    assert counts["unread"] == 99
    assert counts["unread_more"] is True
    client.force_login(release_manager)
    assert "99 or more unread" in client.get("/messages/counts/").content.decode()


def test_the_actions_owed_are_counted_up_to_a_bound(
    client, api, release_manager, make_release, monkeypatch
):
    """The badge counts the actions owed as it counts the unread: up to a bound, then
    "or more" (the bound lowered here, so that a few releases pass it)."""
    from dashboards import inbox

    for _ in range(2):
        make_release()
    owed = inbox.owed_now(release_manager).count
    assert owed > 3
    monkeypatch.setattr(inbox, "ACTIONS_COUNTED", 3)
    counts = api(release_manager).get("/api/v1/messages/counts/").json()
    assert (counts["actions_owed"], counts["actions_more"]) == (3, True)
    client.force_login(release_manager)
    assert "3 or more actions owed" in client.get("/messages/counts/").content.decode()
    monkeypatch.setattr(inbox, "ACTIONS_COUNTED", owed)
    counts = api(release_manager).get("/api/v1/messages/counts/").json()
    assert (counts["actions_owed"], counts["actions_more"]) == (owed, False)


@pytest.mark.parametrize(
    "path",
    [
        "/messages/",
        "/messages/?unread=yes",
        "/messages/?needs_action=yes",
        "/api/v1/messages/",
        "/messages/counts/",
        "/api/v1/messages/counts/",
    ],
)
def test_the_inbox_costs_the_same_with_more_mail(client, release_manager, make_release, path):
    release = make_release()
    client.force_login(release_manager)
    send(release_manager, release=release, activity="RM.1.3")
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        assert client.get(path).status_code == 200
    for i in range(60):
        send(release_manager, release=release, activity="RM.1.3", subject=f"More {i}")
        send(release_manager, subject=f"Other {i}")
    with CaptureQueriesContext(connection) as many:
        client.get(path)
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_row_escapes_the_subject_shows_brussels_time_and_its_form_passes_csrf(
    release_manager,
):
    """The rows are a Jinja2 partial (issue 17): what they show is escaped and in
    Brussels time as the rest of the site, and a read row's form carries a token the
    CSRF check accepts."""
    row = send(release_manager, subject="<script>alert(1)</script> & co")
    Recipient.objects.filter(pk=row.pk).update(read_at=timezone.now())
    client = Client(enforce_csrf_checks=True)
    client.force_login(release_manager)
    table = rows(client.get("/messages/").content.decode())
    assert "<script>" not in table
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in table
    sent = timezone.localtime(row.communication.created_at)
    assert sent.strftime("%Y-%m-%d %H:%M") in table
    assert str(sent.tzinfo) == "Europe/Brussels"
    form = table.split(f'action="/messages/{row.pk}/unread/"', 1)[1]
    token = form.split('name="csrfmiddlewaretoken" value="', 1)[1].split('"', 1)[0]
    assert client.post(f"/messages/{row.pk}/unread/").status_code == 403
    response = client.post(f"/messages/{row.pk}/unread/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.read_at is None
