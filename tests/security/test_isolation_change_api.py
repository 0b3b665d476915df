"""Isolation of change management's API (the patterns ``routes.py`` classifies as "api
rfc" and "api meeting"): a business-thread user and a developer organisation's user get
404 for an RfC that is not theirs (of another thread's release, or raised by another
thread) and for a CAB meeting they do not sit on, exactly as for one that does not
exist, for every method; the lists, the search and the change schedule show them
nothing of either. The same paths do reach them for the release's own thread."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from changes import services as changes
from changes.models import RfC
from tests.lifecycle import upload

from .conftest import People, new_user
from .routes import API_MEETINGS, API_RFC_FILES, API_RFCS, category, routes
from .test_isolation import answer, methods, send

pytestmark = pytest.mark.django_db

ROUTES = routes()
MISSING = {"reference": "RFC-NOWHERE", "pk": 987654321}


def of(kind):
    return [r for r in ROUTES if category(r) == kind]


def ids(route):
    return route.route


def _their_cab(cast, application):
    """An emergency change thread A3/Cust raised, authorised by an ECAB its user sits on:
    on the change schedule, and on the meeting's agenda with its advice and decision."""
    manager = new_user(None, "ITSM Change Manager")
    start = timezone.now() + timedelta(days=2)
    change = changes.raise_rfc(
        by=cast.cust,
        title="Confidential transit fix",
        change_type="emergency",
        description="Fix the transit rules.",
        reason="They fail.",
        applications=[application],
        planned_start=start,
        planned_end=start + timedelta(hours=2),
        backout_impossible_reason="A data fix.",
    )
    change = changes.fire(change, "submit", by=cast.cust)
    change = changes.fire(change, "send_to_cab", by=manager)
    meeting = changes.plan_meeting(
        by=manager,
        kind="ecab",
        title="Confidential ECAB",
        starts_at=start,
        members=[cast.cust],
    )
    changes.put_on_agenda(meeting, by=manager, rfcs=[change])
    changes.give_advice(meeting, by=cast.cust, rfc=change, verdict="approve")
    changes.record_cab_decision(meeting, by=manager, rfc=change, outcome="authorised")
    return change, meeting


@pytest.fixture(scope="module")
def world(module_db):
    """Their release (thread A3/Cust, Acme) carrying an RfC with a document, and their
    thread's emergency change heard by an ECAB; the outsiders' own release and RfC."""
    people = People.create()
    theirs = people.release("a3-cust", people.acme, name="Confidential transit rules")
    ours = people.release("a3-exc", people.globex, version="3.1.0", rfc=False)
    rfc = RfC.objects.get(release=theirs)
    attachment = changes.attach(rfc, by=rfc.requester, uploaded=upload("design.pdf"))
    change, meeting = _their_cab(people.cast, theirs.application)
    own = changes.raise_rfc(by=people.exc, title="Exc's own change")
    return SimpleNamespace(
        people=people,
        theirs=theirs,
        ours=ours,
        rfc=rfc,
        attachment=attachment,
        change=change,
        meeting=meeting,
        own=own,
        outsiders=[people.exc, people.globex_dev],
        insiders=[people.cast.cust, people.acme_dev],
        secrets=[theirs.identifier, rfc.reference, change.reference, meeting.title],
    )


def test_the_change_api_patterns_are_classified():
    names = {r.name for r in ROUTES}
    assert set(API_RFCS) | API_RFC_FILES | API_MEETINGS <= names
    assert {r.name for r in of("api rfc")} == set(API_RFCS) | API_RFC_FILES
    assert {r.name for r in of("api meeting")} == API_MEETINGS


def _rfc_paths(route, world):
    """(their RfC, the path to it, the path to no RfC) for each RfC the pattern can name:
    their release's RfC and (without a document) their thread's own change."""
    values = {"format": "json", **API_RFCS.get(route.name, {})}
    rfcs = [world.rfc]
    if route.name in API_RFC_FILES:
        values["pk"] = world.attachment.pk
    else:
        rfcs.append(world.change)
    for rfc in rfcs:
        yield (
            rfc,
            route.path(**values, reference=rfc.reference),
            route.path(**values, reference=MISSING["reference"]),
        )


@pytest.mark.parametrize("route", of("api rfc"), ids=ids)
def test_rfc_api_answers_an_outsider_as_if_the_rfc_did_not_exist(route, world, client):
    """The RfC, its steps, review, documents and history: 404 (or 405 for a method the
    endpoint never takes) with the answer of a reference nobody uses."""
    for rfc, theirs, nowhere in _rfc_paths(route, world):
        for user in world.outsiders:
            client.force_login(user)
            for method in methods(route):
                response = send(client, method, theirs)
                assert response.status_code in (404, 405), (user, method, theirs)
                assert answer(response, rfc.reference) == answer(
                    send(client, method, nowhere), MISSING["reference"]
                ), (method, theirs)
                for secret in world.secrets:
                    assert secret not in response.content.decode()
        for user in world.insiders:  # the control: the same paths reach the RfC
            client.force_login(user)
            if rfc == world.change and user == world.people.acme_dev:
                continue  # their thread's own change: not the developers' to see
            assert client.get(theirs).status_code in (200, 405), (user, theirs)


@pytest.mark.parametrize("route", of("api meeting"), ids=ids)
def test_meeting_api_answers_a_non_member_as_if_it_did_not_exist(route, world, client):
    """A CAB meeting, its agenda, advice, decisions and minutes: 404 for every method, as
    for no meeting, to anyone who neither sits on it nor is ITSM staff."""
    theirs = route.path(format="json", pk=world.meeting.pk)
    nowhere = route.path(format="json", pk=MISSING["pk"])
    for user in [*world.outsiders, world.people.acme_dev]:
        client.force_login(user)
        for method in methods(route):
            response = send(client, method, theirs)
            assert response.status_code in (404, 405), (user, method, theirs)
            assert answer(response) == answer(send(client, method, nowhere)), (method, theirs)
            for secret in world.secrets:
                assert secret not in response.content.decode()
    client.force_login(world.people.cast.cust)  # the control: its member reaches it
    assert client.get(theirs).status_code in (200, 405), theirs


LISTS = ["/api/v1/rfcs/", "/api/v1/rfcs/schedule/", "/api/v1/cab-meetings/"]


@pytest.mark.parametrize("path", [*LISTS, "/api/v1/change-models/"])
def test_the_lists_show_an_outsider_nothing_of_another_threads_changes(path, world, client):
    """Lists, searches and filters narrow what the user may see, never widen it."""
    queries = [
        {},
        {"q": world.rfc.reference},
        {"q": world.change.reference},
        {"q": world.change.title},
        {"application": world.theirs.application.code, "status": "authorised"},
    ]
    for user in world.outsiders:
        client.force_login(user)
        for query in queries:
            response = client.get(path, query)
            assert response.status_code == 200, (path, query)
            body = response.content.decode()
            for secret in world.secrets:
                assert secret not in body, (user, path, query, secret)


@pytest.mark.parametrize(
    ("path", "shown"),
    [
        ("/api/v1/rfcs/", ["rfc", "change"]),
        ("/api/v1/rfcs/schedule/", ["change"]),
        ("/api/v1/cab-meetings/", ["meeting"]),
    ],
)
def test_the_same_lists_show_them_to_their_own_thread(path, shown, world, client):
    """The control for the test above: the lists are not simply empty."""
    client.force_login(world.people.cast.cust)
    body = client.get(path).content.decode()
    for key in shown:
        thing = getattr(world, key)
        assert (thing.title if key == "meeting" else thing.reference) in body, key
    client.force_login(world.people.exc)  # and the outsiders' own RfC is in theirs
    assert world.own.reference in client.get("/api/v1/rfcs/").content.decode()
