"""One release walked from RM.1.1 to closed in Chromium: every activity on its own page, by
a user of the party the RACI table names, and every decision of the business thread on its
decision page. Only what has no page yet (people, the application, the developer
organisation, an approved RfC and its inclusion) is set up behind the browser's back."""

from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect

from changes.models import RfC
from releases.models import Release
from tests.lifecycle import PLAN_LABELS, waive_open_items

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RELEASE = "ECS-3.2.0"


@dataclass
class Walk:
    """The browser, logged in as one user at a time, on the pages of one release."""

    page: Page
    url: str
    files: Path
    user: str = ""

    # --- people ---------------------------------------------------------------------

    def as_user(self, username: str) -> None:
        """Log out whoever is logged in (the top bar's button) and log in as ``username``."""
        if username == self.user:
            return
        if self.user:
            self.page.get_by_role("button", name=f"{self.user} · Log out").click()
            self.page.wait_for_url(f"{self.url}/login/")
        else:
            self.page.goto(f"{self.url}/login/")
        self.page.get_by_label("Username").fill(username)
        self.page.get_by_label("Password").fill("pw")
        self.page.get_by_role("button", name="Log in").click()
        self.page.wait_for_url(f"{self.url}/")
        self.user = username

    # --- pages and forms ------------------------------------------------------------

    def file(self, name: str, content: bytes = b"%PDF-1.4 evidence") -> Path:
        path = self.files / name
        path.write_bytes(content)
        return path

    def open(self, code: str) -> None:
        """The activity's page (a performed form comes back to it: no need to reload)."""
        url = f"{self.url}/releases/{RELEASE}/activities/{code}/"
        if self.page.url != url:
            self.page.goto(url)
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(code)

    def card(self, label: str) -> Locator:
        """The form card of an activity page whose header is ``label``."""
        return self.page.locator("article").filter(
            has=self.page.locator("header").get_by_text(label, exact=True)
        )

    def fill(self, scope: Locator, fields: dict) -> None:
        """Fill fields by their label: True checks a box, a Path is uploaded, a select
        gets the option of that value, anything else is typed."""
        for label, value in fields.items():
            control = scope.get_by_label(label, exact=True)
            if value is True:
                control.check()
            elif isinstance(value, Path):
                control.set_input_files(value)
            elif control.evaluate("e => e.tagName") == "SELECT":
                control.select_option(value)
            else:
                control.fill(value)

    def submit(self, scope: Locator, button: str, flash: str) -> None:
        """Press ``button`` in ``scope``; the page must come back without error, with
        the success message ``flash``."""
        with self.page.expect_navigation() as navigation:
            scope.get_by_role("button", name=button, exact=True).click()
        response = navigation.value
        errors = self.page.get_by_role("alert").all_inner_texts()
        failure = (
            f"{button!r} as {self.user} on {response.url}: HTTP {response.status} {errors}\n"
            + self.page.locator("body").inner_text()[:1500]
        )
        assert response.status == 200, failure
        assert not errors, failure
        expect(self.page.get_by_role("status")).to_have_text(flash)

    def perform(self, code: str, label: str, fields: dict | None = None) -> None:
        """Perform activity ``code`` with the form of its page."""
        self.open(code)
        card = self.card(label)
        self.fill(card, fields or {})
        self.submit(card, label, f"{label}: done.")
        expect(self.page.locator("hgroup .tag").nth(1)).to_have_text("Done")

    def act(self, code: str, label: str, fields: dict) -> None:
        """An extra action of activity ``code``'s page (upload, task)."""
        self.open(code)
        card = self.card(label)
        self.fill(card, fields)
        self.submit(card, label, f"{label}: done.")

    def decide(self, kind: str, evidence: Path | None = None) -> None:
        """The business thread's GO (or approval) on its decision page."""
        self.page.goto(f"{self.url}/releases/{RELEASE}/decisions/{kind}/")
        form = self.page.locator("main form")
        fields = {"Business thread": "a3-cust", "Decision": "go"}
        if evidence:
            fields["Evidence"] = evidence
        # Approvals read "Approved", the GO/NOGO decisions "GO".
        shown = "Approved" if kind in ("installation_plan", "authorisation") else "GO"
        self.fill(form, fields)
        self.submit(form, "Record the decision", f"Decision recorded: {shown}.")
        row = self.page.locator("#decisions tbody tr").filter(has_text="A3/Cust")
        expect(row.locator("td").nth(1)).to_have_text(shown)


@pytest.fixture
def walk(page, live_server, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    files = tmp_path / "upload"
    files.mkdir()
    return Walk(page, live_server.url, files)


def test_a_release_walks_from_planning_to_closed_in_the_browser(
    walk, make_user, application, organisation
):
    rita = make_user("rita", "ITSM Release Manager", first_name="Rita", last_name="Manager")
    dave = make_user("dave", "ITSM Deployment Coordinator", first_name="Dave", last_name="Coord")
    make_user("cust", "DG TAXUD A3/Cust", first_name="Carla", last_name="Cust")
    make_user("camille", "ITSM Campaign Coordinator", first_name="Camille", last_name="Camp")
    rfc = RfC.objects.create(
        reference="RFC-100",
        title="New export rules",
        status="authorised",
        requester=rita,
    )
    page = walk.page

    # RM.1.1 and RM.1.2 on their forms, planned with conformance testing (RM.7).
    walk.as_user("rita")
    page.goto(f"{walk.url}/releases/new/")
    page.get_by_label("Application").select_option(label="ECS - Export Control System")
    walk.fill(
        page.locator("main form"),
        {
            "Version": "3.2.0",
            "Name": "ECS phase 3",
            "Release type": "minor",
            "Planned delivery date": "2027-01-10",
            "Planned installation date": "2027-02-15",
            "Conformance testing": True,
            "DG TAXUD A3/Cust": True,
        },
    )
    walk.submit(page.locator("main form"), "Save", f"Release {RELEASE} formalised (RM.1.1).")
    page.get_by_role("button", name="Assign roles (RM.1.2)").click()
    page.get_by_label("DG TAXUD A3/Cust").check()
    page.get_by_label("ITSM Deployment Coordinator").select_option(label="Dave Coord")
    page.get_by_label("3rd party developer organisation").select_option(label="Acme Software")
    walk.submit(page.locator("main form"), "Save", "Roles assigned (RM.1.2).")
    release = Release.objects.get(identifier=RELEASE)
    assert release.conformance_testing
    # RM.1.1: the approved RfC goes into the release, named by its reference.
    walk.act("RM.1.1", "Include an RfC", {"RfC": rfc.reference})

    # RM.1 Plan release.
    walk.perform(
        "RM.1.3",
        "Initialise the deployment plan",
        {
            "Deployment option": "big_bang",
            "Summary": "One go",
            "Components": "ecs-core 3.2.0\necs-web 3.2.0",
            "Last known good build": "ecs 3.1.7",
            "Rollback procedure": "Redeploy 3.1.7",
            **PLAN_LABELS,
        },
    )
    walk.perform("RM.1.4", "Publish on the release schedule")

    # RM.2 Receive release.
    walk.as_user("dave")
    walk.perform(
        "RM.2.1",
        "Record the consistency check",
        {
            "Deployment plan completed by the application manager": True,
            "Technical documents (installation documents...) available": True,
        },
    )
    walk.perform(
        "RM.2.2",
        "Record the completeness check",
        {"ecs-core 3.2.0": True, "ecs-web 3.2.0": True},
    )
    walk.as_user("rita")
    for name in ("ecs-core", "ecs-web"):
        walk.act(
            "RM.2.3",
            "Store a component in the DSL",
            {"Name": name, "Version": "3.2.0", "File": walk.file(f"{name}.jar", b"PK jar")},
        )
    walk.perform("RM.2.3", "Confirm the DSL is updated")
    walk.as_user("dave")
    walk.act(
        "RM.2.4",
        "Store a document in the DSL",
        {"Title": "Installation guide", "Kind": "installation", "File": walk.file("guide.pdf")},
    )
    walk.perform("RM.2.4", "Confirm the documentation is in the DSL")

    # RM.3 Kick-off deployment.
    walk.act(
        "RM.3.1",
        "Add a task to the deployment plan",
        {
            "Title": "Prepare servers",
            "Owner party": "itsm-infrastructure-manager",
            "Due date": "2027-02-01",
        },
    )
    walk.perform(
        "RM.3.1",
        "Invite to the kick-off",
        {"Scheduled at": "2027-01-20T10:00", "Agenda": "The deployment plan"},
    )
    walk.perform(
        "RM.3.2",
        "Record the kick-off",
        {"Decisions": "Go ahead", "The deployment plan is approved": True},
    )
    walk.perform(
        "RM.3.3",
        "Record the environment acceptance report",
        {
            "Environment acceptance report": walk.file("env.pdf"),
            "The environment is accepted": True,
        },
    )

    # RM.4 Accept release: a report from the deployment coordinator, a GO from the thread.
    for code, kind, label in (
        ("RM.4.1", "psat", "Implement the GO: SAT may start"),
        ("RM.4.2", "sat", "Implement the GO: post-SAT deployments may start"),
    ):
        walk.act(
            code,
            "Send a test report to the business threads",
            {"Kind": kind, "File": walk.file(f"{kind}.pdf")},
        )
        walk.as_user("cust")
        walk.decide(kind)
        walk.as_user("dave")
        walk.perform(code, label)

    # RM.5 Authorise installation.
    walk.act(
        "RM.5.1",
        "Submit the installation plan and release notes",
        {
            "Installation plan": walk.file("install.pdf"),
            "Release notes": "New export rules",
            "Planned start": "2027-02-15T20:00",
        },
    )
    walk.as_user("cust")
    walk.decide("installation_plan")
    walk.as_user("dave")
    walk.perform("RM.5.1", "Confirm the installation plan is validated")
    walk.as_user("cust")
    walk.decide("authorisation", evidence=walk.file("authorised.eml", b"Subject: GO\n\nGO"))
    walk.as_user("dave")
    walk.perform("RM.5.2", "Confirm the installation is authorised")

    # RM.6 Install release (successful: RM.6.4 does not apply).
    walk.perform(
        "RM.6.1",
        "Ask the service desk to notify the users",
        {"Message": "ECS down Monday 20:00-22:00", "Expected disruption": "2 hours"},
    )
    # Go-live readiness (its own walk: tests/browser/test_readiness_walk.py).
    waive_open_items(Release.objects.get(identifier=RELEASE), by=dave)
    walk.perform(
        "RM.6.2",
        "Give the go-live to application management",
        {"Installation starts at": "2027-02-15T20:00"},
    )
    walk.perform(
        "RM.6.3",
        "Record the assessed installation report",
        {
            "Installation report": walk.file("install-report.pdf"),
            "The installation succeeded": True,
            "Assessment": "All green",
        },
    )
    walk.perform("RM.6.5", "Publish the successful installation", {"Message": "ECS 3.2.0 is live"})
    walk.perform(
        "RM.6.6", "Ask the service desk to notify the users", {"Message": "ECS 3.2.0 is available"}
    )
    walk.as_user("rita")
    walk.perform(
        "RM.6.7",
        "Close the release operation",
        {"Deployment plan updated": True},
    )

    # RM.7 Conformance testing.
    walk.as_user("cust")
    walk.decide("ct_go_ahead")
    walk.as_user("rita")
    walk.perform(
        "RM.7.1",
        "Trigger the CT campaign",
        {"Campaign coordinator": "camille", "Scope": "Full CT"},
    )
    walk.as_user("camille")
    walk.act("RM.7.2", "Attach a CT campaign report", {"CT campaign report": walk.file("ct.pdf")})
    walk.as_user("dave")
    walk.perform("RM.7.2", "Forward the CT reports: campaign completed")

    # The release page and the database agree: closed, everything done but RM.6.4.
    page.goto(f"{walk.url}/releases/{RELEASE}/")
    expect(page.locator("hgroup .tag")).to_have_text("Closed")
    expect(page.locator("#record[hx-get]")).to_have_count(0)  # its record has come
    shown = {}
    # Every stage's activities, the closed stages' folded away (their text still there).
    for row in page.locator("table.checklist tbody tr").all():
        activity, status = (row.locator("td").nth(i).text_content().strip() for i in (0, 4))
        # "Done · <outcome>", "Not applicable (<why>)"
        shown[activity.split()[0]] = status.split(" · ")[0]
    assert shown.pop("RM.6.4").startswith("Not applicable")
    assert set(shown.values()) == {"Done"}, shown
    release.refresh_from_db()
    assert release.stage == "closed"
    statuses = dict(release.activity_records.values_list("activity__code", "status"))
    assert set(statuses) == {*shown, "RM.6.4"}
    assert statuses.pop("RM.6.4") == "not_applicable"
    assert set(statuses.values()) == {"done"}, statuses
    assert RfC.objects.get(reference="RFC-100").status == "implemented"
