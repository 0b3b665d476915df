"""The start page, the release list and page, their API and the calendar's layers are kept
per user until the database changes (releasemgmt.pagecache, issue 17): asked again, they
are answered without being made, and never once anything they show may have changed."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import AuthToken

from releasemgmt import pagecache
from releasemgmt.settings import base
from releases import planning

#: a kept page costs the session, the user and the database's version
KEPT_QUERIES = 3

# The pages are kept under PostgreSQL's log position, which every write on the server moves:
# the writes of the suite's other processes would make each page again.
pytestmark = pytest.mark.serial


@pytest.fixture(autouse=True)
def kept_pages(settings):
    """The pages kept as in production (the suite's settings make every page)."""
    settings.KEPT_PAGES = base.KEPT_PAGES


def asked(client, path, **headers):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, path
    return response, len(ctx.captured_queries)


def browser(client):
    """The client holds its CSRF cookie, as a browser does from its first page."""
    if settings.CSRF_COOKIE_NAME not in client.cookies:
        asked(client, "/")
    return client


#: how many times ``kept`` asks for a page before it gives up waiting for the cache
TRIES = 10


def kept(client, path, **headers):
    """Ask until the page is answered from the cache (at most ``TRIES`` times): the answer
    and its query count. A page is kept under the server's log position and the minute,
    so a write elsewhere on the server (autovacuum's, after a busy run) or the turn of a
    minute between two requests makes it once more: made again, its CSRF token masked
    anew, it is the one the kept answer must equal."""
    browser(client)
    made, _ = asked(client, path, **headers)
    for _ in range(TRIES):
        again, queries = asked(client, path, **headers)
        if queries != KEPT_QUERIES:
            made = again
            continue
        assert again.content == made.content
        break
    return again, queries


def test_a_page_asked_again_is_answered_without_being_made(client, make_release, release_manager):
    release = make_release()
    client.force_login(release_manager)
    pages = ("/", "/start/waiting/", "/releases/", f"/releases/{release.identifier}/")
    for path in (*pages, "/messages/counts/"):
        _, made = asked(client, path)
        _, queries = kept(client, path)
        assert queries == KEPT_QUERIES < made, path


def test_the_api_release_list_and_detail_are_kept_for_a_browser_session(
    client, make_release, release_manager
):
    release = make_release()
    client.force_login(release_manager)
    listed, queries = kept(client, "/api/v1/releases/")
    assert queries == KEPT_QUERIES
    assert [row["identifier"] for row in listed.json()["results"]] == [release.identifier]
    path = f"/api/v1/releases/{release.identifier}/"
    made = client.get(path, headers={"HX-Request": "x"})  # another key: made, not kept
    detail, queries = kept(client, path)
    assert queries == KEPT_QUERIES
    assert detail.json()["identifier"] == release.identifier
    for header in ("Content-Type", "Allow", "Vary", "X-Frame-Options"):
        assert detail[header] == made[header], header


def test_a_calendar_layer_is_kept_until_an_installation_moves(
    client, make_release, release_manager
):
    """The calendar's page asks for each layer again on every move between months; the
    conflict flags are made again once a window moves."""
    first, second = make_release(), make_release()
    path = "/api/v1/calendar/?start=2027-03-01&end=2027-04-01&layer=releases"
    client.force_login(release_manager)

    def installation(answer, release) -> dict:
        title = f"{release.identifier} Installation"
        return next(e for e in answer.json()["events"] if e["title"] == title)

    answer, queries = kept(client, path)
    assert queries == KEPT_QUERIES
    assert (installation(answer, second)["start"], installation(answer, second)["conflict"]) == (
        "2027-03-22",
        False,
    )
    window = first.milestones.get(kind="installation")
    planning.plan_milestone(
        second,
        "installation",
        by=release_manager,
        starts_at=window.starts_at,
        ends_at=window.ends_at,
    )
    moved, queries = asked(client, path)
    assert queries > KEPT_QUERIES
    assert installation(moved, second)["start"] == "2027-03-15T00:00:00+01:00"
    assert installation(moved, second)["conflict"] is True


def test_a_write_anywhere_makes_the_page_again(client, make_release, release_manager):
    make_release(name="First of the year")
    client.force_login(release_manager)
    kept(client, "/releases/")
    make_release(name="Second of the year")
    response, queries = asked(client, "/releases/")
    assert "Second of the year" in response.content.decode()
    assert queries > KEPT_QUERIES


def test_a_change_of_rights_in_the_admin_shows_at_once(client, make_user, make_release):
    """No audit entry records a permission given in the admin; the database's version
    moves all the same."""
    make_release(name="Only for the chosen")
    reader = make_user()
    client.force_login(reader)
    response, _ = kept(client, "/releases/")
    assert "Only for the chosen" not in response.content.decode()
    reader.user_permissions.add(Permission.objects.get(codename="view_release"))
    response, _ = asked(client, "/releases/")
    assert "Only for the chosen" in response.content.decode()


def test_each_user_and_session_has_their_own_pages(make_user, make_release, release_manager):
    make_release(name="Seen by the manager")
    manager, stranger = Client(), Client()
    manager.force_login(release_manager)
    stranger.force_login(make_user())
    kept(manager, "/releases/")
    kept(manager, "/api/v1/releases/")
    browser(stranger)
    assert "Seen by the manager" not in stranger.get("/releases/").content.decode()
    assert stranger.get("/api/v1/releases/").json()["count"] == 0
    second_browser = Client()
    second_browser.force_login(release_manager)
    _, queries = asked(browser(second_browser), "/releases/")
    assert queries > KEPT_QUERIES


def test_a_message_is_shown_once_and_not_kept(client, make_release, release_manager):
    release = make_release()
    page = f"/releases/{release.identifier}/"
    client.force_login(release_manager)
    kept(client, page)
    # not a transition of this stage: refused, nothing written, and said once on the page
    response = client.post(f"/releases/{release.identifier}/transitions/record_go/", {})
    assert response.status_code == 302
    assert 'class="flash error"' in client.get(page).content.decode()
    assert 'class="flash' not in client.get(page).content.decode()


def test_a_session_without_its_csrf_cookie_is_not_kept(make_release, release_manager):
    """A page made then carries the token of a secret whose cookie only its answer sets."""
    make_release()
    api = Client()
    api.force_login(release_manager)
    counts = [asked(api, "/api/v1/releases/")[1] for _ in range(3)]
    assert min(counts) > KEPT_QUERIES
    assert settings.CSRF_COOKIE_NAME not in api.cookies


def test_token_clients_and_anonymous_readers_are_not_kept(client, make_release, release_manager):
    make_release()
    _, token = AuthToken.objects.create(release_manager)
    api = Client(headers={"Authorization": f"Token {token}"})
    counts = [asked(api, "/api/v1/releases/")[1] for _ in range(3)]
    assert min(counts) > KEPT_QUERIES
    assert client.get("/releases/").status_code == 302  # to the login page, never kept


def test_a_large_answer_is_not_kept(client, make_release, release_manager, monkeypatch):
    make_release()
    client.force_login(release_manager)
    monkeypatch.setattr(pagecache, "KEPT_MAX_BYTES", 1000)
    browser(client)
    counts = [asked(client, "/releases/")[1] for _ in range(3)]
    assert min(counts) > KEPT_QUERIES


def test_a_large_answer_is_kept_apart(client, make_release, release_manager, monkeypatch):
    """Answers over LARGE_BYTES (a calendar month's layer) go to a store of fewer entries,
    so that a worker's memory stays bounded."""
    make_release()
    client.force_login(release_manager)
    monkeypatch.setattr(pagecache, "LARGE_BYTES", 1000)
    _, queries = kept(client, "/releases/")
    assert queries == KEPT_QUERIES
    caches["pages"].clear()
    assert asked(client, "/releases/")[1] == KEPT_QUERIES
    caches["large_pages"].clear()
    assert asked(client, "/releases/")[1] > KEPT_QUERIES


def test_the_key_holds_the_fragment_asked_the_host_and_the_minute(
    rf, release_manager, monkeypatch, settings
):
    def key(**headers):
        request = rf.get("/releases/", headers=headers)
        request.user = release_manager
        request.session = type("Session", (dict,), {"session_key": "k"})()
        return pagecache.page_key(request, "0/1")

    assert key() != key(HX_Request="true")
    assert key(HX_Request="true", HX_Target="a") != key(HX_Request="true", HX_Target="b")
    assert key() != key(Accept="application/json")
    settings.ALLOWED_HOSTS = ["testserver", "releases.example.org"]
    assert key() != key(Host="releases.example.org")  # the API's links are absolute
    later = timezone.now() + datetime.timedelta(minutes=1)
    first = key()
    monkeypatch.setattr(pagecache.timezone, "now", lambda: later)
    assert key() != first
