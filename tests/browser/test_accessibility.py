"""The main pages, checked in Chromium with axe-core against WCAG 2.x A and AA: none may
have a serious or critical violation. Each page is a test of its own, with the data that
fills it (releases in several stages, decisions, messages, subscribers) put there first."""

import datetime
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone
from playwright.sync_api import Page, expect

from changes.models import RfC
from dsl import subscribers
from raci import services as raci_services
from raci.models import Activity, Party
from releases import planning
from releases.models import Application
from tests.lifecycle import Cast, install, upload, walk_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING = {"serious", "critical"}

MODEL_BACKEND = "raci.backends.UserWithPermissionsBackend"
User = get_user_model()

_rfc_numbers = itertools.count(100)


@dataclass
class Site:
    """The browser on the live server, and the means to put data on its pages."""

    page: Page
    url: str
    log_in: Callable
    cast: Cast
    make_release: Callable
    make_user: Callable

    def as_user(self, username: str) -> None:
        """Logged in as ``username`` by a session cookie: the login form itself is a page
        of its own below, and skipping it on every other page keeps the run short."""
        client = Client()
        client.force_login(User.objects.get(username=username), backend=MODEL_BACKEND)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        self.page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": self.url}]
        )

    def go(self, path: str) -> None:
        response = self.page.goto(f"{self.url}{path}")
        assert response.status == 200, f"{path}: HTTP {response.status}"

    def release(self, stage: str = "planning"):
        """A release of ECS (roles assigned, an approved RfC included) at the start of
        ``stage``, walked there through the API."""
        reference = f"RFC-{next(_rfc_numbers)}"
        RfC.objects.create(
            reference=reference,
            title="New export rules",
            status=RfC.Status.AUTHORISED,
            requester=self.cast.rm,
        )
        release = self.make_release(name="Export rules")
        self.cast.ok(
            self.cast.act(
                self.cast.rm, release, "include-rfc", {"rfc": reference}, multipart=False
            ),
            201,
        )
        walk_to(self.cast, release, stage)
        return release

    def awaiting_psat(self):
        """In acceptance, the PSAT report sent: the thread owes its GO/NOGO (RM.4.1)."""
        release = self.release("acceptance")
        report = {"kind": "psat", "file": upload("psat.pdf")}
        self.cast.ok(self.cast.act(self.cast.dc, release, "submit-test-report", report), 201)
        return release

    def in_acceptance(self):
        """PSAT decided GO and implemented (RM.4.1); the SAT report waits for the thread."""
        cast = self.cast
        release = self.awaiting_psat()
        cast.ok(cast.decide(cast.cust, release, "psat"), 201)
        cast.ok(cast.perform(cast.dc, release, "RM.4.1"))
        report = {"kind": "sat", "file": upload("sat.pdf")}
        cast.ok(cast.act(cast.dc, release, "submit-test-report", report), 201)
        return release

    def in_installation(self):
        """The service desk asked to tell the users of the downtime (RM.6.1)."""
        release = self.release("installation")
        message = {"message": "ECS is down Saturday 20:00-22:00", "disruption": "2 hours"}
        self.cast.ok(self.cast.perform(self.cast.dc, release, "RM.6.1", message))
        return release

    def installed(self):
        """Installed and its report assessed (RM.6.1 to RM.6.3)."""
        release = self.release("installation")
        install(self.cast, release, successful=True)
        return release

    def subscribers(self, count: int = 3) -> None:
        rows = "".join(f"user{i}@example.org,User {i}\n" for i in range(count))
        application = Application.objects.get(code="ecs")
        subscribers.import_subscribers(application, by=self.cast.desk, text="email,name\n" + rows)

    def process_owner(self) -> None:
        """A process owner, who has changed one cell of Table 4-1 already."""
        owner = self.make_user("owner", first_name="Olga", last_name="Owner")
        owner.user_permissions.add(Permission.objects.get(codename="change_racicell"))
        owner = type(owner).objects.get(pk=owner.pk)  # permissions read afresh
        raci_services.set_raci_cell(
            by=owner,
            activity=Activity.objects.get(code="RM.2.1"),
            party=Party.objects.get(slug="a3-cust"),
            letters="CI",
        )


PAGES: dict[str, Callable[[Site], None]] = {}


def checks(name: str):
    """Register the function that opens page ``name`` (with its data) in the browser."""

    def register(open_page: Callable[[Site], None]) -> Callable[[Site], None]:
        PAGES[name] = open_page
        return open_page

    return register


# --- logging in and the start pages --------------------------------------------------


@checks("login")
def _(site: Site) -> None:
    site.go("/login/")


@checks("login with an error")
def _(site: Site) -> None:
    site.go("/login/")
    site.page.get_by_label("Username").fill("rita")
    site.page.get_by_label("Password").fill("wrong")
    site.page.get_by_role("button", name="Log in").click()
    expect(site.page.get_by_role("alert")).to_be_visible()


@checks("start: release manager")
def _(site: Site) -> None:
    site.release("planning")
    site.release("receiving")
    site.log_in("rita")  # through the login form, which lands here


@checks("start: business thread")
def _(site: Site) -> None:
    site.awaiting_psat()
    site.as_user("cust")
    site.go("/")
    expect(site.page.get_by_role("link", name="Decide")).to_be_visible()


@checks("start: service desk")
def _(site: Site) -> None:
    site.in_installation()
    site.as_user("desk")
    site.go("/")


# --- releases ------------------------------------------------------------------------


@checks("release list with filters")
def _(site: Site) -> None:
    site.release("planning")
    site.release("receiving")
    site.as_user("rita")
    site.go("/releases/?q=ECS&stage=receiving&release_type=minor")
    # A filter changed in place (htmx swaps the table).
    with site.page.expect_response(lambda r: "/releases/?" in r.url):
        site.page.get_by_label("Stage").select_option("planning")
    expect(site.page.locator("#release-table tbody tr")).to_have_count(1)


@checks("release schedule")
def _(site: Site) -> None:
    site.release("receiving")
    site.as_user("rita")
    site.go("/releases/schedule/")


@checks("release create form")
def _(site: Site) -> None:
    site.as_user("rita")
    site.go("/releases/new/")


@checks("release create form with errors")
def _(site: Site) -> None:
    site.as_user("rita")
    site.go("/releases/new/")
    site.page.get_by_label("Planned delivery date").fill("2027-01-10")
    site.page.get_by_label("Planned installation date").fill("2027-01-05")
    site.page.get_by_role("button", name="Save").click()
    expect(site.page.get_by_role("alert").first).to_be_visible()


@checks("release page: planning")
def _(site: Site) -> None:
    release = site.release("planning")
    site.as_user("rita")
    site.go(f"/releases/{release.identifier}/")


@checks("release page: acceptance with decisions")
def _(site: Site) -> None:
    release = site.in_acceptance()
    site.as_user("dave")
    site.go(f"/releases/{release.identifier}/")


@checks("release page: installation")
def _(site: Site) -> None:
    release = site.installed()
    site.as_user("dave")
    site.go(f"/releases/{release.identifier}/")


@checks("RM.1.2 assign roles")
def _(site: Site) -> None:
    release = site.make_release(assign=False)
    site.as_user("rita")
    site.go(f"/releases/{release.identifier}/roles/")


# --- activity pages and decisions -----------------------------------------------------


@checks("RM.1.3 deployment plan form")
def _(site: Site) -> None:
    release = site.make_release()
    site.as_user("rita")
    site.go(f"/releases/{release.identifier}/activities/RM.1.3/")


@checks("RM.1.3 deployment plan form with errors")
def _(site: Site) -> None:
    release = site.make_release()
    site.as_user("rita")
    site.go(f"/releases/{release.identifier}/activities/RM.1.3/")
    form = site.page.locator("main form")
    for label in ("Summary", "Last known good build", "Rollback procedure"):
        form.get_by_label(label).fill("x")
    form.get_by_label("Components").fill("   ")  # blank once stripped: refused by Django
    form.get_by_role("button", name="Initialise the deployment plan").click()
    expect(site.page.get_by_role("alert").first).to_be_visible()


@checks("RM.1.3 for a business thread (read only)")
def _(site: Site) -> None:
    release = site.make_release()
    site.as_user("cust")
    site.go(f"/releases/{release.identifier}/activities/RM.1.3/")
    expect(site.page.get_by_text("Only the parties Responsible")).to_be_visible()


@checks("RM.2.3 upload form")
def _(site: Site) -> None:
    release = site.release("receiving")
    site.as_user("rita")
    site.go(f"/releases/{release.identifier}/activities/RM.2.3/")


@checks("RM.3.1 kick-off and task forms")
def _(site: Site) -> None:
    release = site.release("kickoff")
    site.as_user("dave")
    site.go(f"/releases/{release.identifier}/activities/RM.3.1/")


@checks("RM.4.2 activity with decisions")
def _(site: Site) -> None:
    release = site.in_acceptance()
    site.as_user("dave")
    site.go(f"/releases/{release.identifier}/activities/RM.4.2/")


@checks("RM.4.1 decision form")
def _(site: Site) -> None:
    release = site.awaiting_psat()
    site.as_user("cust")
    site.go(f"/releases/{release.identifier}/decisions/psat/")


@checks("RM.4.1 decision: NOGO to confirm, without script")
def _(site: Site) -> None:
    """A browser without the confirming script: the server asks on a page of its own."""
    release = site.awaiting_psat()
    site.page.route(
        "**/js/confirm.js", lambda route: route.fulfill(body="", content_type="text/javascript")
    )
    site.as_user("cust")
    site.go(f"/releases/{release.identifier}/decisions/psat/")
    form = site.page.locator("main form")
    form.get_by_label("Decision", exact=True).select_option("nogo")
    form.get_by_label("Consequence").select_option("corrected_delivery")
    evidence = {"name": "nogo.eml", "mimeType": "message/rfc822", "buffer": b"NOGO"}
    form.get_by_label("Evidence", exact=True).set_input_files(evidence)
    form.get_by_role("button", name="Record the decision").click()
    expect(site.page.get_by_role("alertdialog", name="Confirm the NOGO")).to_be_visible()
    expect(form.get_by_role("button", name="Yes, record the NOGO")).to_be_visible()


@checks("approvals")
def _(site: Site) -> None:
    site.awaiting_psat()
    site.as_user("cust")
    site.go("/approvals/")
    expect(site.page.get_by_role("link", name="Decide")).to_be_visible()


@checks("messages")
def _(site: Site) -> None:
    site.release("kickoff")
    site.as_user("dave")
    site.go("/messages/")
    expect(site.page.locator("main tbody tr.unread").first).to_be_attached()
    expect(site.page.locator("#nav-messages")).to_contain_text("unread", timeout=15_000)


@checks("message")
def _(site: Site) -> None:
    site.release("kickoff")
    site.as_user("dave")
    site.go("/messages/")
    site.page.locator("main tbody tr.unread a").first.click()
    expect(site.page.get_by_role("button", name="Mark unread")).to_be_visible(timeout=15_000)


# --- the account ---------------------------------------------------------------------


@checks("account tokens")
def _(site: Site) -> None:
    site.as_user("rita")
    site.go("/account/tokens/")
    site.page.get_by_role("button", name="Create a token").click()
    expect(site.page.locator("#new-token")).to_be_visible()
    expect(site.page.get_by_role("button", name="Revoke", exact=True)).to_be_visible()


# --- the RACI table ----------------------------------------------------------------------


@checks("RACI matrix")
def _(site: Site) -> None:
    site.process_owner()
    site.as_user("owner")
    site.go("/raci/")


@checks("RACI cell edit form")
def _(site: Site) -> None:
    site.process_owner()
    site.as_user("owner")
    site.go("/raci/cells/RM.2.1/a3-cust/")


@checks("process activities")
def _(site: Site) -> None:
    site.as_user("rita")
    site.go("/raci/activities/")


# --- the service desk's mass notifications ------------------------------------------------


@checks("subscribers")
def _(site: Site) -> None:
    site.subscribers()
    site.as_user("desk")
    site.go("/applications/ecs/subscribers/")


@checks("mass notification preview")
def _(site: Site) -> None:
    release = site.in_installation()
    site.subscribers()
    site.as_user("desk")
    site.go(f"/releases/{release.identifier}/mass-notification/")
    expect(site.page.get_by_label("Body")).not_to_be_empty()


@checks("mass notification sent")
def _(site: Site) -> None:
    release = site.in_installation()
    site.subscribers()
    site.as_user("desk")
    site.go(f"/releases/{release.identifier}/mass-notification/")
    site.page.get_by_role("button", name="Send to 3 users").click()
    expect(site.page.locator(".mass-progress .percent")).to_have_text("100%")


# --- the dated plan: windows, milestones, conflicts -----------------------------------


def _blackout(site: Site, release) -> None:
    """A blackout over the release's installation day."""
    day = release.planned_installation_date
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    planning.save_window(
        by=site.cast.rm,
        kind="blackout",
        title="Data centre move",
        starts_at=start,
        ends_at=start + datetime.timedelta(days=1),
    )


@checks("windows")
def _(site: Site) -> None:
    release = site.make_release()
    _blackout(site, release)
    start = timezone.now() - datetime.timedelta(weeks=2)
    planning.save_window(
        by=site.cast.rm,
        kind="maintenance",
        title="Saturday evening",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=4),
        repeats_weekly=True,
        application=release.application,
    )
    site.as_user("rita")
    site.go("/windows/")


@checks("window form with errors")
def _(site: Site) -> None:
    site.as_user("rita")
    site.go("/windows/new/")
    site.page.get_by_role("button", name="Save the window").click()
    expect(site.page.get_by_role("alert").first).to_be_visible()


@checks("release plan with the milestone form")
def _(site: Site) -> None:
    release = site.release("receiving")
    site.as_user("rita")
    site.go(f"/releases/{release.identifier}/milestones/?kind=installation")


@checks("release page: a conflict to acknowledge")
def _(site: Site) -> None:
    release = site.make_release()
    _blackout(site, release)
    site.as_user("rita")
    site.go(f"/releases/{release.identifier}/")
    expect(site.page.locator("#conflicts")).to_contain_text("Data centre move")


# --- the check ----------------------------------------------------------------------------


def axe_violations(page: Page) -> list[dict]:
    """axe-core's violations on the page as it stands, folded content unfolded, once
    the start page's parts and the release page's record have come back."""
    expect(page.locator(".start-part, #record[hx-get]")).to_have_count(0)
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.add_script_tag(path=AXE)
    return page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})"
        ".then(result => result.violations)",
        WCAG_TAGS,
    )


def describe(name: str, violations: list[dict]) -> str:
    lines = [f"{name}: {len(violations)} serious or critical axe-core violation(s)"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']} <{v['helpUrl']}>")
        for node in v["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    {' > '.join(map(str, node['target']))}: {summary}")
    return "\n".join(lines)


@pytest.fixture
def site(page, live_server, log_in, cast, make_release, make_user, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Site(page, live_server.url, log_in, cast, make_release, make_user)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violation(site, name):
    PAGES[name](site)
    violations = [v for v in axe_violations(site.page) if v["impact"] in BLOCKING]
    assert not violations, describe(name, violations)
