"""Each persona's start page says what waits for them: the activities they hold, the
decisions their thread owes (before anything else), the mass notifications asked of the
service desk, and what the process asked of them by e-mail."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from dashboards.views import START_PARTS
from raci.permissions import Parties
from releases.communications import communicate, parties
from tests.lifecycle import install, upload
from tests.start import start_page, start_parts


def test_the_thread_sees_what_it_owes_first_and_no_empty_waiting_list(client, cast, release_at):
    release = release_at("acceptance")
    cast.ok(
        cast.act(cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload()}),
        201,
    )
    client.force_login(cast.cust)
    page = start_page(client)
    assert "Good to see you, Carla Cust" in page
    assert "Decisions your thread owes" in page
    assert "Waiting for you" not in page


def test_what_the_process_asked_by_e_mail_is_on_the_start_page(client, cast, release_at, make_user):
    manager = make_user("amy", "ITSM Application Manager", first_name="Amy", last_name="App")
    release = release_at("installation")
    install(cast, release, successful=True)  # RM.6.2 tells application management to go live
    client.force_login(manager)
    page = start_page(client)
    assert "Asked of you by e-mail" in page
    assert "Go live: proceed with the installation" in page
    assert release.identifier in page


def _ask(cast, release):
    communicate(
        release,
        "RM.2.3",
        by=cast.rm,
        mail="rm_2_3_dsl_updated",
        to=parties(Parties.APPLICATION_MANAGER),
    )


def test_the_start_page_costs_the_same_with_more_mail(client, cast, make_release, make_user):
    manager = make_user("amy", "ITSM Application Manager")
    client.force_login(manager)
    _ask(cast, make_release())
    with CaptureQueriesContext(connection) as one:
        start_page(client)
    for _ in range(3):
        _ask(cast, make_release())
    with CaptureQueriesContext(connection) as four:
        page = start_page(client)
    assert page.count("DSL updated") == 4
    assert len(four.captured_queries) == len(one.captured_queries)


def test_nothing_waits_every_part_answers_nothing_and_the_page_says_so_once(client, make_user):
    """A part with nothing waiting answers an empty body, which htmx swaps in: the page's
    one "nothing waits" line shows once no part holds a section (app.css)."""
    client.force_login(make_user("idle", "ITSM Configuration Manager"))
    page = client.get("/").content.decode()
    assert page.count("Nothing waits for you right now.") == 1
    parts = start_parts(client)
    assert set(parts) == {f"/start/{name}/" for name in START_PARTS}
    assert all(not body.strip() for body in parts.values())


def test_a_part_without_htmx_is_a_page_of_its_own(client, cast, release_at, make_user):
    """Without JavaScript the placeholders are links: each part opens in the site's
    layout, and says when nothing of it waits."""
    release = release_at("acceptance")
    cast.ok(
        cast.act(cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload()}),
        201,
    )
    client.force_login(cast.cust)
    page = client.get("/start/decisions/").content.decode()
    assert "<h1>Decisions and mass notifications waiting for you</h1>" in page
    assert "Decisions your thread owes" in page
    assert 'id="nav-messages"' in page
    assert (
        "Nothing of this waits for you right now."
        in client.get("/start/readiness/").content.decode()
    )


def test_a_part_that_is_not_one_is_404_and_anonymous_readers_log_in_first(client, make_user):
    response = client.get("/start/decisions/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")
    client.force_login(make_user("idle", "ITSM Configuration Manager"))
    assert client.get("/start/everything/").status_code == 404
    assert client.get("/start/everything/", headers={"HX-Request": "true"}).status_code == 404


def test_the_start_page_lists_the_first_of_what_waits_and_links_the_rest(
    client, release_manager, make_release, monkeypatch
):
    """The start page shows the first ``START_SHOWN`` activities waiting for the user
    (the earliest due first) and links the inbox's "needs action", which lists them all;
    the queries are the same however many wait."""
    from dashboards import views

    monkeypatch.setattr(views, "START_SHOWN", 2)
    client.force_login(release_manager)
    make_release()
    start_page(client)  # what the process reads once (Table 4-1's ids) is read by now
    with CaptureQueriesContext(connection) as one:
        page = start_page(client)
    assert "Waiting for you" in page
    assert "Everything waiting for you" not in page
    for _ in range(3):
        make_release()
    with CaptureQueriesContext(connection) as four:
        page = start_page(client)
    assert "/messages/?needs_action=yes" in page
    assert "Everything waiting for you" in page
    assert len(four.captured_queries) == len(one.captured_queries)
    inbox = client.get("/messages/", {"needs_action": "yes"})
    assert inbox.status_code == 200


def test_an_activity_held_through_a_team_waits_for_each_of_its_members(
    client, make_release, make_user
):
    """Table 4-1 may give a team party (a business thread, assigned as a group at RM.1.2)
    an activity to perform: every member sees it waiting, on the releases the team is
    assigned to only."""
    from django.contrib.auth.models import Permission

    from raci import services as raci_services
    from raci.models import Activity
    from raci.sync import sync_party_permissions
    from tests.conftest import party

    owner = make_user("owner")
    owner.user_permissions.add(Permission.objects.get(codename="change_racicell"))
    ours = make_release(threads=["a3-cust"])
    theirs = make_release(threads=["a3-tax"])
    raci_services.set_raci_cell(
        by=owner, activity=Activity.objects.get(code="RM.1.3"), party=party("a3-cust"), letters="R"
    )
    sync_party_permissions(party("a3-cust").id)

    client.force_login(make_user("carla", "DG TAXUD A3/Cust"))
    waiting = start_parts(client)["/start/waiting/"]
    assert "Waiting for you" in waiting
    assert ours.identifier in waiting
    assert "RM.1.3" in waiting
    assert theirs.identifier not in waiting

    client.force_login(make_user("tom", "DG TAXUD A3/Tax"))
    assert start_parts(client)["/start/waiting/"].strip() == ""
