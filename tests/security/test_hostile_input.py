"""Hostile input at every door of the API and of the web pages, one class of value at a
time: a lone surrogate, NUL and other control characters, text over its field's length,
a line break or a tab in a one-line field, dates that the calendar or a conversion to
UTC cannot take, integers beyond 64 bits where an id or a choice is named. Each is
refused with a 4xx that names the field (the API: a JSON body that encodes and does
not echo the bad characters; the web: the form shown again with the error on the
field), and nothing is saved.

The API's operations are read from the OpenAPI schema: every writable field of every
request body gets every value that fits its kind, in a body otherwise valid for a
release where the operation can be performed now (checked first: that body succeeds).
The web's forms come from the activity registry and the pages' own forms, with the same
bodies. Each request runs in a savepoint rolled back after it, so every release stays
where it is for the next case.

A browser cannot send a lone surrogate (form bodies are UTF-8, and Django decodes what
is not with replacement characters), nor can a multipart body carry one: those bodies
get every class but that one. The CSV import of subscribers has tests of its own."""

import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace
from urllib.parse import unquote

import pytest
from django import forms
from django.apps import apps
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import got_request_exception
from django.db import connection, transaction
from django.forms.utils import pretty_name
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from aftercare.forms import (
    ActionForm,
    ActionStatusForm,
    CloseHypercareForm,
    IncidentForm,
    LessonForm,
    ResolveIncidentForm,
    ReviewForm,
    TriggerRollbackForm,
)
from aftercare.models import ImprovementAction
from changes import forms as change_forms
from changes import services as change_services
from changes.models import CabDecision, CabMeeting, RfC
from deployments import replies
from deployments.conflicts import conflicts_of, installation_window
from deployments.decision_links import DecisionLinkForm
from deployments.forms import DecisionForm, MassNotificationForm, PlanRevisionForm
from deployments.package_forms import PackageForm, PackageReleaseForm
from deployments.reply_views import DismissReplyForm, RecordReplyForm
from deployments.services import decision_requests, packages
from dsl import configuration
from dsl.environment_forms import (
    ApplicationChangeForm,
    ApplicationForm,
    EnvironmentForm,
    VersionForm,
)
from dsl.forms import ArchiveMediumForm, CITaskForm
from dsl.models import ConfigurationItem, Environment, ProposedStatusChange, Subscriber
from kpis import periods
from kpis import services as kpi_services
from kpis.models import QuarterlyReviewAction
from kpis.review_forms import QuarterlyActionStatusForm, QuarterlyReviewForm
from raci.forms import DeputyForm, MemberForm, OrganisationForm
from readiness import services as readiness_services
from readiness.forms import (
    BoardOutcomeForm,
    CarryItemForm,
    CompleteRunbookForm,
    ConfirmItemForm,
    NewTemplateItemForm,
    RunbookSectionForm,
    ScheduleBoardForm,
    TemplateItemForm,
    WaiveItemForm,
)
from readiness.models import ChecklistItem, TemplateItem
from releasemgmt.accounts import personal_links
from releasemgmt.inputs import MAX_TEXT_LENGTH
from releasemgmt.notifications.models import Recipient
from releasemgmt.units import unit_of_work
from releases import planning, registry
from releases.forms import (
    AssignRolesForm,
    FormaliseReleaseForm,
    MilestoneForm,
    PolicyForm,
    RevisePlanningForm,
    TransitionForm,
    WindowForm,
)
from releases.models import Application, Release
from satisfaction.forms import AnswerForm
from satisfaction.models import Survey
from tests.conftest import party
from tests.lifecycle import PLAN, PLAN_ITEMS, make_ready, walk_to

from .conftest import People, new_user

pytestmark = pytest.mark.django_db

SCHEMA = SchemaGenerator().get_schema(request=None, public=True)
COMPONENTS = SCHEMA["components"]["schemas"]

MAX_TEXT = MAX_TEXT_LENGTH  # the longest text a field without a length of its own takes
BIG = 99_999_999_999_999_999_999_999  # beyond 64 bits

# --- the hostile values, by the kind of field they fit -------------------------------

#: every field, whatever its kind
ANY = {
    "lone surrogate": "ab\ud800cd",
    "NUL": "ab\x00cd",
    "control character": "ab\x1b[31mcd",
}
#: every field but text (where a number is taken as its text, as documented)
NUMBERS = {"integer over 64 bits": BIG, "negative integer over 64 bits": -BIG}
#: fields of one line (and every item of a list of them)
ONE_LINE = {"line break": "ab\ncd", "carriage return": "ab\rcd", "tab": "ab\tcd"}
DATES = {"year 1": "0001-01-01", "before 1900": "1899-12-31"}
DATETIMES = {
    "year 1": "0001-01-01T00:00:00",
    "year 1, east of UTC": "0001-01-01T00:00:00+05:00",
    "end of year 9999": "9999-12-31T23:59:59",
    "year 9999, west of UTC": "9999-12-31T23:59:59-05:00",
    "before 1900": "1899-12-31T12:00:00",
}
#: the ends of the ranges: taken or refused, but never a server error
EDGES = {
    "date": {"first day": "1900-01-01", "last day": "9999-12-31"},
    "datetime": {
        "first day": "1900-01-01T12:00:00",
        "last day": "9999-12-30T23:59:59",
        "last day, far west of UTC": "9999-12-30T23:59:59-12:00",
    },
}
#: characters that must never come back in an error message
BAD_CHARACTERS = ("\ud800", "\x00", "\x1b")


def too_long(max_length: int | None) -> str:
    return "x" * ((max_length or MAX_TEXT) + 1)


def values_for(kind: str, max_length: int | None, *, web: bool) -> dict:
    """The hostile values a field of ``kind`` gets: one, or a list for a list field."""
    values = dict(ANY)
    if kind not in ("text", "line"):
        values |= NUMBERS
    if web:  # a form body is text, and cannot carry a lone surrogate
        values = {name: str(v) for name, v in values.items() if "surrogate" not in name}
    if kind in ("text", "line", "choice", "ref", "refs", "id", "ids", "int"):
        values["too long"] = too_long(max_length)
    if kind in ("line", "choice", "ref", "refs"):
        values |= ONE_LINE
    if kind == "date":
        values |= DATES
    if kind == "datetime":
        values |= DATETIMES
    if kind in ("refs", "ids"):
        values |= {f"{name} in the list": [value] for name, value in values.items()}
    return values


def cases(kind: str, max_length: int | None, *, web: bool):
    """(label, value, hostile) for a field: its hostile values, then the ends of its
    range (hostile False: they may be taken)."""
    for label, value in values_for(kind, max_length, web=web).items():
        yield label, value, True
    for label, value in EDGES.get(kind, {}).items():
        yield label, value, False


# --- the world: releases at every point where an operation can be performed ------------


def _walked(stop):
    def build(world):
        release = world.people.release(conformance_testing=True)
        walk_to(world.cast, release, stop)
        return release

    return build


def _then(base, *steps):
    """The release of point ``base``, then ``steps`` (each given the world and release)."""

    def build(world):
        release = POINTS[base](world)
        for step in steps:
            step(world, release)
        return release

    return build


def _fresh(data):
    """A step's body: a callable makes a fresh one (an uploaded file is read once)."""
    return data() if callable(data) else data


def _perform(code, data=None, user="dc", multipart=False):
    def step(world, release):
        body = _fresh(data)
        world.cast.ok(world.cast.perform(world.user(user), release, code, body, multipart))

    return step


def _act(slug, data, user="dc", multipart=True):
    def step(world, release):
        body = _fresh(data)
        world.cast.ok(world.cast.act(world.user(user), release, slug, body, multipart), 201)

    return step


def _decide(kind):
    def step(world, release):
        world.cast.ok(world.cast.decide(world.cast.cust, release, kind), 201)

    return step


def upload(name="report.pdf", content=b"%PDF-1.4 report"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


TASK = {"title": "Prepare servers", "owner_party": "itsm-infrastructure-manager"}


def _conflicting(world):
    """A release of an application of its own, installed in that application's blackout:
    a conflict to acknowledge at RM.1.4 that no other release of the world shares."""
    application = Application.objects.create(code="cfl", name="In a freeze")
    release = world.people.release(application=application)
    start, end = installation_window(release)
    planning.save_window(
        by=world.cast.rm,
        kind="blackout",
        title="Freeze",
        starts_at=start,
        ends_at=end,
        application=application,
    )
    return release


def _emergency_kickoff(world):
    release = world.people.release(release_type="emergency")
    walk_to(world.cast, release, "kickoff")
    return release


def _emergency_installed(world):
    """An emergency release that waived its kick-off, authorised by the ECAB and
    installed: it owes the kick-off and its post-release review."""
    cast = world.cast
    release = _emergency_kickoff(world)
    for code in ("RM.3.1", "RM.3.2"):
        cast.ok(
            cast.api(cast.dc).post(
                f"/api/v1/releases/{release.identifier}/activities/{code}/waive/",
                {"reason": "Security fix"},
                format="json",
            )
        )
    _perform("RM.3.3", lambda: {"file": upload("env.pdf"), "accepted": True}, multipart=True)(
        world, release
    )
    meeting = CabMeeting.objects.create(
        kind=CabMeeting.Kind.ECAB, title="ECAB", starts_at=timezone.now(), chair=cast.rm
    )
    for rfc in release.rfcs.all():
        CabDecision.objects.create(
            meeting=meeting, rfc=rfc, outcome="authorised", decided_by=cast.rm
        )
    walk_to(cast, release, "installation", start="acceptance")
    for step in (
        _perform("RM.6.1", {"message": "Downtime"}),
        lambda world, release: make_ready(world.cast, release),
        _perform("RM.6.2", {"start_at": "2027-02-10T20:00"}),
        _perform(
            "RM.6.3",
            lambda: {"file": upload(), "successful": True, "assessment": "Green"},
            multipart=True,
        ),
    ):
        step(world, release)
    return release


def _archived(world):
    """A version whose documentation went to the archive (RM.2.4): the application keeps
    one version's documentation while a newer version stores its own."""
    release = world.people.release()
    application = release.application
    kept, application.dsl_retention = application.dsl_retention, 1
    application.save(update_fields=["dsl_retention"])
    for version in (release, world.people.release()):
        document = {"title": "Guide", "kind": "installation", "file": upload("guide.pdf")}
        _act("store-document", document)(world, version)
    application.dsl_retention = kept
    application.save(update_fields=["dsl_retention"])
    assert release.dsl_archive
    return release


def _closed_walked(world):
    release = world.people.release(conformance_testing=False)
    walk_to(world.cast, release, "installation")
    return release


POINTS: dict[str, Callable] = {
    "archived": _archived,
    "emergency kickoff": _emergency_kickoff,
    "emergency installed": _emergency_installed,
    "planning": lambda world: world.people.release(conformance_testing=True),
    "conflicting": _conflicting,
    "receiving": _walked("receiving"),
    "kickoff": _then(
        "kickoff walked", _act("add-task", TASK | {"due_date": "2027-02-01"}, multipart=False)
    ),
    "kickoff walked": _walked("kickoff"),
    "invited": _then("kickoff", _perform("RM.3.1", {"scheduled_at": "2027-01-20T10:00"})),
    "acceptance": _then(
        "acceptance walked",
        _act("submit-test-report", lambda: {"kind": "psat", "file": upload("psat.pdf")}),
    ),
    "acceptance walked": _walked("acceptance"),
    "authorisation": _walked("authorisation"),
    "installation": _walked("installation"),
    "notified": _then("installation", _perform("RM.6.1", {"message": "Downtime"})),
    "board": _then(
        "planning",
        lambda world, release: readiness_services.schedule_board(
            release, by=world.cast.dc, scheduled_at=timezone.now()
        ),
    ),
    "ready": _then("notified", lambda world, release: make_ready(world.cast, release)),
    "installing": _then("ready", _perform("RM.6.2", {"start_at": "2027-02-10T20:00"})),
    "installed": _then(
        "installing",
        _perform(
            "RM.6.3",
            lambda: {"file": upload(), "successful": True, "assessment": "Green"},
            multipart=True,
        ),
    ),
    "published": _then("installed", _perform("RM.6.5")),
    "in hypercare": _then("published", lambda world, release: _incident(world, release)),
    "reviewed": _then("published", lambda world, release: _review(world, release)),
    "announced": _then("published", _perform("RM.6.6", {"message": "Available"})),
    "conformance": _then(
        "announced",
        _perform(
            "RM.6.7",
            {"configuration_manager_informed": True, "deployment_plan_updated": True},
            user="rm",
        ),
        _decide("ct_go_ahead"),
    ),
    # closed (RM.6.7, no conformance testing): its thread's user owes the survey
    "closed": _then(
        "closed installed",
        _perform("RM.6.5"),
        _perform("RM.6.6", {"message": "Available"}),
        _perform(
            "RM.6.7",
            {"configuration_manager_informed": True, "deployment_plan_updated": True},
            user="rm",
        ),
    ),
    "closed installed": _then(
        "closed walked",
        _perform("RM.6.1", {"message": "Downtime"}),
        lambda world, release: make_ready(world.cast, release),
        _perform("RM.6.2", {"start_at": "2027-02-10T20:00"}),
        _perform(
            "RM.6.3",
            lambda: {"file": upload(), "successful": True, "assessment": "Green"},
            multipart=True,
        ),
    ),
    "closed walked": _closed_walked,
    "campaign": _then(
        "conformance",
        _perform("RM.7.1", {"coordinator": "camille", "scope": "CT"}, user="rm"),
        _act("add-ct-report", lambda: {"file": upload("ct.pdf")}, user="campaign"),
    ),
}


#: an incident recorded in hypercare (issue 14), as the coordinator records it
INCIDENT = {
    "reference": "INC-HOSTILE",
    "title": "Declarations slow",
    "priority": "P3",
    "major": False,
    "caused_by_release": "unknown",
    "opened_at": "2026-01-10T09:00:00",
}


def _incident(world, release):
    body = INCIDENT | {"reference": "INC-OPEN"}
    path = f"/api/v1/releases/{release.identifier}/hypercare/incidents/"
    world.cast.ok(world.cast.api(world.cast.dc).post(path, body, format="json"), 201)


#: a post-release review as the release manager writes it, and an improvement action
REVIEW = {
    "note": "Went well",
    "objectives": "partly",
    "objectives_comment": "One report late",
    "schedule_comment": "On the day",
    "stakeholder_feedback": "Threads content",
}


LESSON = {
    "what_happened": "The migration overran",
    "next_time": "Rehearse it",
    "tags": "migration, testing",
}


def _review(world, release):
    path = f"/api/v1/releases/{release.identifier}/review/"
    world.cast.ok(world.cast.api(world.cast.rm).post(path, REVIEW, format="json"), 201)
    action = {"title": "Rehearse", "owner": world.cast.dc.username, "due_date": "2027-05-01"}
    world.cast.ok(world.cast.api(world.cast.rm).post(f"{path}actions/", action, format="json"), 201)


def _action(world):
    release = world.release("reviewed")
    return {"pk": ImprovementAction.objects.get(release=release).pk}


# --- what the bodies are, per operation and page --------------------------------------


@dataclass(frozen=True)
class Door:
    """Where a body goes in: who sends it, on which release, and the body that succeeds
    there (a function of the world and the release: files are fresh each time)."""

    user: str | None
    point: str | None
    body: Callable
    #: the path's other arguments, or a function of the world that gives them
    params: dict | Callable = field(default_factory=dict)


def static(**body):
    return lambda world, release: dict(body)


def _delivered(world, release):
    return {"delivered": [c.pk for c in release.deployment_plan.components.all()]}


def _task(world, release):
    task = release.deployment_plan.tasks.get()
    return {"task": task.pk}


ACTIVITY_BODIES = {
    "RM.1.3": Door("rm", "planning", static(**PLAN)),
    "RM.2.1": Door(
        "dc",
        "receiving",
        static(plan_completed=True, documents_present=True, missing="", complementary_rfc_title=""),
    ),
    "RM.2.2": Door("dc", "receiving", lambda w, r: _delivered(w, r) | {"missing_items": ""}),
    "RM.3.1": Door("dc", "kickoff", static(scheduled_at="2027-01-20T10:00", agenda="Plan")),
    "RM.3.2": Door("dc", "invited", static(decisions="Go ahead", plan_approved=True)),
    "RM.3.3": Door(
        "dc", "kickoff", lambda w, r: {"file": upload("env.pdf"), "accepted": True, "anomalies": ""}
    ),
    "RM.6.1": Door("dc", "installation", static(message="Downtime", disruption="2 hours")),
    "RM.6.2": Door("dc", "ready", static(start_at="2027-02-10T20:00", instructions="Go")),
    "RM.6.3": Door(
        "dc",
        "installing",
        lambda w, r: {"file": upload(), "successful": True, "assessment": "All green"},
    ),
    "RM.6.5": Door("dc", "installed", static(message="Done")),
    "RM.6.6": Door("dc", "published", static(message="Available", disruption="")),
    "RM.6.7": Door(
        "rm",
        "announced",
        static(configuration_manager_informed=True, deployment_plan_updated=True, notes="Closed"),
    ),
    "RM.7.1": Door("rm", "conformance", static(coordinator="camille", scope="CT")),
    "RM.7.2": Door("dc", "campaign", static(message="Forwarded")),
}
ACTION_BODIES = {
    "include-rfc": Door("rm", "planning", static(rfc="RFC-FREE")),
    "exclude-rfc": Door("rm", "planning", lambda w, r: {"rfc": r.rfcs.first().reference}),
    "acknowledge-conflict": Door(
        "rm",
        "conflicting",
        lambda w, r: {"key": conflicts_of(r)[0].key, "reason": "Accepted for the freeze"},
    ),
    "store-component": Door(
        "rm",
        "receiving",
        lambda w, r: {"name": "ecs-extra", "version": "1.0", "file": upload("x.jar", b"PK")},
    ),
    "store-document": Door(
        "dc", "receiving", lambda w, r: {"title": "Guide", "kind": "design", "file": upload()}
    ),
    "add-task": Door("dc", "kickoff", static(**TASK, assignee="", due_date="2027-02-01")),
    "complete-task": Door("dc", "kickoff", _task),
    "submit-test-report": Door(
        "dc", "acceptance", lambda w, r: {"kind": "psat", "file": upload(), "summary": "Fine"}
    ),
    "submit-installation-plan": Door(
        "dc",
        "authorisation",
        lambda w, r: {
            "file": upload(),
            "release_notes": "Notes",
            "planned_start": "2027-02-10T20:00",
        },
    ),
    "add-ct-report": Door(
        "campaign", "campaign", lambda w, r: {"file": upload(), "summary": "CT fine"}
    ),
}
DECISION = {
    "business_thread": "a3-cust",
    "verdict": "go",
    "consequence": "",
    "decided_by_name": "",
    "decided_at": "",  # now: a decision is dated between its report and now
    "evidence_note": "By e-mail",
}

#: a request for change as the API raises and revises it
RFC = {
    "title": "New export rules",
    "description": "Add the new customs codes.",
    "reason": "Regulation 2026/123.",
    "change_type": "normal",
    "change_model": "Normal change",
    "category": "application",
    "impact": "medium",
    "urgency": "high",
    "risk_answers": {"done_before": "often", "tested": "fully"},
    "planned_start": "2027-05-03T10:00:00",
    "planned_end": "2027-05-03T12:00:00",
    "outage_start": "2027-05-03T10:30:00",
    "outage_end": "2027-05-03T11:00:00",
    "outage_description": "Export declarations wait.",
    "backout_plan": "Redeploy the previous version.",
    "backout_impossible_reason": "",
    "backout_trigger": "Smoke tests fail.",
    "applications": ["ecs"],
}


def _rfc(key, **more):
    """The path arguments naming one of the world's requests (references come from the
    sequence)."""
    return lambda world: {"reference": world.api_rfcs[key].reference, **more}


def _meeting(world):
    return {"id": world.api_meeting.pk}


R = "/api/v1/releases/{identifier}"
API_DOORS = {
    **{f"POST {R}/activities/{code}/": door for code, door in ACTIVITY_BODIES.items()},
    **{f"POST {R}/actions/{slug}/": door for slug, door in ACTION_BODIES.items()},
    f"POST {R}/decisions/": Door("cust", "acceptance", static(kind="psat", **DECISION)),
    f"POST {R}/transitions/{{name}}/": Door(
        "rm", "planning", static(reason="Merged into 3.3.0"), {"name": "cancel"}
    ),
    f"POST {R}/mass-notifications/": Door(
        "desk", "notified", static(moment="before", subject="ECS down", body="Saturday")
    ),
    "POST /api/v1/releases/": Door(
        "rm",
        None,
        static(
            application="ecs",
            name="Hostile update",
            version="9.9.9",
            release_type="minor",
            planned_delivery_date="2027-03-01",
            planned_installation_date="2027-03-15",
            conformance_testing=False,
            description="Planned",
            business_threads=["a3-cust"],
        ),
    ),
    f"PATCH {R}/": Door(
        "rm",
        "planning",
        static(
            name="Renamed",
            release_type="major",
            planned_delivery_date="2027-04-01",
            planned_installation_date="2027-04-15",
            conformance_testing=True,
            description="Revised",
        ),
    ),
    f"POST {R}/assign-roles/": Door(
        "rm",
        "planning",
        lambda w, r: {
            "deployment_coordinator": w.cast.dc.username,
            "business_threads": ["a3-cust"],
            "developers": "Acme Software",
        },
    ),
    "POST /api/v1/rfcs/": Door("changer", None, static(**RFC)),
    "PATCH /api/v1/rfcs/{reference}/": Door("changer", None, static(**RFC), _rfc("draft")),
    "POST /api/v1/rfcs/{reference}/steps/{name}/": Door(
        "changer", None, static(reason="Not needed"), _rfc("draft", name="withdraw")
    ),
    "POST /api/v1/rfcs/{reference}/review/": Door(
        "changer",
        None,
        static(
            objective_met=True,
            side_effects="None",
            incidents="None",
            remediation_used=False,
            lessons="Test first",
        ),
        _rfc("implemented"),
    ),
    "POST /api/v1/rfcs/{reference}/attachments/": Door(
        "changer", None, lambda w, r: {"file": upload(), "title": "Design"}, _rfc("draft")
    ),
    "POST /api/v1/cab-meetings/": Door(
        "changer",
        None,
        static(
            kind="cab",
            title="Weekly CAB",
            starts_at="2027-05-03T10:00:00",
            location="Room 3",
            members=["adviser"],
        ),
    ),
    "POST /api/v1/cab-meetings/{id}/agenda/": Door(
        "changer", None, lambda w, r: {"rfcs": [w.api_rfcs["awaiting"].reference]}, _meeting
    ),
    "POST /api/v1/cab-meetings/{id}/advice/": Door(
        "api member",
        None,
        lambda w, r: {"rfc": w.api_rfcs["on agenda"].reference, "verdict": "approve"},
        _meeting,
    ),
    "POST /api/v1/cab-meetings/{id}/decisions/": Door(
        "changer",
        None,
        lambda w, r: {
            "rfc": w.api_rfcs["advised"].reference,
            "outcome": "authorised",
            "conditions": "After 18:00",
        },
        _meeting,
    ),
    "POST /api/v1/cab-meetings/{id}/minutes/": Door(
        "changer", None, static(minutes="Heard two changes."), _meeting
    ),
    "PUT /api/v1/raci/activities/{code}/raci/{party}/": Door(
        "owner", None, static(letters="RC"), {"code": "RM.2.1", "party": "a3-cust"}
    ),
    "POST /api/v1/applications/{code}/subscribers/import/": Door(
        "desk",
        None,
        lambda w, r: {"file": upload("users.csv", b"email,name\nnew@example.org,New\n")},
        {"code": "ecs"},
    ),
    "POST /api/v1/cmdb/tasks/{id}/confirm/": Door(
        "cm", None, static(note="Confirmed as proposed"), lambda w: {"id": w.ci_task.pk}
    ),
    f"POST {R}/satisfaction/": Door("cust", "closed", static(score=8, comment="Smooth")),
    f"POST {R}/hypercare/incidents/": Door("dc", "published", static(**INCIDENT)),
    f"POST {R}/hypercare/incidents/{{reference}}/resolve/": Door(
        "dc", "in hypercare", static(resolved_at="2026-01-11T09:00:00"), {"reference": "INC-OPEN"}
    ),
    f"POST {R}/review/": Door("rm", "published", static(**REVIEW)),
    f"POST {R}/review/actions/": Door(
        "rm",
        "reviewed",
        lambda w, r: {
            "title": "Test earlier",
            "owner": w.cast.dc.username,
            "due_date": "2027-06-01",
        },
    ),
    f"POST {R}/review/lessons/": Door("rm", "reviewed", static(**LESSON)),
    f"POST {R}/review/actions/{{id}}/": Door(
        "dc", "reviewed", static(status="done"), lambda w: {"id": _action(w)["pk"]}
    ),
    f"POST {R}/hypercare/close/": Door(
        "rm", "in hypercare", static(reason="Stable", override_reason="The threads agree")
    ),
    f"POST {R}/hypercare/rollback/": Door("dc", "in hypercare", static(reason="INC-OPEN")),
    "POST /api/v1/auth/token/": Door(
        None, None, lambda w, r: {"username": w.cast.rm.username, "password": "pw"}
    ),
}


# --- the quarterly review of the KPIs (seed 002 section 6) ---
def _quarter() -> str:
    """The quarter before this one: its review may be held today."""
    return periods.quarter_of(timezone.localdate()).previous().key


def _quarterly_review(world, release=None, *, web=False):
    return {
        "held_on": timezone.localdate().isoformat(),
        "participants": [world.cast.rm.username, world.cast.dc.username],
        "summary": "Late releases doubled",
        "decisions": "Baseline every plan",
        "action_title": "Rehearse migrations",
        "action_owner": world.cast.dc.username,
        "action_due_date": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }


def _quarterly_action(world) -> dict:
    """The quarter's review with an action its coordinator owns (recorded once)."""
    period = periods.parse(_quarter())
    action = QuarterlyReviewAction.objects.filter(review__quarter_start=period.start).first()
    if action is None:
        kpi_services.record_quarterly_review(
            period,
            by=world.cast.rm,
            held_on=timezone.localdate(),
            summary="Seen",
            decisions="Decided",
            action_title="Owned by the coordinator",
            action_owner=world.cast.dc,
            action_due_date=timezone.localdate() + timedelta(days=30),
        )
        action = QuarterlyReviewAction.objects.get(review__quarter_start=period.start)
    return {"quarter": _quarter(), "id": action.pk}


API_DOORS |= {
    "POST /api/v1/kpis/reviews/{quarter}/": Door(
        "rm", None, _quarterly_review, lambda w: {"quarter": _quarter()}
    ),
    "POST /api/v1/kpis/reviews/{quarter}/actions/{id}/": Door(
        "dc", None, static(status="done"), _quarterly_action
    ),
}

# --- the dated plan: windows and milestones ---
#: a weekly blackout of the world's own application (``World.window``'s)
#: a revision of the deployment plan, with its reason, that the plan takes
REVISION = {
    **{k: v for k, v in PLAN.items() if k in ("option", "summary", *PLAN_ITEMS)},
    "phases": "",
    "reason": "Completed with the threads",
}
WINDOW = {
    "kind": "blackout",
    "title": "Freeze",
    "reason": "Year end",
    "starts_at": "2031-12-20T00:00:00",
    "ends_at": "2031-12-21T00:00:00",
    "repeats_weekly": True,
    "repeat_until": "2032-01-31",
    "application": "win",
}
MILESTONE = {
    "kind": "psat",
    "starts_at": "2027-02-01T09:00:00",
    "ends_at": "2027-02-01T17:00:00",
    "reason": "Test data ready",
}
API_DOORS |= {
    "POST /api/v1/windows/": Door("rm", None, static(**WINDOW)),
    "PATCH /api/v1/windows/{id}/": Door(
        "rm", None, static(**WINDOW), lambda world: {"id": world.window.pk}
    ),
    f"POST {R}/milestones/": Door("rm", "planning", static(**MILESTONE)),
    f"POST {R}/plan/revisions/": Door("dc", "kickoff", static(**REVISION)),
}


# --- release packages ---
def _package(world, release=None, *, web=False):
    """A package's body: the world's release manager owns it; its window to the minute
    on the page."""
    starts, ends = "2031-04-20T20:00:00", "2031-04-20T23:00:00"
    return {
        "reference": "PKG-2031",
        "name": "Spring rules",
        "description": "Both applications",
        "owner": world.cast.rm.username,
        "installation_starts_at": starts[:16] if web else starts,
        "installation_ends_at": ends[:16] if web else ends,
        "reason": "One weekend",
    }


def _the_package(world):
    return {"id": world.package.pk}


API_DOORS |= {
    "POST /api/v1/packages/": Door("rm", None, _package),
    "PATCH /api/v1/packages/{id}/": Door("rm", None, _package, _the_package),
    "POST /api/v1/packages/{id}/releases/": Door(
        "rm", "planning", lambda w, r: {"release": r.identifier}, _the_package
    ),
}

# --- release types and policies (issue 12) ---
POLICY = {
    "allowed_types": ["minor", "major"],
    "types_on_breach": "refuse",
    "version_pattern": "N.N.N",
    "version_on_breach": "warn",
    "min_days_between": 7,
    "frequency_on_breach": "warn",
    "windows_on_breach": "warn",
    "lead_days": 3,
    "lead_on_breach": "refuse",
    "default_deployment_option": "phased",
    "decision_days": 3,
    "authorisation_lead_days": 2,
    "after_installation_days": 2,
    "remind_days_before": 2,
}
API_DOORS |= {
    f"POST {R}/activities/{{code}}/waive/": Door(
        "dc", "emergency kickoff", static(reason="Security fix"), {"code": "RM.3.1"}
    ),
    f"POST {R}/activities/{{code}}/catch-up/": Door(
        "dc", "emergency installed", static(note="Held the day after"), {"code": "RM.3.1"}
    ),
    "PUT /api/v1/policies/{code}/": Door("rm", None, static(**POLICY), {"code": "win"}),
    "PUT /api/v1/raci/activities/{code}/waivable/{release_type}/": Door(
        "owner", None, static(waivable=True), {"code": "RM.3.3", "release_type": "emergency"}
    ),
}

# --- master data and what runs where (issue 13) ---
APPLICATION = {"code": "hostile", "name": "Hostile", "business_threads": ["a3-cust"]}
ENVIRONMENT = {"slug": "pre", "name": "Pre", "kind": "sat", "status": "booked"}
ENVIRONMENT_AT = {"code": "ecs", "env": "production"}
MEMBER = {"username": "newdev", "email": "newdev@example.org", "first_name": "New"}
API_DOORS |= {
    "POST /api/v1/applications/": Door("rm", None, static(**APPLICATION)),
    "PATCH /api/v1/applications/{code}/": Door(
        "rm", None, static(name="Renamed", description="New"), {"code": "ecs"}
    ),
    "POST /api/v1/applications/{code}/environments/": Door(
        "rm", None, static(**ENVIRONMENT), {"code": "ecs"}
    ),
    "PATCH /api/v1/applications/{code}/environments/{env}/": Door(
        "rm", None, static(status="down", status_note="Disk", owner_user="owner"), ENVIRONMENT_AT
    ),
    "POST /api/v1/applications/{code}/environments/{env}/history/": Door(
        "rm", None, static(version="1.0.0", note="By hand"), ENVIRONMENT_AT
    ),
    "POST /api/v1/raci/organisations/": Door("rm", None, static(name="Initech")),
    "POST /api/v1/raci/organisations/{name}/members/": Door(
        "rm", None, static(**MEMBER), {"name": "Acme Software"}
    ),
}


# --- deputies (issue 16 point 4) ---
def _deputy_body(world, release):
    """A deputy for the next three days (a period may not start in the past)."""
    tomorrow = timezone.localdate() + timedelta(days=1)
    return {
        "deputy": world.cast.desk.username,
        "starts": tomorrow.isoformat(),
        "ends": (tomorrow + timedelta(days=2)).isoformat(),
        "reason": "Holidays",
    }


API_DOORS |= {"POST /api/v1/deputies/": Door("rm", None, _deputy_body)}

# --- the DSL: where the archive's media are kept (issue 13) ---
MEDIUM = {"number": 1, "location": "on_site", "sent_to": ""}
API_DOORS |= {
    "POST /api/v1/dsl/{code}/versions/{identifier}/media/": Door(
        "rm", "archived", static(**MEDIUM), lambda w: {"code": w.application.code}
    ),
}


# --- go-live readiness: the Move2Run checklist (issue 14) ---
def _checklist_item(title):
    """The path arguments naming an item of the minor release at point "planning"."""

    def params(world):
        item = ChecklistItem.objects.get(release=world.release("planning"), title__startswith=title)
        return {"id": item.pk}

    return params


def _template_line(world):
    return {"id": TemplateItem.objects.filter(template__release_type="minor").first().pk}


TEMPLATE_LINE = {
    "title": "Security scan passed",
    "description": "Before the go-live",
    "priority": "high",
    "owner_party": "itsm-infrastructure-manager",
    "days_before_installation": 4,
    "position": 9,
}
API_DOORS |= {
    f"POST {R}/checklist/{{id}}/confirm/": Door(
        "dc", "planning", static(evidence_note="Rehearsed"), _checklist_item("Rollback plan")
    ),
    f"POST {R}/checklist/{{id}}/waive/": Door(
        "dc", "planning", static(reason="At the board"), _checklist_item("Rollback plan")
    ),
    f"POST {R}/checklist/{{id}}/carry/": Door(
        "dc", "planning", static(reason="In hypercare"), _checklist_item("Knowledge base")
    ),
    "POST /api/v1/checklist-templates/": Door(
        "owner", None, static(release_type="minor", **TEMPLATE_LINE)
    ),
    "PUT /api/v1/checklist-templates/items/{id}/": Door(
        "owner", None, static(**TEMPLATE_LINE), _template_line
    ),
}


# --- go-live readiness: the runbook and the Go/No-Go board (issue 14) ---
def _open_board(world):
    return {"id": world.release("board").boards.get(outcome="").pk}


def _board_body(world, release):
    return {
        "scheduled_at": "2027-02-09T10:00",
        "participants": [world.cast.dc.username],
        "parties": ["a3-cust"],
        "agenda": "The pack",
    }


NO_GO = {"outcome": "nogo", "reason": "SAT findings", "new_installation_date": "2028-06-20"}
API_DOORS |= {
    f"POST {R}/runbook/sections/": Door(
        "dc", "planning", static(section="slas", text="99.5% in office hours")
    ),
    f"POST {R}/runbook/complete/": Door("dc", "planning", static(change_note="KE-12 added")),
    f"POST {R}/boards/": Door("dc", "planning", _board_body),
    f"POST {R}/boards/{{id}}/outcome/": Door("dc", "board", static(**NO_GO), _open_board),
}

#: one-line fields the schema does not bound (references by name, credentials)
NAMED = {
    "application",
    "owner_party",
    "assignee",
    "coordinator",
    "deployment_coordinator",
    "developers",
    "business_thread",
    "business_threads",
    "rfc",
    "username",
    "password",
}


def _resolve(node: dict) -> dict:
    while True:
        if "$ref" in node:
            node = COMPONENTS[node["$ref"].rsplit("/", 1)[-1]]
        elif "allOf" in node or "oneOf" in node:
            node = (node.get("allOf") or node["oneOf"])[0]
        else:
            return node


def _multiline_names() -> set[str]:
    """Body fields that are text of lines in the forms the API shares with the pages."""
    classes = [spec.form for spec in registry.performed_by_form()]
    classes += [a.form for a in registry.all_actions()] + [DecisionForm, MassNotificationForm]
    classes += [AnswerForm]
    classes += [RunbookSectionForm, CompleteRunbookForm, ScheduleBoardForm, BoardOutcomeForm]
    return {
        name
        for form_class in classes
        for name, f in form_class.base_fields.items()
        if isinstance(f.widget, forms.Textarea)
    }


MULTILINE = _multiline_names()


def schema_kind(name: str, prop: dict) -> tuple[str | None, int | None]:
    """(kind, max_length) of a body field as the schema documents it; None: not fuzzed."""
    node = _resolve(prop)
    if "enum" in node:
        return "choice", None
    if node.get("type") == "array":
        item = _resolve(node["items"])
        return ("ids" if item.get("type") == "integer" else "refs"), item.get("maxLength")
    kind = {"boolean": "bool", "integer": "int"}.get(node.get("type"))
    if kind:
        return kind, None
    fmt = node.get("format")
    if fmt == "binary":
        return None, None
    if fmt in ("date", "date-time"):
        return ("datetime" if fmt == "date-time" else "date"), None
    max_length = node.get("maxLength")
    one_line = name not in MULTILINE and (
        name in NAMED or (max_length is not None and max_length < MAX_TEXT)
    )
    return ("line" if one_line else "text"), max_length


def operations():
    """(key, media type, {field: (kind, max_length)}) of every operation with a body."""
    for path, item in SCHEMA["paths"].items():
        for method, operation in item.items():
            if method == "parameters" or "requestBody" not in operation:
                continue
            content = operation["requestBody"]["content"]
            media = "application/json" if "application/json" in content else next(iter(content))
            body = _resolve(content[media]["schema"])
            fields = {
                name: schema_kind(name, prop)
                for name, prop in body.get("properties", {}).items()
                if not prop.get("readOnly")
            }
            yield f"{method.upper()} {path}", media, fields


OPERATIONS = {key: (media, fields) for key, media, fields in operations()}


# --- running a case ---------------------------------------------------------------


def fingerprint():
    """What the database holds, in one query: the rows of every table of the project
    and the last change to a release (writes that add no row change it)."""
    roots = {
        "releasemgmt",
        "raci",
        "releases",
        "changes",
        "dsl",
        "deployments",
        "readiness",
        "aftercare",
        "satisfaction",
        "kpis",
    }
    tables = sorted(
        {
            m._meta.db_table
            for m in apps.get_models()
            if m.__module__.split(".")[0] in roots and m._meta.managed and not m._meta.proxy
        }
    )
    counts = ", ".join(f"(SELECT count(*) FROM {connection.ops.quote_name(t)})" for t in tables)
    release = connection.ops.quote_name(Release._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {counts}, (SELECT max(updated_at) FROM {release})")
        return cursor.fetchone()


@pytest.fixture
def server_errors():
    """The last line of each traceback behind a 500, to say what broke."""
    seen = []

    def record(sender, request=None, **kwargs):
        seen.append(traceback.format_exc().strip().splitlines()[-1])

    got_request_exception.connect(record)
    yield seen
    got_request_exception.disconnect(record)


def isolated(send, *args):
    """``send(*args)`` in a savepoint rolled back afterwards: (response, saved anything)."""
    with transaction.atomic():
        before = fingerprint()
        with transaction.atomic():  # undone if the request asks (a view without ATOMIC_REQUESTS)
            response = send(*args)
        changed = fingerprint() != before
        transaction.set_rollback(True)
    return response, changed


def _multipart(body: dict) -> dict:
    """A body as a multipart form carries it: text, repeated keys for a list."""
    out = {}
    for name, value in body.items():
        if isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, list):
            out[name] = [str(v) for v in value]
        elif isinstance(value, int):
            out[name] = str(value)
        else:
            out[name] = value
    return out


def send_api(client, method, path, media, body):
    if media == "application/json":
        # ASCII JSON: a lone surrogate travels as its \\u escape, as a hostile client sends it
        payload = json.dumps(body, default=str)
        return client.generic(method, path, payload, content_type="application/json")
    return getattr(client, method.lower())(path, _multipart(body), format="multipart")


def api_problem(response, name, errors) -> str | None:
    """Why this answer to a hostile value is wrong, or None."""
    if response.status_code >= 500:
        return f"{response.status_code} ({'; '.join(errors) or 'no traceback'})"
    if not 400 <= response.status_code < 500:
        return f"{response.status_code}: accepted"
    body = response.json()
    if not isinstance(body, dict) or name not in body:
        return f"{response.status_code} not naming the field: {body}"
    text = json.dumps(body, ensure_ascii=False)
    if any(bad in text for bad in BAD_CHARACTERS):
        return "the error echoes the bad characters"
    return None


# --- the API -----------------------------------------------------------------------


def test_every_operation_with_a_body_has_its_door():
    assert set(OPERATIONS) == set(API_DOORS)


def _api_client(user):
    client = APIClient(raise_request_exception=False)
    if user is not None:
        client.force_authenticate(user)
    return client


def _path(key, release, params, world):
    values = dict(params(world) if callable(params) else params)
    if release is not None:
        values["identifier"] = release.identifier
    return key.split(" ", 1)[1].format(**values)


@pytest.mark.parametrize("key", sorted(API_DOORS))
def test_api_refuses_hostile_values_naming_the_field(world, key, server_errors):
    door = API_DOORS[key]
    media, fields = OPERATIONS[key]
    method = key.split(" ", 1)[0]
    release = world.release(door.point)
    client = _api_client(world.user(door.user))
    path = _path(key, release, door.params, world)

    response, _ = isolated(lambda: send_api(client, method, path, media, door.body(world, release)))
    assert response.status_code < 300, (response.status_code, response.content[:500])

    problems = []
    for name, (kind, max_length) in fields.items():
        if kind is None:
            continue
        for label, value, hostile in cases(kind, max_length, web=False):
            if media != "application/json" and "surrogate" in label:
                continue  # a multipart body cannot carry one
            server_errors.clear()
            body = door.body(world, release) | {name: value}
            response, saved = isolated(send_api, client, method, path, media, body)
            if hostile:
                problem = api_problem(response, name, server_errors)
                if saved and not problem:
                    problem = "refused, yet something was saved"
            else:  # taken, or refused by a rule of the process: anything but a 500
                problem = f"{response.status_code}" if response.status_code >= 500 else None
            if problem:
                problems.append(f"{name} <- {label}: {problem}")
    assert not problems, "\n".join(problems)


# --- the web -----------------------------------------------------------------------


def form_kind(f: forms.Field) -> str | None:
    """The kind of a form field, as ``values_for`` knows it; None: not fuzzed (a box to
    tick, a file: their limits are tested elsewhere)."""
    if isinstance(f, forms.BooleanField | forms.FileField):
        return None
    if isinstance(f, forms.ModelMultipleChoiceField):
        return "refs" if f.to_field_name else "ids"
    if isinstance(f, forms.ModelChoiceField):
        return "ref" if f.to_field_name else "id"
    if isinstance(f, forms.DateTimeField):
        return "datetime"
    if isinstance(f, forms.DateField):
        return "date"
    if isinstance(f, forms.ChoiceField):
        return "choice"
    if isinstance(f, forms.IntegerField):
        return "int"
    return "text" if isinstance(f.widget, forms.Textarea) else "line"


def form_fields(form) -> dict:
    return {
        name: (kind, getattr(f, "max_length", None))
        for name, f in form.fields.items()
        if (kind := form_kind(f))
    }


@dataclass(frozen=True)
class Page:
    """A web form: where it is posted, by whom, on which release, the body that succeeds
    and the fields it has (a function of the world and the release)."""

    user: str
    point: str | None
    path: str
    body: Callable
    fields: Callable
    #: the label under which the page names a field (a message, not a form)
    labels: dict = field(default_factory=dict)
    #: the path, where it names an object of the world rather than a release
    where: Callable | None = None


def _web_body(body: dict) -> dict:
    out = {}
    for name, value in body.items():
        if value is True:
            out[name] = "on"
        elif value is not False:
            out[name] = value
    return out


def _form_of(form_class, **kwargs):
    return lambda world, release: form_fields(form_class(release=release, **kwargs))


def _pages():
    pages = {}
    for spec in registry.performed_by_form():
        if spec.code in ACTIVITY_BODIES:
            door = ACTIVITY_BODIES[spec.code]
            pages[f"activity {spec.code}"] = Page(
                door.user,
                door.point,
                f"/releases/{{identifier}}/activities/{spec.code}/",
                door.body,
                _form_of(spec.form),
            )
    for action in registry.all_actions():
        door = ACTION_BODIES[action.slug]
        pages[f"action {action.slug}"] = Page(
            door.user,
            door.point,
            f"/releases/{{identifier}}/activities/{action.activity}/",
            lambda w, r, door=door, slug=action.slug: door.body(w, r) | {"action": slug},
            _form_of(action.form),
        )
    pages["plan revision"] = Page(
        "dc",
        "kickoff",
        "/releases/{identifier}/deployment-plan/revise/",
        static(**REVISION),
        _form_of(PlanRevisionForm),
    )
    pages["decision"] = Page(
        "cust",
        "acceptance",
        "/releases/{identifier}/decisions/psat/",
        static(**DECISION),
        _form_of(DecisionForm),
    )
    pages["formalise"] = Page(
        "rm",
        None,
        "/releases/new/",
        lambda w, r: {
            "application": w.application.pk,
            "version": "9.9.9",
            "name": "Hostile update",
            "release_type": "minor",
            "planned_delivery_date": "2027-03-01",
            "planned_installation_date": "2027-03-15",
            "description": "Planned",
            "business_threads": [party("a3-cust").pk],
        },
        lambda w, r: form_fields(FormaliseReleaseForm()),
    )
    pages["planning"] = Page(
        "rm",
        "planning",
        "/releases/{identifier}/planning/",
        static(
            name="Renamed",
            release_type="major",
            planned_delivery_date="2027-04-01",
            planned_installation_date="2027-04-15",
            description="Revised",
        ),
        lambda w, r: form_fields(RevisePlanningForm(release=r)),
    )
    pages["roles"] = Page(
        "rm",
        "planning",
        "/releases/{identifier}/roles/",
        lambda w, r: {
            "deployment_coordinator": w.cast.dc.pk,
            "business_threads": [party("a3-cust").pk],
            "developers": w.people.acme.pk,
        },
        lambda w, r: form_fields(AssignRolesForm()),
    )
    pages["transition"] = Page(
        "rm",
        "planning",
        "/releases/{identifier}/transitions/cancel/",
        static(reason="Merged into 3.3.0"),
        _form_of(TransitionForm),
        {"reason": "Reason"},
    )
    pages["mass notification"] = Page(
        "desk",
        "notified",
        "/releases/{identifier}/mass-notification/",
        static(moment="before", subject="ECS down", body="Saturday"),
        lambda w, r: form_fields(MassNotificationForm()),
    )
    pages["subscriber added"] = Page(
        "desk",
        None,
        "/applications/ecs/subscribers/",
        static(email="new@example.org", name="New"),
        lambda w, r: {"email": ("line", 254), "name": ("line", 200)},
        {"email": "E-mail", "name": "Name"},
    )
    pages["subscriber removed"] = Page(
        "desk",
        None,
        "/applications/ecs/subscribers/",
        static(remove="reader@example.org"),
        lambda w, r: {"remove": ("line", 254)},
        {"remove": "E-mail"},
    )
    pages["RACI cell"] = Page(
        "owner",
        None,
        "/raci/cells/RM.2.1/a3-cust/",
        static(letters="RC"),
        lambda w, r: {"letters": ("line", 4)},
        {"letters": "Letters"},
    )
    pages["calendar feed address"] = Page(
        "rm", None, "/account/calendar/regenerate/", static(), lambda w, r: {}
    )
    pages["deputy named"] = Page(
        "rm", None, "/account/deputies/", _deputy_body, lambda w, r: form_fields(DeputyForm())
    )
    pages["CI task confirmed"] = Page(
        "cm",
        None,
        "",
        lambda w, r: {p.field_name: "live" for p in w.ci_task.proposals.all()} | {"note": "Fine"},
        lambda w, r: form_fields(CITaskForm(task=w.ci_task)),
        where=lambda w: f"/cmdb/tasks/{w.ci_task.pk}/",
    )
    pages["satisfaction answered"] = Page(
        "cust",
        "closed",
        "/releases/{identifier}/satisfaction/answer/",
        static(score="8", comment="Smooth"),
        lambda w, r: form_fields(AnswerForm()),
        {"score": "Score (0 to 10)"},
    )
    pages["satisfaction answered from the mail"] = Page(
        "cust",
        "closed",
        "",
        static(score="8", comment="Smooth"),
        lambda w, r: form_fields(AnswerForm()),
        {"score": "Score (0 to 10)"},
        where=_personal_link,
    )
    pages["decision from the mail"] = Page(
        "cust",
        "acceptance",
        "",
        static(verdict="go", business_thread="a3-cust"),
        lambda w, r: form_fields(DecisionLinkForm(target=_decision_request(w))),
        where=_decision_link,
    )
    pages["reply recorded by hand"] = Page(
        "rm",  # the coordinator submitted the report: the release manager records
        "acceptance",
        "",
        static(business_thread="a3-cust", verdict="go", decided_by_name="Carla Cust"),
        lambda w, r: form_fields(RecordReplyForm(mail=_queued_reply(w))),
        where=lambda w: f"/replies/{_queued_reply(w).pk}/record/",
    )
    pages["reply dismissed"] = Page(
        "dc",
        None,
        "",
        static(reason="Spam"),
        lambda w, r: form_fields(DismissReplyForm()),
        where=lambda w: f"/replies/{_queued_reply(w).pk}/dismiss/",
    )
    pages.update(_change_pages())
    pages.update(_planning_pages())
    pages.update(_type_pages())
    pages.update(_master_data_pages())
    return pages


def _personal_link(world) -> str:
    """A personal link of the closed release's survey, mailed to its thread's user."""
    release = world.release("closed")
    survey = Survey.objects.get(release=release, respondent=world.cast.cust)
    if not hasattr(world, "survey_token"):
        world.survey_token = personal_links.issue(world.cast.cust, "satisfaction", survey)[1]
    return personal_links.path_of(world.survey_token)


def _decision_request(world):
    return decision_requests.request_for(world.release("acceptance"), "psat")


def _decision_link(world) -> str:
    """A personal link of the pSAT report's decision request, mailed to the thread's user."""
    if not hasattr(world, "decision_token"):
        request = _decision_request(world)
        world.decision_token = personal_links.issue(world.cast.cust, "decision", request)[1]
    return personal_links.path_of(world.decision_token)


def _queued_reply(world):
    """A reply to the pSAT report's request, from an unknown sender: queued."""
    address = decision_requests.reply_address(_decision_request(world))
    raw = (
        f"From: someone@elsewhere.example\r\nTo: {address}\r\nSubject: Re: pSAT\r\n"
        "Message-ID: <hostile@example.org>\r\n\r\nGO\r\n"
    ).encode()
    return replies.receive(raw)


def _master_data_pages() -> dict:
    """Applications, environments and organisations (issue 13)."""

    def of(form_class, **kwargs):
        return lambda w, r: form_fields(form_class(**kwargs))

    environment = static(**ENVIRONMENT, owner_user="owner", status_note="Till Friday")
    return {
        "application created": Page(
            "rm", None, "/applications/new/", static(**APPLICATION), of(ApplicationForm)
        ),
        "application edited": Page(
            "rm",
            None,
            "/applications/ecs/edit/",
            static(name="Renamed", description="New", business_threads=["a3-exc"]),
            of(ApplicationChangeForm),
        ),
        "environment created": Page(
            "rm", None, "/applications/ecs/environments/new/", environment, of(EnvironmentForm)
        ),
        "environment edited": Page(
            "rm",
            None,
            "/applications/ecs/environments/production/edit/",
            environment,
            of(EnvironmentForm),
        ),
        "version recorded": Page(
            "rm",
            None,
            "/applications/ecs/environments/production/",
            static(version="1.0.0", note="By hand"),
            of(VersionForm),
        ),
        "organisation created": Page(
            "rm", None, "/raci/organisations/", static(name="Initech"), of(OrganisationForm)
        ),
        "organisation member added": Page(
            "rm", None, "/raci/organisations/Acme Software/", static(**MEMBER), of(MemberForm)
        ),
    }


def _type_pages() -> dict:
    """A release type's path and the release policies (issue 12)."""
    return {
        "activity waived": Page(
            "dc",
            "emergency kickoff",
            "/releases/{identifier}/activities/RM.3.1/waive/",
            static(reason="Security fix"),
            lambda w, r: {"reason": ("text", None)},
        ),
        "activity caught up": Page(
            "dc",
            "emergency installed",
            "/releases/{identifier}/activities/RM.3.1/catch-up/",
            static(note="Held the day after"),
            lambda w, r: {"note": ("text", None)},
        ),
        "post-release review": Page(
            "rm",
            "published",
            "/releases/{identifier}/review/",
            static(**REVIEW),
            _form_of(ReviewForm),
        ),
        "release policy": Page(
            "rm",
            None,
            "/policies/win/",
            static(**POLICY),
            lambda w, r: form_fields(PolicyForm(application=w.window.application)),
        ),
    }


def _window_page_body(world, release):
    web = {k: v[:16] if k.endswith("_at") else v for k, v in WINDOW.items()}
    return web | {"application": world.window.application.pk, "business_thread": ""}


def _window_fields(world, release):
    return form_fields(WindowForm())


def _planning_pages() -> dict:
    """The windows' pages and the milestones' form."""
    window_fields = _window_fields
    return {
        "window created": Page("rm", None, "/windows/new/", _window_page_body, window_fields),
        "window edited": Page(
            "rm",
            None,
            "",
            _window_page_body,
            window_fields,
            where=lambda world: f"/windows/{world.window.pk}/edit/",
        ),
        "window removed": Page(
            "rm",
            None,
            "",
            static(),
            lambda w, r: {},
            where=lambda world: f"/windows/{world.window.pk}/delete/",
        ),
        "package created": Page(
            "rm",
            None,
            "/packages/new/",
            lambda w, r: _package(w, web=True),
            lambda w, r: form_fields(PackageForm()),
        ),
        "package edited": Page(
            "rm",
            None,
            "",
            lambda w, r: _package(w, web=True),
            lambda w, r: form_fields(PackageForm()),
            where=lambda world: f"/packages/{world.package.pk}/edit/",
        ),
        "release added to a package": Page(
            "rm",
            "planning",
            "",
            lambda w, r: {"release": r.identifier},
            lambda w, r: form_fields(PackageReleaseForm()),
            where=lambda world: f"/packages/{world.package.pk}/",
        ),
        "milestone planned": Page(
            "rm",
            "planning",
            "/releases/{identifier}/milestones/",
            static(**{k: v[:16] if k.endswith("_at") else v for k, v in MILESTONE.items()}),
            _form_of(MilestoneForm),
        ),
    }


# --- change management's pages -------------------------------------------------------------


def _rfc_body(world, release):
    start = timezone.localtime() + timedelta(days=10)
    return {
        "title": "New customs codes",
        "description": "Add the new codes.",
        "reason": "Regulation 2026/123.",
        "change_type": "normal",
        "change_model": "",
        "category": "application",
        "applications": [world.application.pk],
        "impact": "medium",
        "urgency": "medium",
        "risk_tested": "fully",
        "planned_start": start.strftime("%Y-%m-%dT%H:%M"),
        "planned_end": (start + timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M"),
        "outage_start": "",
        "outage_end": "",
        "outage_description": "",
        "backout_plan": "Restore the previous version.",
        "backout_impossible_reason": "",
        "backout_trigger": "Smoke tests fail.",
    }


def _on(what: str, path: str):
    """The path of a page about one of the world's change objects (``changes_world``)."""
    return lambda world: path.format(**{what: getattr(world.changes, what)})


def _rfc_fields(world, release):
    return form_fields(change_forms.RfCForm())


def _change_pages() -> dict:
    rfc_fields = _rfc_fields
    return {
        "rfc raised": Page("changer", None, "/changes/rfcs/new/", _rfc_body, rfc_fields),
        "rfc revised": Page(
            "changer",
            None,
            "",
            _rfc_body,
            rfc_fields,
            where=_on("draft", "/changes/rfcs/{draft}/edit/"),
        ),
        "rfc withdrawn": Page(
            "changer",
            None,
            "",
            static(reason="Not needed", confirmed="yes"),
            lambda w, r: form_fields(change_forms.StepForm(step=change_services.STEPS["withdraw"])),
            where=_on("draft", "/changes/rfcs/{draft}/steps/withdraw/"),
        ),
        "rfc assessed": Page(
            "changer",
            None,
            "",
            static(
                risk_done_before="often",
                risk_tested="fully",
                risk_backout="tested",
                risk_outage="none",
                risk_reach="one",
            ),
            lambda w, r: form_fields(change_forms.AssessForm(step=change_services.STEPS["assess"])),
            where=_on("submitted", "/changes/rfcs/{submitted}/steps/assess/"),
        ),
        "rfc reviewed": Page(
            "changer",
            None,
            "",
            static(objective_met="yes", side_effects="None", incidents="", lessons="Test."),
            lambda w, r: form_fields(change_forms.ReviewForm()),
            where=_on("implemented", "/changes/rfcs/{implemented}/review/"),
        ),
        "rfc attachment": Page(
            "changer",
            None,
            "",
            lambda w, r: {"title": "Design", "file": upload("design.pdf")},
            lambda w, r: {"title": ("line", 200)},
            where=_on("draft", "/changes/rfcs/{draft}/attachments/"),
        ),
        "cab planned": Page(
            "changer",
            None,
            "/changes/cab/new/",
            lambda w, r: {
                "kind": "cab",
                "title": "Monthly CAB",
                "starts_at": "2027-01-20T10:00",
                "location": "Room 12",
                "members": [w.users["member"].pk],
            },
            lambda w, r: form_fields(change_forms.MeetingForm()),
        ),
        "cab agenda": Page(
            "changer",
            None,
            "",
            lambda w, r: {"rfc": w.changes.waiting},
            lambda w, r: form_fields(change_forms.AgendaForm()),
            where=_on("meeting", "/changes/cab/{meeting}/agenda/"),
        ),
        "cab advice": Page(
            "member",
            None,
            "",
            lambda w, r: {"rfc": w.changes.heard, "verdict": "approve", "comment": "Tested."},
            lambda w, r: form_fields(change_forms.AdviceForm()),
            where=_on("meeting", "/changes/cab/{meeting}/advice/"),
        ),
        "cab decision": Page(
            "changer",
            None,
            "",
            lambda w, r: {"rfc": w.changes.heard, "outcome": "authorised", "conditions": "Soon"},
            lambda w, r: form_fields(change_forms.DecisionForm()),
            where=_on("meeting", "/changes/cab/{meeting}/decisions/"),
        ),
        "cab minutes": Page(
            "changer",
            None,
            "",
            static(minutes="Authorised one."),
            lambda w, r: form_fields(change_forms.MinutesForm()),
            where=_on("meeting", "/changes/cab/{meeting}/minutes/"),
        ),
    }


def changes_world(world) -> SimpleNamespace:
    """What change management's pages are posted about: a draft, a submitted request, an
    implemented one, and a meeting whose agenda holds one RfC (``heard``: its quorum of
    advice given, but not by ``member``), with another awaiting the CAB besides."""
    changer = world.users["changer"]
    members = [new_user(None, "ITSM Infrastructure Manager") for _ in range(3)]
    world.users["member"] = members[0]
    start = timezone.now() + timedelta(days=10)
    complete = {
        "description": "A change.",
        "reason": "A reason.",
        "applications": [world.application],
        "planned_start": start,
        "planned_end": start + timedelta(hours=4),
        "backout_plan": "Restore.",
        "backout_trigger": "Smoke tests fail.",
    }

    def raised(title, **extra):
        return change_services.raise_rfc(by=changer, title=title, **(complete | extra))

    def awaiting(title):
        rfc = change_services.fire(raised(title), "submit", by=changer)
        rfc = change_services.revise_rfc(
            rfc,
            by=changer,
            risk_answers={"done_before": "often", "tested": "fully", "backout": "tested"}
            | {"outage": "none", "reach": "one"},
        )
        rfc = change_services.fire(rfc, "assess", by=changer)
        return change_services.fire(rfc, "send_to_cab", by=changer)

    implemented = raised("Made at 3 am", change_type="emergency")
    implemented = change_services.fire(
        implemented, "implement_retrospectively", by=changer, reason="Outage"
    )
    meeting = change_services.plan_meeting(
        by=changer, kind="cab", title="Weekly CAB", starts_at=start, members=members
    )
    heard = awaiting("Heard")
    change_services.put_on_agenda(meeting, by=changer, rfcs=[heard])
    for member in members[1:]:
        change_services.give_advice(meeting, by=member, rfc=heard, verdict="approve")
    return SimpleNamespace(
        heard=heard.reference,
        waiting=awaiting("Waiting").reference,
        draft=raised("Draft").reference,
        submitted=change_services.fire(raised("Submitted"), "submit", by=changer).reference,
        implemented=implemented.reference,
        meeting=meeting.pk,
    )


PAGES = _pages()
PAGES["archive medium"] = Page(
    "rm",
    "archived",
    "",
    static(**MEDIUM),
    lambda world, release: form_fields(ArchiveMediumForm()),
    where=lambda w: f"/dsl/{w.application.code}/versions/{w.release('archived').identifier}/media/",
)

PAGES |= {
    "hypercare incident": Page(
        "dc",
        "published",
        "/releases/{identifier}/hypercare/incidents/",
        static(**{k: v[:16] if k.endswith("_at") else v for k, v in INCIDENT.items()}),
        _form_of(IncidentForm),
    ),
    "hypercare incident resolved": Page(
        "dc",
        "in hypercare",
        "/releases/{identifier}/hypercare/incidents/INC-OPEN/resolve/",
        static(resolved_at="2026-01-11T09:00"),
        _form_of(ResolveIncidentForm),
    ),
    "improvement action": Page(
        "rm",
        "reviewed",
        "/releases/{identifier}/review/actions/",
        lambda w, r: {
            "title": "Test earlier",
            "owner": w.cast.dc.username,
            "due_date": "2027-06-01",
        },
        _form_of(ActionForm),
    ),
    "lesson learned": Page(
        "rm",
        "reviewed",
        "/releases/{identifier}/review/lessons/",
        static(**LESSON),
        _form_of(LessonForm),
    ),
    "improvement action moved": Page(
        "dc",
        "reviewed",
        "",
        static(status="in_progress"),
        _form_of(ActionStatusForm),
        where=lambda w: (
            f"/releases/{w.release('reviewed').identifier}/review/actions/{_action(w)['pk']}/"
        ),
    ),
    "hypercare closed": Page(
        "rm",
        "in hypercare",
        "/releases/{identifier}/hypercare/close/",
        static(reason="Stable", override_reason="The threads agree"),
        _form_of(CloseHypercareForm),
    ),
    "rollback triggered in hypercare": Page(
        "dc",
        "in hypercare",
        "/releases/{identifier}/hypercare/rollback/",
        static(reason="INC-OPEN"),
        _form_of(TriggerRollbackForm),
    ),
}


PAGES |= {
    "quarterly review": Page(
        "rm",
        None,
        "",
        _quarterly_review,
        lambda w, r: form_fields(QuarterlyReviewForm()),
        where=lambda w: f"/kpis/reviews/{_quarter()}/",
    ),
    "quarterly review action done": Page(
        "dc",
        None,
        "",
        static(status="done"),
        lambda w, r: form_fields(QuarterlyActionStatusForm()),
        where=lambda w: "/kpis/reviews/{quarter}/actions/{id}/".format(**_quarterly_action(w)),
    ),
}


def _item_page(title, action):
    def where(world):
        release = world.release("planning")
        pk = _checklist_item(title)(world)["id"]
        return f"/releases/{release.identifier}/checklist/{pk}/{action}/"

    return where


PAGES |= {
    "checklist confirm": Page(
        "dc",
        "planning",
        "",
        static(evidence_note="Rehearsed", evidence_link="https://wiki.example.org/rb"),
        _form_of(ConfirmItemForm),
        where=_item_page("Rollback plan", "confirm"),
    ),
    "checklist waive": Page(
        "dc",
        "planning",
        "",
        static(reason="At the board"),
        _form_of(WaiveItemForm),
        where=_item_page("Rollback plan", "waive"),
    ),
    "checklist carry": Page(
        "dc",
        "planning",
        "",
        static(reason="In hypercare"),
        _form_of(CarryItemForm),
        where=_item_page("Knowledge base", "carry"),
    ),
    "runbook section": Page(
        "dc",
        "planning",
        "/releases/{identifier}/runbook/sections/",
        static(section="slas", text="99.5% in office hours"),
        _form_of(RunbookSectionForm),
    ),
    "runbook complete": Page(
        "dc",
        "planning",
        "/releases/{identifier}/runbook/complete/",
        static(change_note="KE-12 added"),
        _form_of(CompleteRunbookForm),
    ),
    "board schedule": Page(
        "dc",
        "planning",
        "/releases/{identifier}/board/schedule/",
        _board_body,
        _form_of(ScheduleBoardForm),
    ),
    "board outcome": Page(
        "dc",
        "board",
        "",
        static(**NO_GO),
        _form_of(BoardOutcomeForm),
        where=lambda w: (
            f"/releases/{w.release('board').identifier}/board/{_open_board(w)['id']}/outcome/"
        ),
    ),
    "checklist template line": Page(
        "owner",
        None,
        "",
        static(release_type="minor", **TEMPLATE_LINE),
        lambda w, r: form_fields(NewTemplateItemForm()),
        where=lambda w: "/checklist-templates/",
    ),
    "checklist template line edit": Page(
        "owner",
        None,
        "",
        static(**TEMPLATE_LINE),
        lambda w, r: form_fields(TemplateItemForm()),
        where=lambda w: f"/checklist-templates/{_template_line(w)['id']}/",
    ),
}


class World:
    """The people, the objects the bodies name, and a release at every point (each its
    own, made once for the module)."""

    def __init__(self):
        self.people = People.create()
        self.cast = self.people.cast
        self.application = Application.objects.get_or_create(
            code="ecs", defaults={"name": "Export Control System"}
        )[0]
        owner = new_user("owner")
        owner.user_permissions.add(Permission.objects.get(codename="change_racicell"))
        self.users = {
            "rm": self.cast.rm,
            "dc": self.cast.dc,
            "cust": self.cast.cust,
            "desk": self.cast.desk,
            "campaign": self.cast.campaign,
            "owner": owner,
            "changer": new_user("changer", "ITSM Change Manager"),
            "cm": new_user("cm", "ITSM Configuration Manager"),
        }
        Subscriber.objects.create(application=self.application, email="reader@example.org")
        Environment.objects.create(
            application=self.application, slug="production", name="Production", kind="production"
        )
        for reference, status in (("RFC-FREE", "authorised"), ("RFC-OPEN", "submitted")):
            RfC.objects.create(
                reference=reference,
                title="A change",
                status=status,
                requester=self.cast.rm,
            )
        self.changes = changes_world(self)
        self.window = planning.save_window(  # of an application no release of the world has
            by=self.cast.rm,
            kind="blackout",
            title="Freeze",
            starts_at=timezone.now() + timedelta(days=900),
            ends_at=timezone.now() + timedelta(days=901),
            application=Application.objects.create(code="win", name="Windows of its own"),
        )
        self.package = packages.save_package(
            by=self.cast.rm, reference="PKG-HOSTILE", name="Hostile", owner=self.cast.rm
        )
        used = {door.point for door in [*API_DOORS.values(), *PAGES.values()]}
        self.releases = {point: POINTS[point](self) for point in sorted(used - {None})}
        self._api_changes()
        self._ci_task()

    def _ci_task(self):
        """A configuration manager's task (RM.6.7) with one proposed status change."""
        release = self.releases["planning"]
        self.ci_task = configuration.open_ci_task(release, by=self.cast.rm)
        item = ConfigurationItem.objects.create(
            application=self.application, kind="component", name="ecs-core", version="9.9"
        )
        ProposedStatusChange.objects.create(
            task=self.ci_task, item=item, from_status="in_test", proposed_status="live"
        )

    def _api_changes(self):
        """What change management's API doors write to, through the services: a draft, a
        change implemented already, and a meeting whose agenda holds one RfC with its
        quorum of advice and one without; one more awaits the CAB."""
        changer = self.users["changer"]
        adviser = self.users["api member"] = new_user("adviser", "ITSM Service Desk")
        start = timezone.now() + timedelta(days=2)
        complete = {
            "description": "Add the new customs codes.",
            "reason": "Regulation 2026/123.",
            "applications": [self.application],
            "planned_start": start,
            "planned_end": start + timedelta(hours=2),
            "backout_plan": "Redeploy the previous version.",
            "backout_trigger": "Smoke tests fail.",
        }

        def emergency(title, *steps, reason=""):
            rfc = change_services.raise_rfc(
                by=changer, title=title, change_type="emergency", **complete
            )
            for step in steps:
                rfc = change_services.fire(rfc, step, by=changer, reason=reason)
            return rfc

        awaiting = ("submit", "send_to_cab")
        self.api_rfcs = {
            "draft": change_services.raise_rfc(by=changer, title="Draft", **complete),
            "implemented": emergency("Made", "implement_retrospectively", reason="Outage"),
            "advised": emergency("Advised", *awaiting),
            "on agenda": emergency("On the agenda", *awaiting),
            "awaiting": emergency("Awaiting", *awaiting),
        }
        self.api_meeting = change_services.plan_meeting(
            by=changer, kind="cab", title="Weekly CAB", starts_at=start, members=[adviser]
        )
        on_agenda = [self.api_rfcs["advised"], self.api_rfcs["on agenda"]]
        change_services.put_on_agenda(self.api_meeting, by=changer, rfcs=on_agenda)
        change_services.give_advice(
            self.api_meeting, by=adviser, rfc=self.api_rfcs["advised"], verdict="approve"
        )

    def user(self, key):
        return self.users[key] if key else None

    def release(self, point) -> Release | None:
        return self.releases[point] if point else None


@pytest.fixture(scope="module")
def world(module_db):
    with unit_of_work():  # the KPI facts of its releases worked out once, at its end
        return World()


def test_every_activity_form_has_its_page():
    with_fields = {s.code for s in registry.performed_by_form() if s.form.base_fields}
    actions = {a.slug for a in registry.all_actions()}
    assert {f"activity {code}" for code in with_fields} <= set(PAGES)
    assert {f"action {slug}" for slug in actions} <= set(PAGES)


def _bound_forms(response) -> list:
    """The bound forms the page was rendered with (its form, its actions' forms...)."""
    found = {}
    for context in response.context or []:
        for layer in context.dicts:
            for value in layer.values():
                items = value if isinstance(value, list | tuple) else [value]
                for item in items:
                    for part in item if isinstance(item, tuple) else (item,):
                        if isinstance(part, forms.BaseForm) and part.is_bound:
                            found[id(part)] = part
    return list(found.values())


def web_problem(response, name, label, errors) -> str | None:
    if response.status_code >= 500:
        return f"{response.status_code} ({'; '.join(errors) or 'no traceback'})"
    if response.status_code != 400:
        return f"{response.status_code}: accepted"
    if any(name in form.errors for form in _bound_forms(response)):
        return None
    said = (
        [str(m) for m in (response.context or {}).get("messages", [])] if response.context else []
    )
    if label and any(label in m for m in said):
        return None
    return "400 without an error on the field"


@pytest.mark.parametrize("key", sorted(PAGES))
def test_web_forms_refuse_hostile_values_on_the_field(world, key, server_errors):
    page = PAGES[key]
    release = world.release(page.point)
    client = Client(raise_request_exception=False)
    client.force_login(world.user(page.user))
    path = (
        page.where(world)
        if page.where
        else page.path.format(identifier=release.identifier if release else "")
    )

    def post(body):
        return client.post(path, _web_body(body))

    response, _ = isolated(lambda: post(page.body(world, release)))
    assert response.status_code == 302, (response.status_code, response.content[:1000])

    problems = []
    for name, (kind, max_length) in page.fields(world, release).items():
        label = page.labels.get(name) or pretty_name(name)
        for value_label, value, hostile in cases(kind, max_length, web=True):
            server_errors.clear()
            body = page.body(world, release) | {name: value}
            response, saved = isolated(post, body)
            if hostile:
                problem = web_problem(response, name, label, server_errors)
                if saved and not problem:
                    problem = "refused, yet something was saved"
            else:  # taken, or refused by a rule of the process: anything but a 500
                problem = f"{response.status_code}" if response.status_code >= 500 else None
            if problem:
                problems.append(f"{name} <- {value_label}: {problem}")
    assert not problems, "\n".join(problems)


# --- the subscribers' CSV import -----------------------------------------------------

#: rows the import refuses, each reported by its line, the others kept
BAD_ROWS = {
    "NUL in a name": "nul@example.org,An\x00na",
    "control character in a name": "bel@example.org,An\x07na",
    "line break in a quoted name": 'quoted@example.org,"An\nna"',
    "name over its length": "long@example.org," + "n" * 201,
    "address over its length": "a" * 250 + "@example.org,Anna",
    "control character in an address": "es\x1bc@example.org,Anna",
    "not an address": "not-an-address,Anna",
}


def _import(world, channel, content: bytes):
    file = SimpleUploadedFile("users.csv", content, content_type="text/csv")
    if channel == "web":
        client = Client(raise_request_exception=False)
        client.force_login(world.cast.desk)
        return client.post("/applications/ecs/subscribers/", {"file": file})
    return _api_client(world.cast.desk).post(
        "/api/v1/applications/ecs/subscribers/import/", {"file": file}, format="multipart"
    )


def _report(response, channel) -> tuple[int, list[str]]:
    if channel == "api":
        return response.json()["added"], response.json()["errors"]
    report = response.context["report"]
    return report["added"], report["errors"]


@pytest.mark.parametrize("channel", ["web", "api"])
def test_the_import_refuses_bad_rows_and_keeps_the_good(world, channel):
    rows = ["email,name", "good@example.org,Good", *BAD_ROWS.values()]
    content = "\n".join(rows).encode() + b"\n"
    before = set(Subscriber.objects.values_list("email", "name"))

    def send():
        response = _import(world, channel, content)
        return response, set(Subscriber.objects.values_list("email", "name"))

    (response, after), _ = isolated(send)
    assert response.status_code == 200, response.content[:500]
    added, errors = _report(response, channel)
    assert added == 1
    assert after - before == {("good@example.org", "Good")}
    assert len(errors) == len(BAD_ROWS)
    assert [e.split(":")[0] for e in errors] == [f"Line {n}" for n in range(3, 3 + len(BAD_ROWS))]
    assert not any(bad in e for e in errors for bad in ("\x00", "\x07", "\x1b", "\n"))


@pytest.mark.parametrize("channel", ["web", "api"])
@pytest.mark.parametrize("where", ["name", "address"])
def test_a_field_beyond_the_csv_limit_refuses_the_file(world, channel, where):
    """Python's CSV reader stops at a field over 128 KiB: the file is refused, on its field,
    and nothing of it is added (not even the rows before)."""
    huge = "x" * (128 * 1024 + 1)
    row = f"big@example.org,{huge}" if where == "name" else f"{huge}@example.org,Big"
    content = f"email,name\nfirst@example.org,First\n{row}\n".encode()
    response, saved = isolated(_import, world, channel, content)
    if channel == "api":
        assert response.status_code == 400
        assert list(response.json()) == ["file"]
        message = response.json()["file"][0]
    else:
        assert response.status_code == 400
        [form] = [f for f in _bound_forms(response) if "file" in f.errors]
        message = form.errors["file"][0]
    assert message.startswith("Line 3 cannot be read as CSV")
    assert not saved


# --- text that a service splits into records -------------------------------------------


@pytest.mark.parametrize("channel", ["web", "api"])
@pytest.mark.parametrize(
    "line", ["n" * 201 + " 1.0", "ecs-core " + "9" * 41], ids=["long name", "long version"]
)
def test_a_planned_component_longer_than_its_record_is_refused(world, channel, line):
    """RM.1.3: each line of the components is a record (name 200, version 40 characters):
    a longer one is refused on the field, with its line, and no plan is saved."""
    release = world.release("planning")
    body = {**PLAN, "components": f"ecs-web 3.2.0\n{line}"}
    if channel == "api":
        client = _api_client(world.cast.rm)
        path = f"/api/v1/releases/{release.identifier}/activities/RM.1.3/"
        response, saved = isolated(send_api, client, "POST", path, "application/json", body)
        assert response.status_code == 400
        message = response.json()["components"][0]
    else:
        client = Client(raise_request_exception=False)
        client.force_login(world.cast.rm)
        path = f"/releases/{release.identifier}/activities/RM.1.3/"
        response, saved = isolated(client.post, path, body)
        assert response.status_code == 400
        [form] = _bound_forms(response)
        message = form.errors["components"][0]
    assert message.startswith("Line 2: a ")
    assert not saved


@pytest.mark.parametrize("channel", ["web", "api"])
@pytest.mark.parametrize(
    ("field", "line"),
    [
        ("risks", "r" * 501 + " | DBA | Rehearse"),
        ("risks", "Overrun | " + "o" * 201 + " | Rehearse"),
        ("risks", "Overrun | DBA | " + "m" * 2001),
        ("risks", "Overrun | DBA"),
        ("phases", "Wave 1 | BE | 0001-01-01"),
        ("phases", "Wave 1 | BE | 10000-01-01"),
        ("phases", "Wave 1 | BE | 2027-02-30"),
        ("phases", "w" * 101 + " | BE | 2027-03-15"),
        ("phases", "Wave 1 | " + "t" * 501 + " | 2027-03-15"),
    ],
    ids=[
        "long risk",
        "long owner",
        "long mitigation",
        "risk without mitigation",
        "phase in year 1",
        "phase in year 10000",
        "phase on 30 February",
        "long phase name",
        "long target",
    ],
)
def test_a_risk_or_phase_beyond_its_record_is_refused(world, channel, field, line):
    """A revision of the deployment plan: each line of the risks and phases is a record
    (risk 500, owner 200, mitigation 2,000; phase name 100, target 500, a date of 1900 to
    9999): anything else is refused on the field, naming its line, and nothing is saved."""
    release = world.release("kickoff")
    body = REVISION | {"option": "phased", "phases": "Wave 0 | LU | 2027-03-01"}
    body[field] = f"{body[field]}\n{line}" if body[field] else line
    if channel == "api":
        client = _api_client(world.cast.dc)
        path = f"/api/v1/releases/{release.identifier}/plan/revisions/"
        response, saved = isolated(send_api, client, "POST", path, "application/json", body)
        assert response.status_code == 400
        message = response.json()[field][0]
    else:
        client = Client(raise_request_exception=False)
        client.force_login(world.cast.dc)
        path = f"/releases/{release.identifier}/deployment-plan/revise/"
        response, saved = isolated(client.post, path, body)
        assert response.status_code == 400
        [form] = _bound_forms(response)
        message = form.errors[field][0]
    assert message.startswith("Line 2: ")
    assert not saved


@pytest.mark.parametrize("query", ["from=99999999999999999999", "to=-1", "from=%00"])
def test_a_comparison_of_hostile_revision_numbers_is_refused(world, query):
    release = world.release("kickoff")
    client = _api_client(world.cast.cust)
    response = client.get(f"/api/v1/releases/{release.identifier}/plan/compare/?{query}")
    assert response.status_code == 400
    web = Client(raise_request_exception=False)
    web.force_login(world.cast.cust)
    page = web.get(f"/releases/{release.identifier}/deployment-plan/compare/?{query}")
    assert page.status_code == 400


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("period=%00", "period"),
        ("period=2026-Q%01", "period"),
        ("period=%ED%A0%80", "period"),  # a lone surrogate, as UTF-8 would carry it
        ("period=" + "9" * 5000, "period"),
        ("period=0001", "period"),
        ("period=custom&start=0001-01-01&end=2026-01-01", "start"),
        ("period=custom&start=2026-01-01&end=9999-12-31", "end"),
        ("period=custom&start=2026-01-01&end=99999-01-01", "end"),
        ("period=2026&application=%00", "application"),
        ("period=2026&thread=" + "x" * 5000, "thread"),
        ("period=2026&release_type=major%0A", "release_type"),
        ("period=2026&table=kpis&kpi=%00", None),
    ],
)
def test_the_kpis_refuse_hostile_queries_naming_the_field(world, query, field):
    """The KPI page, its export and its API read their period and slices from the query
    string: every hostile value is refused on its field (issue 15), never a 500."""
    client = _api_client(world.cast.rm)
    response = client.get(f"/api/v1/kpis/?{query}")
    web = Client(raise_request_exception=False)
    web.force_login(world.cast.rm)
    page = web.get(f"/kpis/?{query}")
    export = web.get(f"/kpis/export/?{query}")
    if field is None:  # a parameter the KPIs do not read
        assert (response.status_code, page.status_code, export.status_code) == (200, 200, 200)
        return
    assert response.status_code == 400
    assert field in response.json()
    assert page.status_code == 400
    assert field in page.context["form"].errors
    assert export.status_code == 400


@pytest.mark.parametrize(
    "query",
    ["kpi=%00", "kpi=late&kpi_from=0001-01-01", "kpi=late&kpi_to=99999-01-01", "thread=%00"],
)
def test_the_release_list_refuses_hostile_kpi_filters(world, query):
    client = _api_client(world.cast.rm)
    assert client.get(f"/api/v1/releases/?{query}").status_code == 400


INBOX_QUERIES = [
    ("release=%00", "release"),
    ("release=ab%01cd", "release"),
    ("release=ab%0Acd", "release"),
    ("release=%ED%A0%80", "release"),  # a lone surrogate, as UTF-8 would carry it
    ("release=" + "x" * 5000, "release"),
    ("kind=%00", "kind"),
    ("kind=" + "i" * 5000, "kind"),
    ("unread=%ED%A0%80", "unread"),
    ("needs_action=yes%0A", "needs_action"),
    ("page=99999999999999999999", "page"),
    ("page=-1", "page"),
]


@pytest.mark.parametrize(
    "query", ["status=%00", "status=ab%0Acd", "status=%ED%A0%80", "status=" + "q" * 5000]
)
def test_the_replies_queue_refuses_hostile_filters_naming_the_field(world, query):
    """The coordinator's queue of replies (issue 16): its one filter refused on its field."""
    response = _api_client(world.cast.dc).get(f"/api/v1/replies/?{query}")
    assert response.status_code == 400
    assert "status" in response.json()


@pytest.mark.parametrize(("query", "field"), INBOX_QUERIES)
def test_the_inbox_refuses_hostile_filters_naming_the_field(world, query, field):
    """The inbox's filters (issue 16), on the page, in its API, and sent with "mark all
    read": refused on their field, never a 500, and nothing marked."""
    user = world.cast.rm
    response = _api_client(user).get(f"/api/v1/messages/?{query}")
    assert response.status_code == 400
    assert field in response.json()
    web = Client(raise_request_exception=False)
    web.force_login(user)
    page = web.get(f"/messages/?{query}")
    assert page.status_code == 400
    assert field in page.context["filter_form"].errors
    if field == "page":
        return  # marking all read reads no page
    unread = Recipient.objects.filter(user=user, read_at__isnull=True).count()
    marked = _api_client(user).post(f"/api/v1/messages/read-all/?{query}")
    assert marked.status_code == 400
    assert field in marked.json()
    name, _, value = query.partition("=")
    posted = web.post("/messages/read-all/", {name: unquote(value)})
    assert posted.status_code in (302, 400)
    assert Recipient.objects.filter(user=user, read_at__isnull=True).count() == unread


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=9999-12-30", "start"),  # its default end, 90 days on, is no date
        ("end=9999-12-31", "end"),
        ("start=1900-01-01", "start"),
        ("start=2026-02-30", "start"),
        ("end=%00", "end"),
        ("start=" + "9" * 5000, "start"),
    ],
)
def test_the_change_schedule_refuses_a_window_beyond_the_plan_years(world, query, field):
    """The change schedule's window, on the page, its export and the API's two: a day
    outside the years a change may be planned in (2000-2199) is refused on its field,
    never a 500, and the page keeps what was typed."""
    api = _api_client(world.cast.rm)
    for path in ("/api/v1/rfcs/schedule/", "/api/v1/rfcs/schedule/export/"):
        response = api.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert field in response.json(), path
    web = Client(raise_request_exception=False)
    web.force_login(world.cast.rm)
    for path in ("/changes/schedule/", "/changes/schedule/export/"):
        page = web.get(f"{path}?{query}")
        assert page.status_code == 400, path
        assert field in page.context["form"].errors, path
    assert web.get("/changes/schedule/?start=2026-12-01&end=2027-01-01").status_code == 200


@pytest.mark.parametrize(
    "query",
    [
        "period=9999",
        "period=9999-Q4",
        "period=9999-H2",
        "period=custom&start=9999-11-05&end=9999-12-30",
        "period=custom&start=9999-12-05&end=9999-12-20",
    ],
)
def test_the_flow_of_the_last_year_of_the_calendar_is_counted(world, query):
    """The DORA keys and the flow of a period in 9999: its months were counted up to the
    day after it, which is no date (a 500). They answer, empty."""
    response = _api_client(world.cast.rm).get(f"/api/v1/kpis/flow/?{query}")
    assert response.status_code == 200
    assert response.json()["cumulative"]
    web = Client(raise_request_exception=False)
    web.force_login(world.cast.rm)
    assert web.get(f"/kpis/flow/?{query}").status_code == 200
