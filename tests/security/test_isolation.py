"""Cross-thread isolation over every URL of the project: a business-thread user and a
developer organisation's user get 404 for a release (and for any object of a release)
that is not theirs, exactly as for one that does not exist, and no list or page shows
them its identifier. The URL patterns come from the root resolver: a new pattern that
takes a release identifier is tested at once, any other new pattern fails the
classification test until it is classified in ``routes.py``."""

import base64
import datetime
import hashlib
import re
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from changes import services as changes
from changes.models import RfC
from dashboards.views import START_PARTS
from deployments import replies
from deployments.services import mass_notifications
from deployments.services import packages as release_packages
from dsl import configuration, subscribers
from dsl.models import ConfigurationItem, Environment
from raci import deputies
from releasemgmt.accounts import personal_links
from releasemgmt.accounts.tokens import issue_token, tokens_of
from releasemgmt.notifications import services as outbox
from releasemgmt.notifications.models import Communication, Recipient
from releases.downloads import release_files
from releases.models import Release
from satisfaction.models import Survey
from tests.lifecycle import install, walk_to
from tests.start import start_page

from .conftest import People, new_user
from .routes import (
    CI_ITEMS,
    CI_TASKS,
    DELEGATIONS,
    EXPORTS,
    FILES,
    MEETINGS,
    MESSAGES,
    NO_ARGUMENTS,
    OBJECTS,
    PACKAGES,
    PERSONAL,
    PERSONAL_LINKS,
    QUERIES,
    RELEASE_ARGUMENTS,
    RFC_ARGUMENTS,
    SHARED,
    category,
    routes,
)

pytestmark = pytest.mark.django_db

ROUTES = routes()

NOWHERE = "ECS-0.0.0-nowhere"
MISSING_OBJECT = {"pk": 987654321, "reference": "RFC-NOWHERE"}


def of(kind):
    return [r for r in ROUTES if category(r) == kind]


def ids(route):
    return route.route


def object_values(route, world):
    """The other thread's mass notification or RfC, for a pattern naming one."""
    if route.name in CI_TASKS:
        return {"pk": world.ci_task.pk}
    if OBJECTS[route.name] == "pk":
        return {"pk": world.mass_notification.pk}
    return {"reference": world.rfc.reference}


@pytest.fixture(scope="module")
def world(module_db):
    """Their release (thread A3/Cust, Acme) walked to a failed installation, so that it
    has decisions, reports, documents, communications, a rollback decision owed and a
    mass notification; our release (thread A3/Exc, Globex) just planned."""
    people = People.create()
    cast = people.cast
    theirs = people.release(
        "a3-cust", people.acme, version="9.4.2", name="Confidential transit rules"
    )
    # Its application's environments: the accepted one will run its version (RM.3.3).
    for kind in ("sat", "production"):
        Environment.objects.create(
            application=theirs.application, slug=kind, name=kind.upper(), kind=kind
        )
    # In a package of its own, before it is installed.
    package = release_packages.save_package(
        by=cast.rm, reference="PKG-SECRET", name="Confidential package", owner=cast.rm
    )
    release_packages.add_release(package, theirs, by=cast.rm)
    walk_to(cast, theirs, "installation")
    install(cast, theirs, successful=False)
    application = theirs.application
    subscribers.import_subscribers(
        application, by=cast.desk, text="email,name\nann@example.org,Ann\n"
    )
    notification = mass_notifications.send_mass_notification(
        theirs, by=cast.desk, moment="before", subject="Downtime", body="Saturday"
    )
    ours = people.release("a3-exc", people.globex, version="3.1.0", rfc=False)
    theirs = Release.objects.get(pk=theirs.pk)
    assert theirs.stage == "installation"
    for evidence in ("decisions", "documents", "test_reports", "installation_reports"):
        assert getattr(theirs, evidence).exists(), evidence
    rfc = RfC.objects.get(release=theirs)
    # Its RfC on the change schedule, with a document; a CAB their thread's user sits on.
    start = timezone.now() + datetime.timedelta(days=5)
    RfC.objects.filter(pk=rfc.pk).update(
        planned_start=start, planned_end=start + datetime.timedelta(hours=4)
    )
    rfc.refresh_from_db()
    attachment = changes.attach(
        rfc, by=cast.rm, uploaded=SimpleUploadedFile("design.pdf", b"%PDF-1.4 design")
    )
    meeting = changes.plan_meeting(
        by=new_user(None, "ITSM Change Manager"),
        kind="cab",
        title="Confidential board",
        starts_at=start,
        members=[cast.cust],
    )
    return SimpleNamespace(
        package=package,
        people=people,
        theirs=theirs,
        ours=ours,
        rfc=rfc,
        attachment=attachment,
        meeting=meeting,
        mass_notification=notification,
        ci_task=configuration.open_ci_task(theirs, by=cast.rm),
        outsiders=[people.exc, people.globex_dev],
        insiders=[cast.cust, people.acme_dev],
        secrets=[theirs.identifier, theirs.name, rfc.reference, meeting.title, "PKG-SECRET"],
    )


def methods(route):
    return ["get", "post", "put", "patch", "delete"] if route.is_api else ["get", "post"]


def send(client, method, path):
    if method in ("put", "patch"):
        return getattr(client, method)(path, "{}", content_type="application/json")
    return getattr(client, method)(path)


#: a page's CSRF token (in its forms and its htmx header) is new on every response
CSRF_TOKEN = re.compile(r'(csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def answer(response, *hide):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    text = CSRF_TOKEN.sub(r"\1<token>", body.decode(errors="replace"))
    for value in hide:
        text = text.replace(str(value), "<hidden>")
    return response.status_code, text


def test_every_url_pattern_is_classified():
    """A new URL must be placed in a category (and so tested) before it ships."""
    unclassified = [r.route for r in ROUTES if category(r) is None]
    assert not unclassified, f"classify these URL patterns in tests.security.routes: {unclassified}"
    names = {r.name for r in ROUTES}
    stale = (
        NO_ARGUMENTS
        | set(RELEASE_ARGUMENTS)
        | set(OBJECTS)
        | set(PACKAGES)
        | set(SHARED)
        | set(PERSONAL)
        | set(PERSONAL_LINKS)
        | MESSAGES
        | DELEGATIONS
        | FILES
        | set(RFC_ARGUMENTS)
        | MEETINGS
        | CI_ITEMS
    ) - names
    assert not stale, f"these URL names are gone: {stale}"
    assert len(of("release")) >= 40


@pytest.mark.parametrize("route", of("release"), ids=ids)
def test_release_url_answers_an_outsider_as_if_the_release_did_not_exist(route, world, client):
    """404 (or 405 for a method the endpoint never takes), the same answer as for an
    identifier nobody uses: the release's existence is not theirs to know."""
    values = {"format": "json", **RELEASE_ARGUMENTS.get(route.name, {})}
    theirs = route.path(identifier=world.theirs.identifier, **values)
    nowhere = route.path(identifier=NOWHERE, **values)
    for user in world.outsiders:
        client.force_login(user)
        for method in methods(route):
            response = send(client, method, theirs)
            assert response.status_code in (404, 405), (user, method, theirs, response.status_code)
            assert answer(response, world.theirs.identifier) == answer(
                send(client, method, nowhere), NOWHERE
            ), (method, theirs)
            for secret in world.secrets:
                assert secret not in response.content.decode()
    for user in world.insiders:  # the control: the same paths do reach the release
        client.force_login(user)
        for method in ("get", "post"):
            # A record the release has not produced yet is a 404 of its own words.
            reached = answer(send(client, method, theirs), world.theirs.identifier)
            missed = answer(send(client, method, nowhere), NOWHERE)
            assert reached[0] != 404 or reached != missed, (user, method, theirs)


@pytest.mark.parametrize("route", of("object"), ids=ids)
def test_object_url_answers_an_outsider_as_if_the_object_did_not_exist(route, world, client):
    """A mass notification or an RfC of another thread's release: 404, as for no object."""
    argument = OBJECTS[route.name]
    values = {"format": "json", **object_values(route, world)}
    theirs = route.path(**values)
    nowhere = route.path(**(values | {argument: MISSING_OBJECT[argument]}))
    for user in world.outsiders:
        client.force_login(user)
        for method in methods(route):
            response = send(client, method, theirs)
            assert response.status_code in (404, 405), (user, method, theirs, response.status_code)
            assert response.status_code == send(client, method, nowhere).status_code
            for secret in world.secrets:
                assert secret not in response.content.decode()
    for user in world.insiders:
        client.force_login(user)
        assert client.get(theirs).status_code in (200, 405), (user, theirs)


@pytest.mark.parametrize("route", of("package"), ids=ids)
def test_package_url_answers_an_outsider_as_if_the_package_did_not_exist(route, world, client):
    """A package none of whose releases the user may see: 404, as for no package; its
    own thread reaches it."""
    values = {"format": "json", "identifier": world.theirs.identifier}
    theirs = route.path(pk=world.package.pk, **values)
    nowhere = route.path(pk=MISSING_OBJECT["pk"], **values)
    for user in world.outsiders:
        client.force_login(user)
        for method in methods(route):
            response = send(client, method, theirs)
            assert response.status_code in (404, 405), (user, method, theirs, response.status_code)
            assert response.status_code == send(client, method, nowhere).status_code
            for secret in world.secrets:
                assert secret not in response.content.decode()
    for user in world.insiders:
        client.force_login(user)
        assert client.get(theirs).status_code in (200, 403, 405), (user, theirs)


def rfc_values(route, world) -> dict:
    values = dict(RFC_ARGUMENTS[route.name])
    if "pk" in values:
        values["pk"] = world.attachment.pk
    return values


@pytest.mark.parametrize("route", of("rfc"), ids=ids)
def test_rfc_url_answers_an_outsider_as_if_the_rfc_did_not_exist(route, world, client):
    """An RfC carried by another thread's release (its page, steps, review, documents):
    404, the same answer as for a reference nobody uses; its own thread reaches it."""
    values = rfc_values(route, world)
    theirs = route.path(reference=world.rfc.reference, **values)
    nowhere = route.path(reference=MISSING_OBJECT["reference"], **values)
    for user in world.outsiders:
        client.force_login(user)
        for method in ("get", "post"):
            response = send(client, method, theirs)
            assert response.status_code in (404, 405), (user, method, theirs, response.status_code)
            assert answer(response, world.rfc.reference) == answer(
                send(client, method, nowhere), MISSING_OBJECT["reference"]
            ), (method, theirs)
            for secret in world.secrets:
                assert secret not in response.content.decode()
    for user in world.insiders:
        client.force_login(user)
        for method in ("get", "post"):
            reached = answer(send(client, method, theirs), world.rfc.reference)
            missed = answer(send(client, method, nowhere), MISSING_OBJECT["reference"])
            assert reached[0] == 405 or reached != missed, (user, method, theirs)


@pytest.mark.parametrize("route", of("meeting"), ids=ids)
def test_meeting_url_answers_a_non_member_as_if_the_meeting_did_not_exist(route, world, client):
    """A CAB meeting is its members' and the ITSM staff's: anyone else gets the 404 of a
    meeting that does not exist, for its page and for every form posted to it."""
    theirs = route.path(pk=world.meeting.pk)
    nowhere = route.path(pk=MISSING_OBJECT["pk"])
    for user in world.outsiders + [world.people.acme_dev]:
        client.force_login(user)
        for method in ("get", "post"):
            response = send(client, method, theirs)
            assert response.status_code in (404, 405), (user, method, theirs, response.status_code)
            assert answer(response) == answer(send(client, method, nowhere)), (method, theirs)
            assert world.meeting.title not in response.content.decode()
    client.force_login(world.people.cast.cust)  # the control: a member reaches it
    for method in ("get", "post"):
        reached = answer(send(client, method, theirs))
        assert reached[0] == 405 or reached != answer(send(client, method, nowhere)), method
    if route.name == "changes:meeting":
        assert world.meeting.title in client.get(theirs).content.decode()


@pytest.mark.parametrize("route", of("file"), ids=ids)
def test_every_file_of_the_release_is_hidden_from_outsiders(route, world, client):
    """Reports, plans, DSL components and documents, decision evidence: an outsider gets
    the 404 of a file that does not exist; the release's own thread downloads each file
    with the SHA-256 recorded at upload."""
    files = release_files(world.theirs)
    assert {f["kind"] for f in files} >= {"component", "document", "testreport"}
    for entry in files:
        theirs = route.path(kind=entry["kind"], pk=entry["id"])
        nowhere = route.path(kind=entry["kind"], pk=MISSING_OBJECT["pk"])
        for user in world.outsiders:
            client.force_login(user)
            response = client.get(theirs)
            assert response.status_code == 404, (user, theirs)
            assert answer(response) == answer(client.get(nowhere)), theirs
        client.force_login(world.insiders[0])
        response = client.get(theirs)
        assert response.status_code == 200, theirs
        digest = base64.b64encode(bytes.fromhex(entry["sha256"])).decode()
        assert response["Repr-Digest"] == f"sha-256=:{digest}:"
        body = b"".join(response.streaming_content)
        assert hashlib.sha256(body).hexdigest() == entry["sha256"]


@pytest.mark.parametrize("route", of("list") + of("shared"), ids=ids)
def test_pages_and_lists_show_an_outsider_nothing_of_another_threads_release(route, world, client):
    """Lists, the start page, the inbox, approvals, the schedule, the API lists, the
    RACI pages and the per-application pages: not a trace of the other release."""
    fmt = "csv" if route.name in EXPORTS else "json"  # a file's suffix, or the JSON one
    path = route.path(format=fmt, **SHARED.get(route.name, {}))
    for user in world.outsiders:
        client.force_login(user)
        with transaction.atomic():  # the token view runs outside the request transaction
            response = client.get(path, QUERIES.get(route.name, {}))
        assert response.status_code in (200, 302, 403, 405), (path, response.status_code)
        body = answer(response)[1]
        for secret in world.secrets:
            assert secret not in body, (user, path, secret)


@pytest.mark.parametrize("route", of("ci_item"), ids=ids)
def test_a_configuration_item_names_the_release_that_delivered_it_only_to_its_readers(
    route, world, client
):
    """A CI is the application's master data (its name and version, its status); the
    release that delivered it and changed its status is another thread's secret."""
    item = ConfigurationItem.objects.filter(release=world.theirs).order_by("pk").first()
    assert item is not None
    assert item.history.exists()
    path = route.path(format="json", pk=item.pk)
    for user in world.outsiders:
        client.force_login(user)
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        body = answer(response)[1]
        assert item.name in body
        for secret in world.secrets:
            assert secret not in body, (user, path, secret)
    client.force_login(world.insiders[0])
    assert world.theirs.identifier in answer(client.get(path))[1]
    assert client.get(route.path(format="json", pk=987654321)).status_code == 404


@pytest.mark.parametrize("part", list(START_PARTS))
def test_no_part_of_the_start_page_shows_an_outsider_another_threads_release(part, world, client):
    """Each part of the start page (one room's work each), with htmx and without."""
    for user in world.outsiders:
        client.force_login(user)
        for headers in ({"HX-Request": "true"}, {}):
            response = client.get(f"/start/{part}/", headers=headers)
            assert response.status_code == 200
            for secret in world.secrets:
                assert secret not in response.content.decode(), (user, part, secret)


def test_the_start_page_s_parts_do_show_the_release_to_its_own_thread(world, client):
    """The control for the test above: their thread's user sees their release's work."""
    client.force_login(world.people.cast.cust)
    assert world.theirs.identifier in start_page(client).split('id="start-work"')[1]


LISTED = [
    ("/", "identifier"),
    ("/releases/", "identifier"),
    ("/releases/schedule/", "identifier"),
    ("/approvals/", "identifier"),
    ("/messages/", "identifier"),
    ("/api/v1/releases/", "identifier"),
    ("/api/v1/rfcs/", "reference"),
    ("/changes/rfcs/", "reference"),
    ("/changes/schedule/", "reference"),
    ("/changes/cab/", "meeting"),
    ("/api/v1/calendar/?" + urlencode(QUERIES["calendar"]), "reference"),
    ("/releases/export/?format=csv", "identifier"),
    ("/api/v1/releases/export/?format=csv", "identifier"),
    ("/changes/schedule/export/?format=csv", "reference"),
]


@pytest.mark.parametrize(("path", "what"), LISTED)
def test_the_same_lists_do_show_the_release_to_its_own_thread(path, what, world, client):
    """The control for the test above: the lists are not simply empty."""
    client.force_login(world.people.cast.cust)
    secret = {"reference": world.rfc.reference, "meeting": world.meeting.title}.get(
        what, world.theirs.identifier
    )
    assert secret in answer(client.get(path))[1]


@pytest.mark.parametrize("path", ["/releases/", "/api/v1/releases/"])
def test_outsiders_see_their_own_releases(path, world, client):
    """Nor are the outsiders' lists empty: their own release is there, the other not."""
    for user in world.outsiders:
        client.force_login(user)
        body = client.get(path).content.decode()
        assert world.ours.identifier in body
        assert world.theirs.identifier not in body


#: the export links repeat the page's query, as the search box does
EXPORT_LINK = re.compile(r'href="/releases/(schedule/)?export/\?[^"]*"')


@pytest.mark.parametrize("path", ["/releases/", "/releases/schedule/", "/api/v1/releases/"])
def test_searching_for_the_other_release_finds_nothing(path, world, client):
    """Filters narrow what the user may see; they never widen it."""
    for user in world.outsiders:
        client.force_login(user)
        for query in (
            {"q": world.theirs.identifier},
            {"q": world.theirs.name},
            {"application": world.theirs.application.code, "stage": world.theirs.stage},
        ):
            body = EXPORT_LINK.sub("", client.get(path, query).content.decode())
            for value in query.values():  # the search box shows what was asked
                body = body.replace(f'value="{escape(value)}"', "")
            for secret in world.secrets:
                assert secret not in body, (path, query)
    client.force_login(world.people.cast.cust)  # the control: its own thread finds it
    query = {"q": world.theirs.identifier}
    body = EXPORT_LINK.sub("", client.get(path, query).content.decode())
    body = body.replace(f'value="{query["q"]}"', "")
    assert world.theirs.identifier in body


def test_searching_the_rfcs_for_another_thread_s_request_finds_nothing(world, client):
    """The RfC list's search and filters narrow what the user may see, never widen it."""
    queries = (
        {"q": world.rfc.reference},
        {"q": world.rfc.title},
        {"status": world.rfc.status, "application": world.theirs.application.code},
    )
    for user in world.outsiders:
        client.force_login(user)
        for query in queries:
            body = client.get("/changes/rfcs/", query).content.decode()
            for value in query.values():
                body = body.replace(f'value="{escape(value)}"', "")
            for secret in world.secrets:
                assert secret not in body, (user, query)
    client.force_login(world.people.cast.cust)
    body = client.get("/changes/rfcs/", queries[0]).content.decode()
    assert f">{world.rfc.reference}</a>" in body


def admin_values(route, world) -> dict:
    """Arguments for an admin pattern: objects of the other thread's release."""
    values = {"app_label": "auth", "url": "nowhere/", "format": "json"}
    if "content_type_id" in route.kwargs:
        values |= {
            "content_type_id": ContentType.objects.get_for_model(Release).pk,
            "object_id": world.theirs.pk,
        }
    elif route.kwargs & {"object_id", "id"}:
        app_label, model_name = route.route.split("/")[1:3]
        model = apps.get_model(app_label, model_name)
        fields = {f.name for f in model._meta.get_fields()}
        objects = model.objects.all()
        if model is Release:
            objects = objects.filter(pk=world.theirs.pk)
        elif "release" in fields:
            objects = objects.filter(release=world.theirs)
        obj = objects.first()
        values["object_id"] = values["id"] = obj.pk if obj is not None else 1
    return values


def test_admin_is_closed_to_thread_and_developer_users(world, client):
    """Every admin URL sends a non-staff user to the admin login, whatever object it
    names (the other thread's decisions, reports, documents...)."""
    wrong = []
    for user in world.outsiders:
        for route in of("admin"):
            path = route.path(**admin_values(route, world))
            for method in ("get", "post"):
                client.force_login(user)  # again: one of the paths is the logout
                response = getattr(client, method)(path)
                if route.name in ("admin:login", "admin:logout"):
                    ok = response.status_code in (200, 302, 405)
                else:
                    ok = response.status_code == 302 and response["Location"].startswith(
                        "/admin/login/"
                    )
                if not ok:
                    wrong.append((user.username, method, path, response.status_code))
    assert not wrong


@pytest.mark.parametrize("route", of("personal"), ids=ids)
def test_another_user_s_token_answers_as_a_missing_one(route, world, client):
    """Revoking a token names it by its key: someone else's key is a 404, like no key."""
    owner = world.insiders[0]
    record, _ = issue_token(owner)
    theirs = route.path(token_key=record.token_key)
    nowhere = route.path(token_key="nosuchkey")
    for user in world.outsiders:
        client.force_login(user)
        for method in methods(route):
            response = send(client, method, theirs)
            assert response.status_code in (404, 405), (user, method, theirs)
            assert response.status_code == send(client, method, nowhere).status_code
    assert tokens_of(owner).filter(pk=record.pk).exists()


@pytest.mark.parametrize("route", of("message"), ids=ids)
def test_another_user_s_message_answers_as_a_missing_one(route, world, client):
    """A message of the inbox, read or marked by someone else: the 404 of no message,
    and its read state as it was."""
    owner = world.insiders[0]
    comm = outbox.post(
        release=world.theirs,
        activity="",
        kind=Communication.Kind.INFORMED,
        interface="",
        subject="For the owner only",
        body="x",
        link="/",
        by=None,
        to_users=[owner],
    )
    mine = Recipient.objects.get(communication=comm, user=owner)
    for user in world.outsiders:
        client.force_login(user)
        for method in methods(route):
            response = send(client, method, route.path(pk=mine.pk))
            assert response.status_code in (404, 405), (user, method, route.route)
            nowhere = send(client, method, route.path(pk=MISSING_OBJECT["pk"]))
            assert response.status_code == nowhere.status_code
    mine.refresh_from_db()
    assert mine.read_at is None


@pytest.mark.parametrize("route", of("delegation"), ids=ids)
def test_another_user_s_delegation_answers_as_a_missing_one(route, world, client):
    """A deputy named by someone else, revoked by an outsider: the 404 of no delegation,
    and the delegation still in force; the lists show it to nobody else."""
    owner = world.insiders[0]
    stand_in = get_user_model().objects.create_user("stand-in-" + route.name.replace(":", "-"))
    today = timezone.localdate()
    delegation = deputies.name_deputy(by=owner, deputy=stand_in, starts=today, ends=today)
    for user in world.outsiders:
        client.force_login(user)
        for method in methods(route):
            response = send(client, method, route.path(pk=delegation.pk))
            assert response.status_code in (404, 405), (user, method, route.route)
            nowhere = send(client, method, route.path(pk=MISSING_OBJECT["pk"]))
            assert response.status_code == nowhere.status_code
        assert stand_in.username not in client.get("/account/deputies/").content.decode()
        listed = client.get("/api/v1/deputies/").json()
        assert delegation.pk not in [d["id"] for d in listed]
    delegation.refresh_from_db()
    assert delegation.revoked_at is None
    deputies.revoke_delegation(delegation, by=owner)


@pytest.mark.parametrize("route", of("link"), ids=ids)
def test_another_user_s_personal_link_answers_as_a_missing_one(route, world, client):
    """A link mailed to the other thread's user, opened or posted by an outsider: the 404
    of a token that does not exist, and nothing of the release in it; an altered token
    too. Its owner reaches it (the control)."""
    owner = world.insiders[0]
    survey = Survey.objects.create(release=world.theirs, respondent=owner)
    _, token = personal_links.issue(owner, "satisfaction", survey)
    theirs = route.path(token=token)
    altered = route.path(token=token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    nowhere = route.path(token="nosuchtoken")
    for user in world.outsiders:
        client.force_login(user)
        for method in ("get", "post"):
            missed = answer(send(client, method, nowhere))
            assert missed[0] == 404
            for path in (theirs, altered):
                response = send(client, method, path)
                assert answer(response) == missed, (user, method, path)
                for secret in world.secrets:
                    assert secret not in response.content.decode()
    client.force_login(owner)
    assert send(client, "get", altered).status_code == 404
    reached = send(client, "get", theirs)
    assert reached.status_code == 200
    assert world.theirs.identifier in reached.content.decode()
    assert Survey.objects.get(pk=survey.pk).answered_at is None


@pytest.mark.parametrize("route", of("reply"), ids=ids)
def test_a_reply_in_the_coordinators_queue_is_closed_to_threads_and_developers(
    route, world, client
):
    """An inbound mail names a release and carries a thread's words: the deployment
    coordinator's and the release manager's only (403 to anyone else, on every method)."""
    kept = replies.receive(
        b"From: someone@elsewhere.example\r\nTo: decide+1.x@replies.localhost\r\n"
        b"Subject: Confidential transit rules\r\nMessage-ID: <iso@example.org>\r\n\r\nGO\r\n"
    )
    path = route.path(pk=kept.pk)
    for user in world.outsiders:
        client.force_login(user)
        for method in methods(route):
            response = send(client, method, path)
            assert response.status_code in (403, 405), (user, method, path, response.status_code)
            assert "Confidential" not in response.content.decode(errors="replace")
    client.force_login(world.people.cast.dc)
    assert client.get(path).status_code in (200, 405)
