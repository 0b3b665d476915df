"""The main pages on a phone (390 x 844): the page never scrolls sideways (a wide table
may scroll inside itself) and the navigation's "Log out" button stays on the screen.
Each page is a test of its own, with the data that fills it put there first."""

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from changes.models import RfC
from dsl import subscribers
from releases.models import Application
from tests.lifecycle import Cast, upload, walk_to

WIDTH, HEIGHT = 390, 844

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.browser_context_args(viewport={"width": WIDTH, "height": HEIGHT}),
]


@dataclass
class Phone:
    """The browser at a phone's size on the live server, and the data behind the pages."""

    page: Page
    url: str
    log_in: Callable
    cast: Cast
    make_release: Callable
    user: str = ""

    def open(self, username: str, path: str = "/") -> None:
        """Log in as ``username`` through the login form and open ``path``."""
        self.log_in(username)
        self.user = username
        if path != "/":
            response = self.page.goto(f"{self.url}{path}")
            assert response.status == 200, f"{path}: HTTP {response.status}"

    def release(self, stage: str = "planning", name: str = "Export rules"):
        """A release of ECS for A3/Cust with an approved RfC of its own included (RM.1.1),
        walked through the API to the start of ``stage``."""
        rfc = RfC.objects.create(
            reference=f"RFC-{RfC.objects.count() + 100}",
            title="New export rules for goods leaving the customs territory of the Union",
            status=RfC.Status.AUTHORISED,
            requester=self.cast.rm,
        )
        release = self.make_release(name=name)
        include = {"rfc": rfc.reference}
        self.cast.ok(self.cast.act(self.cast.rm, release, "include-rfc", include, False), 201)
        walk_to(self.cast, release, stage)
        return release

    def awaiting_psat(self):
        """In acceptance, the pSAT report sent: A3/Cust owes its GO/NOGO (RM.4.1)."""
        release = self.release("acceptance")
        report = {"kind": "psat", "file": upload("psat-report-with-a-long-file-name.pdf")}
        self.cast.ok(self.cast.act(self.cast.dc, release, "submit-test-report", report), 201)
        return release

    def in_acceptance(self):
        """pSAT decided GO and implemented (RM.4.1); the SAT report waits for A3/Cust."""
        cast = self.cast
        release = self.awaiting_psat()
        cast.ok(cast.decide(cast.cust, release, "psat", evidence_note="GO after pSAT"), 201)
        cast.ok(cast.perform(cast.dc, release, "RM.4.1"))
        report = {"kind": "sat", "file": upload("sat-report-with-a-long-file-name.pdf")}
        cast.ok(cast.act(cast.dc, release, "submit-test-report", report), 201)
        return release


PAGES: dict[str, Callable[[Phone], None]] = {}


def shows(name: str):
    """Register the function that opens page ``name`` (with its data) on the phone."""

    def register(open_page: Callable[[Phone], None]) -> Callable[[Phone], None]:
        PAGES[name] = open_page
        return open_page

    return register


@shows("start: release manager")
def _(phone: Phone) -> None:
    phone.release("kickoff")
    phone.make_release(name="A release with a rather long name to fit on a phone")
    phone.open("rita")
    expect(phone.page.get_by_role("button", name="Formalise a release (RM.1.1)")).to_be_visible()


@shows("start: business thread")
def _(phone: Phone) -> None:
    phone.awaiting_psat()
    phone.open("cust")
    expect(phone.page.get_by_role("link", name="Decide")).to_be_visible()


@shows("release list")
def _(phone: Phone) -> None:
    phone.release("receiving")
    phone.make_release()
    phone.open("rita", "/releases/")
    expect(phone.page.locator("#release-table tbody tr")).to_have_count(2)


@shows("release page: acceptance with records")
def _(phone: Phone) -> None:
    release = phone.in_acceptance()
    phone.open("dave", f"/releases/{release.identifier}/")
    # The current stage's activities are open; the others fold away.
    expect(phone.page.locator("details[open] table.checklist tbody tr").first).to_be_visible()
    expect(phone.page.get_by_role("button", name="Back for a corrected delivery")).to_be_visible()


@shows("activity page: RM.4.1 with its decisions")
def _(phone: Phone) -> None:
    release = phone.in_acceptance()
    phone.open("dave", f"/releases/{release.identifier}/activities/RM.4.1/")
    expect(phone.page.locator("#decisions tbody tr")).to_have_count(1)


@shows("decision page: SAT")
def _(phone: Phone) -> None:
    release = phone.in_acceptance()
    phone.open("cust", f"/releases/{release.identifier}/decisions/sat/")
    expect(phone.page.get_by_role("button", name="Record the decision")).to_be_visible()


@shows("messages")
def _(phone: Phone) -> None:
    phone.release("kickoff")
    phone.open("dave", "/messages/")
    expect(phone.page.locator("main tbody tr").first).to_be_visible()


@shows("RACI matrix")
def _(phone: Phone) -> None:
    phone.open("rita", "/raci/")
    expect(phone.page.locator("main table").first).to_be_visible()


@shows("mass notification: service desk")
def _(phone: Phone) -> None:
    cast = phone.cast
    release = phone.release("installation")
    message = {"message": "ECS is down Saturday 20:00-22:00", "disruption": "2 hours"}
    cast.ok(cast.perform(cast.dc, release, "RM.6.1", message))
    rows = "".join(f"user{i}@example.org,User {i}\n" for i in range(3))
    application = Application.objects.get(code="ecs")
    subscribers.import_subscribers(application, by=cast.desk, text="email,name\n" + rows)
    phone.open("desk", f"/releases/{release.identifier}/mass-notification/")
    expect(phone.page.get_by_role("button", name="Send to 3 users")).to_be_visible()


@pytest.fixture
def phone(page, live_server, log_in, cast, make_release, tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return Phone(page, live_server.url, log_in, cast, make_release)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_fits_a_narrow_screen(phone, name):
    PAGES[name](phone)
    page = phone.page
    # the start page's parts and the release page's record are in
    expect(page.locator(".start-part, #record[hx-get]")).to_have_count(0)
    assert page.viewport_size == {"width": WIDTH, "height": HEIGHT}
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, (
        f"{name}: the page scrolls sideways ({scroll_width} px wide in {inner_width} px); "
        "wider than the screen: " + ", ".join(_overflowing(page, inner_width))
    )
    log_out = page.get_by_role("button", name=f"{phone.user} · Log out")
    expect(log_out).to_be_visible()
    box = log_out.bounding_box()
    assert box["x"] + box["width"] <= WIDTH, f"{name}: the Log out button runs off ({box})"


def _overflowing(page: Page, width: int) -> list[str]:
    """The outermost elements that reach beyond ``width`` and are not clipped by a box
    that scrolls or hides them, for the message."""
    return page.evaluate(
        """width => {
            const clipped = e => {
                for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
                    if (getComputedStyle(a).overflowX !== 'visible') return true;
                }
                return false;
            };
            const out = [];
            for (const e of document.body.querySelectorAll('*')) {
                if (e.getBoundingClientRect().right <= width || clipped(e)) continue;
                if (out.some(o => o.contains(e))) continue;
                out.push(e);
            }
            return out.slice(0, 10).map(e =>
                e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
                (typeof e.className === 'string' && e.className.trim()
                    ? '.' + e.className.trim().split(/\\s+/).join('.') : ''));
        }""",
        width,
    )
