"""Upload limits at every upload point, through the web form and the API alike: a file
over its size limit (MAX_UPLOAD_SIZE; MAX_ARTIFACT_SIZE for DSL components), of a type
not in ALLOWED_UPLOAD_EXTENSIONS, or empty is refused with 400 and an error on the field
that carried it, and nothing is half-saved: no row, no file under MEDIA_ROOT, no
communication, no audit entry.

One release travels through the stages; each class below brings it to the stage where
its upload points are open (a refused upload changes nothing, so the release stays
there for the class's tests)."""

import os
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.test import Client
from django.utils.html import escape

from changes.models import RfCAttachment
from deployments import models as deployments
from deployments.models import InboundMail
from dsl.models import Component, Document
from readiness.models import ChecklistItem
from releasemgmt.audit.models import AuditEntry
from releasemgmt.notifications.models import Communication
from tests.lifecycle import make_ready, upload, walk_to

from .conftest import People, api_for

pytestmark = pytest.mark.django_db

LIMIT = 1024 * 1024  # MAX_UPLOAD_SIZE (documents) and MAX_ARTIFACT_SIZE (DSL) here: 1 MiB
PROBLEMS = {
    "too large": ("report.pdf", b"x" * (LIMIT + 1), "larger than 1 MiB"),
    "wrong type": ("report.exe", b"MZ not a document", "Only these file types are accepted"),
    "empty": ("report.pdf", b"", "empty"),
}


@dataclass
class Point:
    """One place where a file is uploaded: who uploads it, where, with what else."""

    model: type
    user: str  # attribute of the cast
    page: str  # web path after /releases/<identifier>/
    api: str  # API path after /api/v1/releases/<identifier>/
    data: dict
    field: str = "file"


POINTS = {
    "component": Point(
        Component,
        "rm",
        "activities/RM.2.3/",
        "actions/store-component/",
        {"action": "store-component", "name": "ecs-extra", "version": "1.0"},
    ),
    "document": Point(
        Document,
        "dc",
        "activities/RM.2.4/",
        "actions/store-document/",
        {"action": "store-document", "title": "Design", "kind": "design"},
    ),
    "environment report": Point(
        deployments.EnvironmentReport,
        "dc",
        "activities/RM.3.3/",
        "activities/RM.3.3/",
        {"accepted": True},
    ),
    "test report": Point(
        deployments.TestReport,
        "dc",
        "activities/RM.4.1/",
        "actions/submit-test-report/",
        {"action": "submit-test-report", "kind": "psat"},
    ),
    "decision evidence": Point(
        deployments.Decision,
        "cust",
        "decisions/psat/",
        "decisions/",
        {"kind": "psat", "business_thread": "a3-cust", "verdict": "go"},
        field="evidence",
    ),
    "installation plan": Point(
        deployments.InstallationPlan,
        "dc",
        "activities/RM.5.1/",
        "actions/submit-installation-plan/",
        {
            "action": "submit-installation-plan",
            "release_notes": "Notes",
            "planned_start": "2027-02-10T20:00",
        },
    ),
    "installation report": Point(
        deployments.InstallationReport,
        "dc",
        "activities/RM.6.3/",
        "activities/RM.6.3/",
        {"successful": True, "assessment": "All green"},
    ),
    "CT report": Point(
        deployments.CTReport,
        "campaign",
        "activities/RM.7.2/",
        "actions/add-ct-report/",
        {"action": "add-ct-report"},
    ),
}


class Journey:
    """The release and the steps that take it from one stop to the next."""

    STOPS = [
        "planning",
        "receiving",
        "kickoff",
        "acceptance",
        "authorisation",
        "installation",
        "conformance",
    ]

    def __init__(self):
        self.people = People.create()
        self.cast = self.people.cast
        self.release = self.people.release(conformance_testing=True)
        self.at = "planning"

    def to(self, stop):
        assert self.STOPS.index(stop) >= self.STOPS.index(self.at), "the release only goes on"
        while self.at != stop:
            self.at = self.STOPS[self.STOPS.index(self.at) + 1]
            getattr(self, f"_{self.at}")()
        return self.release

    def _receiving(self):
        walk_to(self.cast, self.release, "receiving")

    def _kickoff(self):
        walk_to(self.cast, self.release, "kickoff", start="receiving")

    def _acceptance(self):
        walk_to(self.cast, self.release, "acceptance", start="kickoff")
        # a pSAT report for the thread's decision to rest on
        report = {"kind": "psat", "file": upload("psat.pdf")}
        self.cast.ok(self.cast.act(self.cast.dc, self.release, "submit-test-report", report), 201)

    def _authorisation(self):
        walk_to(self.cast, self.release, "authorisation", start="acceptance")

    def _installation(self):
        cast, ok, p = self.cast, self.cast.ok, self.cast.perform
        walk_to(cast, self.release, "installation", start="authorisation")
        ok(p(cast.dc, self.release, "RM.6.1", {"message": "Downtime", "disruption": "2 hours"}))
        make_ready(cast, self.release)
        ok(p(cast.dc, self.release, "RM.6.2", {"start_at": "2027-02-10T20:00"}))

    def _conformance(self):
        cast, ok, p, release = self.cast, self.cast.ok, self.cast.perform, self.release
        report = {"file": upload("install.pdf"), "successful": True, "assessment": "All green"}
        ok(p(cast.dc, release, "RM.6.3", report, multipart=True))
        ok(p(cast.dc, release, "RM.6.5"))
        ok(p(cast.dc, release, "RM.6.6", {"message": "Available"}))
        closure = {"configuration_manager_informed": True, "deployment_plan_updated": True}
        assert ok(p(cast.rm, release, "RM.6.7", closure))["stage"] == "conformance"
        ok(cast.decide(cast.cust, release, "ct_go_ahead"), 201)
        ok(p(cast.rm, release, "RM.7.1", {"coordinator": cast.campaign.username, "scope": "CT"}))


@pytest.fixture(scope="module")
def journey(module_db):
    return Journey()


@pytest.fixture(autouse=True)
def _small_limits(settings):
    settings.MAX_UPLOAD_SIZE = settings.MAX_ARTIFACT_SIZE = LIMIT


def media_files() -> set[str]:
    found = set()
    for folder, _, files in os.walk(settings.MEDIA_ROOT):
        found |= {os.path.join(folder, name) for name in files}
    return found


def state(model):
    return (
        model.objects.count(),
        media_files(),
        Communication.objects.count(),
        AuditEntry.objects.count(),
    )


def bound_forms(response):
    context = response.context
    forms = [context.get("form"), *[form for _, _, form in context.get("actions") or []]]
    return [f for f in forms if f is not None and f.is_bound]


def refused(response, field, channel) -> str:
    """The error the field got; no other field (and no form-wide error) has one."""
    if channel == "api":
        assert response.status_code == 400, response.content
        assert list(response.json()) == [field], response.json()
        return " ".join(response.json()[field])
    [form] = bound_forms(response)
    assert list(form.errors) == [field], form.errors
    message = " ".join(form.errors[field])
    assert escape(message) in response.content.decode()  # shown on the page
    return message


STOP_OF = {
    "receiving": ["component", "document"],
    "kickoff": ["environment report"],
    "acceptance": ["test report", "decision evidence"],
    "authorisation": ["installation plan"],
    "installation": ["installation report"],
    "conformance": ["CT report"],
}


def test_every_upload_point_is_covered():
    """Every model with an uploaded file has its point here (a new one fails this); an
    RfC's documents, which belong to no release, have their test below."""
    with_files = {
        m
        for m in apps.get_models()
        if any(isinstance(f, models.FileField) for f in m._meta.get_fields())
    }
    # a reply to a decision mail comes over SMTP, not a form: the listener refuses one
    # beyond MAX_UPLOAD_SIZE (tests/deployments/test_replies.py)
    received = {InboundMail}
    assert (
        with_files
        == {p.model for p in POINTS.values()}
        | {
            RfCAttachment,
            ChecklistItem,
        }
        | received
    )
    assert sorted(sum(STOP_OF.values(), [])) == sorted(POINTS)


def pytest_generate_tests(metafunc):
    """Each stop's class gets its points x (web, API) x the problems."""
    stop = getattr(metafunc.cls, "stop", None)
    if stop and "point" in metafunc.fixturenames:
        metafunc.parametrize(
            ("point", "channel", "problem"),
            [
                pytest.param(POINTS[name], channel, problem, id=f"{name}-{channel}-{problem}")
                for name in STOP_OF[stop]
                for channel in ("web", "api")
                for problem in PROBLEMS
            ],
        )


class AtStop:
    stop = ""

    @pytest.fixture(scope="class", autouse=True)
    def _there(self, journey):
        journey.to(self.stop)

    def test_refused_and_nothing_saved(self, journey, point, channel, problem):
        release, user = journey.release, getattr(journey.cast, point.user)
        filename, content, expected = PROBLEMS[problem]
        file = SimpleUploadedFile(filename, content, content_type="application/octet-stream")
        before = state(point.model)
        if channel == "web":
            client = Client()
            client.force_login(user)
            response = client.post(
                f"/releases/{release.identifier}/{point.page}", {**point.data, point.field: file}
            )
            assert response.status_code == 400, response.status_code
        else:
            data = {k: v for k, v in point.data.items() if k != "action"}
            response = api_for(user).post(
                f"/api/v1/releases/{release.identifier}/{point.api}",
                {**data, point.field: file},
                format="multipart",
            )
        assert expected in refused(response, point.field, channel)
        assert state(point.model) == before


class TestReceiving(AtStop):
    stop = "receiving"


class TestKickoff(AtStop):
    stop = "kickoff"


class TestAcceptance(AtStop):
    stop = "acceptance"


class TestAuthorisation(AtStop):
    stop = "authorisation"


class TestInstallation(AtStop):
    stop = "installation"


class TestConformance(AtStop):
    stop = "conformance"


@pytest.mark.parametrize("problem", PROBLEMS)
def test_an_rfc_document_over_the_limits_is_refused_and_nothing_saved(journey, problem):
    """An RfC's document through the API (POST /api/v1/rfcs/<reference>/attachments/):
    the same limits, on the file field, and nothing kept."""
    rfc = journey.release.rfcs.get()  # its requester is the release manager
    filename, content, expected = PROBLEMS[problem]
    file = SimpleUploadedFile(filename, content, content_type="application/octet-stream")
    before = state(RfCAttachment)
    response = api_for(journey.cast.rm).post(
        f"/api/v1/rfcs/{rfc.reference}/attachments/", {"file": file}, format="multipart"
    )
    assert expected in refused(response, "file", "api")
    assert state(RfCAttachment) == before


@pytest.mark.parametrize("channel", ["web", "api"])
@pytest.mark.parametrize("problem", PROBLEMS)
def test_a_checklist_evidence_over_the_limits_is_refused_and_nothing_saved(
    journey, problem, channel
):
    """A Move2Run item's evidence file (the coordinator's own item): the limits of every
    document, on the field, the item still open and nothing kept."""
    release, user = journey.people.release(), journey.cast.dc  # its checklist all open
    item = ChecklistItem.objects.get(release=release, title__startswith="Rollback plan")
    filename, content, expected = PROBLEMS[problem]
    file = SimpleUploadedFile(filename, content, content_type="application/octet-stream")
    before = state(ChecklistItem)
    body = {"evidence_note": "Rehearsed", "evidence_file": file}
    if channel == "web":
        client = Client()
        client.force_login(user)
        response = client.post(f"/releases/{release.identifier}/checklist/{item.pk}/confirm/", body)
        assert response.status_code == 400, response.status_code
    else:
        response = api_for(user).post(
            f"/api/v1/releases/{release.identifier}/checklist/{item.pk}/confirm/",
            body,
            format="multipart",
        )
    assert expected in refused(response, "evidence_file", channel)
    assert state(ChecklistItem) == before
    item.refresh_from_db()
    assert item.status == "open"


CSV_PROBLEMS = {
    "not text": (b"email,name\n\xff\xfe\x00\x81", "not UTF-8 text"),
    "too large": (b"email,name\n" + b"x" * (10 * 1024 * 1024), "larger than 10 MiB"),
}


@pytest.mark.parametrize("channel", ["web", "api"])
@pytest.mark.parametrize("problem", CSV_PROBLEMS)
def test_subscriber_list_upload_is_refused_and_nothing_imported(journey, channel, problem):
    """The service desk's CSV of impacted users is read, not stored: its own limits
    (10 MiB of UTF-8 text) refuse it on the file field, and no subscriber is added."""
    content, expected = CSV_PROBLEMS[problem]
    file = SimpleUploadedFile("users.csv", content, content_type="text/csv")
    application = journey.release.application
    before = (application.subscribers.count(), media_files(), AuditEntry.objects.count())
    if channel == "web":
        client = Client()
        client.force_login(journey.cast.desk)
        response = client.post(f"/applications/{application.code}/subscribers/", {"file": file})
        assert response.status_code in (200, 400)  # the page again, the error on the field
    else:
        response = api_for(journey.cast.desk).post(
            f"/api/v1/applications/{application.code}/subscribers/import/",
            {"file": file},
            format="multipart",
        )
    assert expected in refused(response, "file", channel)
    assert (application.subscribers.count(), media_files(), AuditEntry.objects.count()) == before


@pytest.mark.parametrize("problem", PROBLEMS)
def test_rfc_document_upload_is_refused_and_nothing_saved(journey, problem):
    """An RfC's documents (change management): the same limits, on the RfC's page."""
    rfc = journey.release.rfcs.get()
    filename, content, expected = PROBLEMS[problem]
    file = SimpleUploadedFile(filename, content, content_type="application/octet-stream")
    before = state(RfCAttachment)
    client = Client()
    client.force_login(journey.cast.rm)  # its requester
    response = client.post(
        f"/changes/rfcs/{rfc.reference}/attachments/", {"title": "Design", "file": file}
    )
    assert response.status_code == 400, response.status_code
    form = response.context["refused"]
    assert list(form.errors) == ["file"], form.errors
    message = " ".join(form.errors["file"])
    assert expected in message
    assert escape(message) in response.content.decode()
    assert state(RfCAttachment) == before
