"""A cast of people and the steps that drive a release through the API, for tests."""

from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from deployments.plan_content import ITEMS
from readiness import services as readiness
from readiness.models import RunbookSection
from readiness.selectors import checklist_items, go_in_this_round, runbook_of
from readiness.services import waive_item


def upload(name="report.pdf", content=b"%PDF-1.4 test report"):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@dataclass
class Cast:
    rm: object
    dc: object
    cust: object
    desk: object
    campaign: object
    api: object

    def client(self, user):
        return self.api(user)

    def perform(self, user, release, code, data=None, multipart=False):
        return self.api(user).post(
            f"/api/v1/releases/{release.identifier}/activities/{code}/",
            data or {},
            format="multipart" if multipart else "json",
        )

    def act(self, user, release, slug, data, multipart=True):
        return self.api(user).post(
            f"/api/v1/releases/{release.identifier}/actions/{slug}/",
            data,
            format="multipart" if multipart else "json",
        )

    def decide(self, user, release, kind, verdict="go", **extra):
        data = {"kind": kind, "business_thread": "a3-cust", "verdict": verdict, **extra}
        return self.api(user).post(
            f"/api/v1/releases/{release.identifier}/decisions/", data, format="multipart"
        )

    def ok(self, response, status=200):
        assert response.status_code == status, response.json()
        return response.json()


STAGES = ["planning", "receiving", "kickoff", "acceptance", "authorisation", "installation"]


def walk_to(cast, release, target: str, start: str = "planning"):
    """Drive ``release`` (roles assigned, an approved RfC included) through the API from
    the start of stage ``start`` to the start of stage ``target``."""
    for stage in STAGES[STAGES.index(start) : STAGES.index(target)]:
        STAGE_WORK[stage](cast, release)


#: RM.1.3: a deployment plan of two components, as the release manager initialises it,
#: holding every item of BS 15000-2 9.3 (RM.1.4 publishes only such a plan)
PLAN_ITEMS = {
    "dates_deliverables": "Delivery 1 March, installation 15 March: ecs-core and ecs-web",
    "related_changes": "The RfC included at RM.1.1; no known error",
    "processes": "One installation for every member state",
    "back_out": "Redeploy 3.1.7",
    "verification": "pSAT and SAT by the business threads",
    "communication": "Release notes to the users; the service desk briefed",
    "logistics": "None: software only",
    "support_resources": "Service desk and application support on call",
    "dependencies": "None outside the release",
    "sign_off": "The business threads at RM.5.2",
    "production_audits": "Not required for a minor release",
    "risks": "Database migration overruns | DBA team | Rehearse on the acceptance copy",
}
#: the same items as the forms label them, for a browser to fill
PLAN_LABELS = {f"{item.letter}) {item.label}": PLAN_ITEMS[item.slug] for item in ITEMS} | {
    "i) Risks": PLAN_ITEMS["risks"]
}
PLAN = {
    "option": "big_bang",
    "summary": "One go",
    "components": "ecs-core 3.2.0\necs-web 3.2.0",
    "last_known_good_build": "ecs 3.1.7",
    "rollback_procedure": "Redeploy 3.1.7",
    **PLAN_ITEMS,
}


def _plan(cast, release):
    cast.ok(cast.perform(cast.rm, release, "RM.1.3", PLAN))
    cast.ok(cast.perform(cast.rm, release, "RM.1.4"))


def _receive(cast, release):
    ok, p, a = cast.ok, cast.perform, cast.act
    ok(p(cast.dc, release, "RM.2.1", {"plan_completed": True, "documents_present": True}))
    delivered = [c.pk for c in release.deployment_plan.components.all()]
    ok(p(cast.dc, release, "RM.2.2", {"delivered": delivered}))
    for name in ("ecs-core", "ecs-web"):
        component = {"name": name, "version": "3.2.0", "file": upload(f"{name}.jar", b"PK")}
        ok(a(cast.rm, release, "store-component", component), 201)
    ok(p(cast.rm, release, "RM.2.3"))
    document = {"title": "Installation guide", "kind": "installation", "file": upload("g.pdf")}
    ok(a(cast.dc, release, "store-document", document), 201)
    ok(p(cast.dc, release, "RM.2.4"))


def _kick_off(cast, release):
    ok, p, a = cast.ok, cast.perform, cast.act
    task = {
        "title": "Prepare servers",
        "owner_party": "itsm-infrastructure-manager",
        "due_date": "2027-02-01",
    }
    ok(a(cast.dc, release, "add-task", task, multipart=False), 201)
    ok(p(cast.dc, release, "RM.3.1", {"scheduled_at": "2027-01-20T10:00", "agenda": "Plan"}))
    ok(p(cast.dc, release, "RM.3.2", {"decisions": "Go ahead", "plan_approved": True}))
    ok(p(cast.dc, release, "RM.3.3", {"file": upload("env.pdf"), "accepted": True}, multipart=True))


def _accept(cast, release):
    ok, p, a = cast.ok, cast.perform, cast.act
    for kind, code in (("psat", "RM.4.1"), ("sat", "RM.4.2")):
        ok(
            a(
                cast.dc,
                release,
                "submit-test-report",
                {"kind": kind, "file": upload(f"{kind}.pdf")},
            ),
            201,
        )
        ok(cast.decide(cast.cust, release, kind), 201)
        ok(p(cast.dc, release, code))


def _authorise(cast, release):
    ok, p = cast.ok, cast.perform
    plan = {
        "file": upload("install.pdf"),
        "release_notes": "New rules",
        "planned_start": "2027-02-10T20:00",
    }
    ok(cast.act(cast.dc, release, "submit-installation-plan", plan), 201)
    ok(cast.decide(cast.cust, release, "installation_plan"), 201)
    ok(p(cast.dc, release, "RM.5.1"))
    ok(cast.decide(cast.cust, release, "authorisation"), 201)
    ok(p(cast.dc, release, "RM.5.2"))


STAGE_WORK = {
    "planning": _plan,
    "receiving": _receive,
    "kickoff": _kick_off,
    "acceptance": _accept,
    "authorisation": _authorise,
}


#: a runbook as the deployment coordinator writes it in the walks
RUNBOOK = {
    "key_steps": "Stop the batch, deploy ecs-core then ecs-web, restart, smoke test",
    "contacts": "Service desk first; application support second; supplier third",
    "slas": "Availability 99.5% in office hours",
    "monitoring": "Health page every minute; queue length alarm",
    "rollback": "Redeploy the last known good build",
    "known_errors": "None known",
}


def make_ready(cast, release):
    """What go-live readiness asks before RM.6.2, settled through the API by the
    deployment coordinator (A of RM.6.2 and RM.5.2, R of RM.5.1): each high or medium
    Move2Run item still open waived, the runbook written and marked complete, and a
    Go/No-Go board held that says GO."""
    api, base = cast.api(cast.dc), f"/api/v1/releases/{release.identifier}"
    checklist = cast.ok(api.get(f"{base}/checklist/"))
    for item in checklist["items"]:
        if item["status"] == "open" and item["priority"] != "low":
            cast.ok(
                api.post(
                    f"{base}/checklist/{item['id']}/waive/",
                    {"reason": "Checked at the Go/No-Go meeting"},
                    format="json",
                )
            )
    runbook = cast.ok(api.get(f"{base}/runbook/"))
    if not runbook["complete"]:
        for section, text in RUNBOOK.items():
            body = {"section": section, "text": text}
            cast.ok(api.post(f"{base}/runbook/sections/", body, format="json"))
        note = {"change_note": "Brought up to date for this release"}
        cast.ok(api.post(f"{base}/runbook/complete/", note, format="json"))
    boards = cast.ok(api.get(f"{base}/boards/"))
    if boards["missing"]:
        open_boards = [b for b in boards["boards"] if not b["outcome"]]
        if open_boards:
            board = open_boards[0]
        else:
            when = {"scheduled_at": "2027-02-09T10:00", "participants": [cast.dc.username]}
            board = cast.ok(api.post(f"{base}/boards/", when, format="json"), 201)
        go = {"outcome": "go"}
        cast.ok(api.post(f"{base}/boards/{board['id']}/outcome/", go, format="json"))


def waive_open_items(release, *, by):
    """The same, through the services (for a walk in the browser that is about else)."""
    for item in checklist_items(release):
        if item.holds_go_live:
            waive_item(release, item.pk, by=by, reason="Checked at the Go/No-Go meeting")
    complete_runbook_and_go(release, by=by)


def complete_runbook_and_go(release, *, by):
    """The runbook written and complete, and a board that says GO (the services)."""
    version = runbook_of(release)
    if version is None or not version.is_complete:
        for section in RunbookSection.values:
            readiness.edit_runbook_section(release, by=by, section=section, text=RUNBOOK[section])
        readiness.complete_runbook(release, by=by, change_note="Brought up to date")
    if go_in_this_round(release) is None:
        board = release.boards.filter(outcome="").first() or readiness.schedule_board(
            release, by=by, scheduled_at=timezone.now(), participants=[by]
        )
        readiness.record_outcome(release, board.pk, by=by, outcome="go")


def install(cast, release, successful: bool):
    """RM.6.1 to RM.6.3 of a release in installation."""
    ok, p = cast.ok, cast.perform
    make_ready(cast, release)
    ok(
        p(
            cast.dc,
            release,
            "RM.6.1",
            {"message": "Downtime Saturday 20:00-22:00", "disruption": "2 hours"},
        )
    )
    ok(p(cast.dc, release, "RM.6.2", {"start_at": "2027-02-10T20:00"}))
    ok(
        p(
            cast.dc,
            release,
            "RM.6.3",
            {
                "file": upload("install-report.pdf"),
                "successful": successful,
                "assessment": "All green" if successful else "Failed",
            },
            multipart=True,
        )
    )
