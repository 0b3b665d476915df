"""Every operation of the OpenAPI schema fuzzed by schemathesis, in process against the
WSGI application on the suite's PostgreSQL: no 5xx, and every response (status code,
content type, body) as the schema documents it.

The schema is the one ``/api/schema/`` serves (drf-spectacular's generator, built at
collection time when the database is not open yet; a test checks the endpoint serves
the same document). The caller may do a lot: release manager, deployment coordinator of
every release, service desk, change manager, campaign coordinator and process owner.
Releases stand in every stage, and most generated cases get the identifiers of existing
objects in their path and in the body fields that name one, so that requests reach the
services instead of ending in 404 or "no such choice".

The data is made once for the module, in a transaction rolled back at its end; each
operation's test runs in a savepoint of it, and each request in a savepoint of that, so
every case starts from the same data whatever the previous one changed."""

import datetime
import json
import re
import traceback
import zlib

import pytest
import schemathesis
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from knox.models import AuthToken
from rest_framework.test import APIClient
from schemathesis.core.parameters import ParameterLocation

from changes import services as changes
from changes.models import ChangeModel, RfC
from deployments.models import DeploymentTask, PlannedComponent
from deployments.services import mass_notifications
from dsl.models import Subscriber
from raci.models import Activity, Organisation, Party
from releases import planning, services
from releases.lifecycle import GATES
from releases.models import Application
from tests.lifecycle import Cast, install, walk_to

#: Generated examples per operation in the fuzzing phase (positive and negative); the
#: coverage and examples phases add their own deterministic cases.
MAX_EXAMPLES = 15
SEED = 20270301

CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "checks": {
            # A request can fit the schema and still be refused with 400 by a rule of the
            # process: it names an application, RfC, user or component that does not
            # exist, a file of a type not accepted, a component line that is not
            # "name version", a planned date before delivery... The check still flags
            # any other refusal of schema-valid data (405, 415, 422...).
            "positive_data_acceptance": {
                "expected-statuses": ["2xx", "400", "401", "403", "404", "409", "429", "5xx"]
            },
            # Off: the API parses input the way DRF and the web forms do, which this check
            # counts as accepting invalid data although nothing is lost or misread: a
            # number is taken as its text (a subject 0 is "0"), 0 and 1 as booleans,
            # surrounding whitespace is trimmed before the length is checked, and an
            # empty query filter or empty form field of a partial update means "not
            # given", as on the web pages. Values that would be misread (an object or a
            # list for a text field of an activity) are refused with 400 naming the field.
            "negative_data_rejection": {"enabled": False},
        },
    }
)

SCHEMA_DOCUMENT = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(SCHEMA_DOCUMENT, config=CONFIG)
schema.app = WSGIHandler()


# --- the data ----------------------------------------------------------------------


def _user(username, *parties, **extra):
    user = get_user_model().objects.create_user(username, f"{username}@example.org", "pw", **extra)
    user.groups.add(*Group.objects.filter(party__name__in=parties))
    return user


def _api(user=None):
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def _build_world():
    caller = _user(
        "pat",
        "ITSM Release Manager",
        "ITSM Deployment Coordinator",
        "ITSM Service Desk",
        "ITSM Change Manager",
        "ITSM Campaign Coordinator",
        first_name="Pat",
        last_name="Power",
    )
    caller.user_permissions.add(Permission.objects.get(codename="change_racicell"))
    cast = Cast(
        rm=caller,
        dc=caller,
        cust=_user("cust", "DG TAXUD A3/Cust", first_name="Carla", last_name="Cust"),
        desk=_user("desk", "ITSM Service Desk"),
        campaign=_user("camille", "ITSM Campaign Coordinator"),
        api=_api,
    )
    application = Application.objects.create(code="ecs", name="Export Control System")
    Application.objects.create(code="ncts", name="New Computerised Transit System")
    developers = Organisation.objects.create(
        name="Acme Software",
        party=Party.objects.get(name="3rd Party Developers"),
        group=Group.objects.create(name="3rd party: Acme Software"),
    )
    threads = [Party.objects.get(slug="a3-cust")]
    releases = {}

    def release(key, stage, **fields):
        n = len(releases) + 1
        made = services.formalise_release(
            by=caller,
            application=application,
            version=f"3.{n}.0",
            name=f"Functional update {n}",
            release_type="minor",
            # a week apart: their installations do not collide (deployments.conflicts)
            planned_delivery_date=datetime.date(2027, 3, 1) + datetime.timedelta(weeks=n),
            planned_installation_date=datetime.date(2027, 3, 15) + datetime.timedelta(weeks=n),
            business_threads=threads,
            **fields,
        )
        services.assign_roles(
            made,
            by=caller,
            deployment_coordinator=caller,
            business_threads=threads,
            developers=developers,
        )
        rfc = RfC.objects.create(
            reference=f"RFC-{n}",
            title=f"Change {n}",
            status=RfC.Status.AUTHORISED,
            requester=caller,
        )
        cast.ok(cast.act(caller, made, "include-rfc", {"rfc": rfc.reference}, False), 201)
        walk_to(cast, made, stage)
        releases[key] = made
        return made

    for stage in ("planning", "receiving", "kickoff", "acceptance", "authorisation"):
        release(stage, stage)
    installing = release("installation", "installation")
    cast.ok(cast.perform(caller, installing, "RM.6.1", {"message": "Downtime Saturday"}))
    install(cast, release("installed", "installation", conformance_testing=True), True)
    install(cast, release("failed", "installation"), False)
    closing = release("conformance", "installation", conformance_testing=True)
    install(cast, closing, True)
    cast.ok(cast.perform(caller, closing, "RM.6.5"))
    cast.ok(cast.perform(caller, closing, "RM.6.6", {"message": "ECS is available"}))
    closure = {"configuration_manager_informed": True, "deployment_plan_updated": True}
    cast.ok(cast.perform(caller, closing, "RM.6.7", closure))

    Subscriber.objects.create(application=application, email="reader@example.org")
    notification = mass_notifications.send_mass_notification(
        installing, by=caller, moment="before", subject="ECS down", body="Saturday 20:00"
    )
    RfC.objects.create(reference="RFC-OPEN", title="Pending change", requester=caller)
    RfC.objects.create(
        reference="RFC-READY",
        title="Approved change",
        status=RfC.Status.AUTHORISED,
        requester=caller,
    )
    changed = _change_management(caller, cast.cust, application)
    window = planning.save_window(  # far from the releases' installations
        by=caller,
        kind="maintenance",
        title="Sunday night",
        starts_at=timezone.now() + datetime.timedelta(days=1200),
        ends_at=timezone.now() + datetime.timedelta(days=1200, hours=4),
        repeats_weekly=True,
        application=Application.objects.get(code="ncts"),
    )
    # the objects that exist, by kind, for the paths and bodies of the cases
    return {
        "token": AuthToken.objects.create(caller)[1],
        "release": [r.identifier for r in releases.values()],
        "release_in_stage": {
            n: [r.identifier for r in releases.values() if r.stage_number == n] for n in range(1, 8)
        },
        "application": list(Application.objects.values_list("code", flat=True)),
        "activity": list(Activity.objects.values_list("code", flat=True)),
        "party": list(Party.objects.values_list("slug", flat=True)),
        "thread": ["a3-cust", "a3-tax"],
        "rfc": list(RfC.objects.values_list("reference", flat=True)),
        "mass_notification": [notification.pk],
        "transition": list(GATES),
        "user": ["pat", "cust", "camille"],
        "password": ["pw"],
        "organisation": [developers.name],
        "task": list(DeploymentTask.objects.values_list("pk", flat=True)),
        "component": list(PlannedComponent.objects.values_list("pk", flat=True)),
        "step": list(changes.STEPS),
        "change_model": list(ChangeModel.objects.values_list("name", flat=True)),
        "window": [window.pk],
        **changed,
    }


def _change_management(caller, member, application):
    """A draft with a document, an emergency change awaiting the CAB on a meeting's agenda
    (the caller and a thread user sit on it), another awaiting it off the agenda."""
    start = timezone.now() + datetime.timedelta(days=10)
    complete = {
        "description": "Add the new customs codes.",
        "reason": "Regulation 2026/123.",
        "applications": [application],
        "planned_start": start,
        "planned_end": start + datetime.timedelta(hours=4),
        "backout_plan": "Redeploy the previous version.",
        "backout_trigger": "Smoke tests fail.",
    }
    draft = changes.raise_rfc(by=caller, title="Draft change", **complete)
    attachment = changes.attach(
        draft, by=caller, uploaded=SimpleUploadedFile("design.pdf", b"%PDF-1.4 design")
    )
    awaiting = []
    for title in ("Urgent fix", "Another urgent fix"):
        rfc = changes.raise_rfc(by=caller, title=title, change_type="emergency", **complete)
        rfc = changes.fire(rfc, "submit", by=caller)
        awaiting.append(changes.fire(rfc, "send_to_cab", by=caller))
    meeting = changes.plan_meeting(
        by=caller, kind="cab", title="Weekly CAB", starts_at=start, members=[caller, member]
    )
    changes.put_on_agenda(meeting, by=caller, rfcs=awaiting[:1])
    return {"meeting": [meeting.pk], "attachment": [attachment.pk]}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    """The data, made once; rolled back after the module's tests."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


#: Path parameters and body fields that name an existing object -> the kind of object.
MEETING_ACTIONS = ("agenda", "advice", "decisions", "minutes")
PATH_REFERENCES = {
    "identifier": "release",
    "slug": "party",
    "party": "party",
    "reference": "rfc",
    "id": "mass_notification",
    "name": "transition",
}
#: (parameter, path) of change management's API -> the kind of object it names
CHANGE_PATH_REFERENCES = {
    ("id", "/api/v1/cab-meetings/{id}/"): "meeting",
    **{("id", f"/api/v1/cab-meetings/{{id}}/{a}/"): "meeting" for a in MEETING_ACTIONS},
    ("id", "/api/v1/rfcs/{reference}/attachments/{id}/"): "attachment",
    ("name", "/api/v1/rfcs/{reference}/steps/{name}/"): "step",
    ("id", "/api/v1/windows/{id}/"): "window",
}
BODY_REFERENCES = {
    "application": "application",
    "applications": "application",
    "change_model": "change_model",
    "rfcs": "rfc",
    "members": "user",
    "business_thread": "thread",
    "business_threads": "thread",
    "rfc": "rfc",
    "owner_party": "party",
    "assignee": "user",
    "coordinator": "user",
    "deployment_coordinator": "user",
    "developers": "organisation",
    "task": "task",
    "delivered": "component",
    "username": "user",
    "password": "password",
}


ACTIVITY_STAGE = re.compile(r"/activities/RM\.(\d)\.")


def _pick(known: list, *key):
    """One of ``known``, or None (keep the generated value) one time in len + 1. The
    choice follows from the generated case, so a derandomized run makes the same ones."""
    index = zlib.crc32(repr(key).encode()) % (len(known) + 1)
    return known[index] if index < len(known) else None


def use_existing_objects(case, world) -> None:
    """Give most cases the identifiers of existing objects in their path and in the body
    fields that name one, so that requests get past the lookups into the services. The
    part of a case that is generated to violate the schema is left as it is."""
    label, meta = case.operation.label, case.meta
    rest = (case.query, case.body if isinstance(case.body, (dict, list, str, bytes)) else None)
    if not (meta and meta.is_negative_at(ParameterLocation.PATH)):
        for name, generated in (case.path_parameters or {}).items():
            kind = PATH_REFERENCES.get(name)
            if name == "code":
                kind = "activity" if "/raci/" in case.operation.path else "application"
            kind = CHANGE_PATH_REFERENCES.get((name, case.operation.path), kind)
            known = world.get(kind, [])
            stage = ACTIVITY_STAGE.search(case.operation.path)
            if kind == "release" and stage:
                # mostly a release in the stage of the activity, where it may be performed
                known = 3 * world["release_in_stage"][int(stage[1])] + known
            value = _pick(known, label, name, generated, rest)
            if value is not None:
                case.path_parameters[name] = value
    if isinstance(case.body, dict) and not (meta and meta.is_negative_at(ParameterLocation.BODY)):
        for name, generated in list(case.body.items()):
            value = _pick(world.get(BODY_REFERENCES.get(name), []), label, name, generated)
            if value is not None:
                case.body[name] = [value] if isinstance(generated, list) else value


# --- the run -------------------------------------------------------------------------


@pytest.fixture
def server_errors():
    """The tracebacks behind 500s, so that a failure names the line that raised."""
    seen = []

    def record(sender, request=None, **kwargs):
        seen.append(traceback.format_exc())

    got_request_exception.connect(record)
    yield seen
    got_request_exception.disconnect(record)


@pytest.fixture
def in_transaction(db, world):
    """Requests run inside the test's transaction: the handler must not close the
    connection between them (Django's own test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield world
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_the_fuzzed_schema_is_the_served_one(in_transaction):
    response = _api().get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert json.loads(response.content) == json.loads(json.dumps(SCHEMA_DOCUMENT))


@schema.parametrize()
# No deadline per example: on a busy machine a request is slower, not wrong.
@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_every_operation_conforms_to_the_schema(case, in_transaction, server_errors):
    world = in_transaction
    use_existing_objects(case, world)
    server_errors.clear()
    try:
        with transaction.atomic():
            case.call_and_validate(headers={"Authorization": f"Token {world['token']}"})
            transaction.set_rollback(True)
    except BaseException as failure:  # schemathesis reports an exception group
        for trace in server_errors:
            failure.add_note(trace)
        raise
