"""One journey per persona, end to end in Chromium against the live server: the
deployment coordinator refused a decision on the report they submitted, the business
thread confirming a NOGO in the browser's dialog, the release manager revising a planning
and cancelling the release. What comes before the journey (people, a release walked to
its stage) is set up through the API."""

import re
from dataclasses import dataclass, field

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from playwright.sync_api import Dialog, Page, Request, expect

from deployments.models import Decision
from releasemgmt.notifications import services as outbox
from releasemgmt.notifications.models import Communication, Recipient
from releases.models import Release
from tests.lifecycle import upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOT_ON_ONES_OWN = "Nobody decides on what they submitted themselves."
CHOOSE_AGAIN = "Choose the file again: nothing was saved, and browsers do not keep a file."


@dataclass
class Dialogs:
    """The browser's dialogs (window.confirm...), answered as ``accept`` says."""

    accept: bool = False
    seen: list[tuple[str, str]] = field(default_factory=list)

    def __call__(self, dialog: Dialog) -> None:
        self.seen.append((dialog.type, dialog.message))
        if self.accept:
            dialog.accept()
        else:
            dialog.dismiss()


@dataclass
class Posts:
    """Every form the page posts."""

    urls: list[str] = field(default_factory=list)

    def __call__(self, request: Request) -> None:
        if request.method == "POST":
            self.urls.append(request.url)


def switch_user(page: Page, url: str, current: str, log_in, username: str) -> None:
    """Log ``current`` out with the top bar's button and log ``username`` in."""
    page.get_by_role("button", name=f"{current} · Log out").click()
    page.wait_for_url(f"{url}/login/")
    log_in(username)


def press_and_dismiss(page: Page, dialogs: Dialogs, posts: Posts, button) -> str:
    """Press ``button`` and dismiss the confirm dialog it raises; the page stays as it is
    and posts nothing. Returns the dialog's question."""
    dialogs.accept = False
    page.evaluate("window.stillHere = true")
    with page.expect_event("dialog") as shown:
        button.click()
    assert shown.value.type == "confirm"
    # A round trip to the page once the dialog is gone: the same document, nothing sent.
    assert page.evaluate("window.stillHere === true")
    assert posts.urls == []
    return shown.value.message


def _file(folder, name: str, content: bytes = b"%PDF-1.4 report"):
    path = folder / name
    path.write_bytes(content)
    return path


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    files = tmp_path / "upload"
    files.mkdir()
    return files


def test_coordinator_is_refused_a_decision_on_their_own_report_then_the_thread_decides(
    page, live_server, log_in, cast, release_at, media
):
    release = release_at("acceptance")
    url, identifier = live_server.url, release.identifier
    evidence = media / "go.eml"
    evidence.write_bytes(b"Subject: GO\n\nGO for SAT")

    # The deployment coordinator sends the pSAT report from RM.4.1's page.
    log_in("dave")
    page.goto(f"{url}/releases/{identifier}/activities/RM.4.1/")
    report = page.locator("article").filter(
        has=page.locator("header").get_by_text(
            "Send a test report to the business threads", exact=True
        )
    )
    report.get_by_label("Kind", exact=True).select_option("psat")
    report.get_by_label("File", exact=True).set_input_files(_file(media, "psat.pdf"))
    report.get_by_role("button", name="Send a test report to the business threads").click()
    expect(page.get_by_role("status")).to_have_text(
        "Send a test report to the business threads: done."
    )

    # Then tries to record the thread's GO on its behalf, with evidence.
    page.locator("#decisions").get_by_role("button", name="Record a decision").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("GO/NOGO for SAT after pSAT (RM.4.1)")
    form = page.locator("main form")
    form.get_by_label("Business thread").select_option("a3-cust")
    form.get_by_label("Decision", exact=True).select_option("go")
    form.get_by_label("Decided by").fill("Carla Cust")
    form.get_by_label("Evidence note").fill("GO given on the phone, 10:00")
    form.get_by_label("Evidence", exact=True).set_input_files(evidence)
    with page.expect_navigation() as navigation:
        form.get_by_role("button", name="Record the decision").click()

    # Refused: the page in the site's layout with the reason, what was typed, and a note
    # to choose the file again; nothing recorded.
    assert navigation.value.status == 403
    expect(page.get_by_role("button", name="dave · Log out")).to_be_visible()
    expect(page.get_by_role("heading", level=1)).to_have_text("GO/NOGO for SAT after pSAT (RM.4.1)")
    expect(page.locator("main form div[role=alert]")).to_have_text(NOT_ON_ONES_OWN)
    expect(form.get_by_label("Decided by")).to_have_value("Carla Cust")
    expect(form.get_by_label("Evidence note")).to_have_value("GO given on the phone, 10:00")
    expect(form.get_by_label("Business thread")).to_have_value("a3-cust")
    expect(form.get_by_label("Decision", exact=True)).to_have_value("go")
    expect(form.get_by_text(CHOOSE_AGAIN)).to_be_visible()
    assert form.get_by_label("Evidence", exact=True).evaluate("e => e.files.length") == 0
    assert not Decision.objects.filter(release=release).exists()
    page.goto(f"{url}/releases/{identifier}/activities/RM.4.1/")
    expect(page.locator("#decisions tbody")).to_have_text("No decision yet.")

    # The thread's user decides from the start page, in their own name.
    switch_user(page, url, "dave", log_in, "cust")
    owed = page.locator("main section").filter(has_text="Decisions your thread owes")
    owed.locator("tr").filter(has_text=identifier).get_by_role("link", name="Decide").click()
    form = page.locator("main form")
    expect(form.get_by_label("Business thread")).to_have_value("a3-cust")
    form.get_by_label("Decision", exact=True).select_option("go")
    with page.expect_navigation() as navigation:
        form.get_by_role("button", name="Record the decision").click()
    assert navigation.value.status == 200
    assert page.url == f"{url}/releases/{identifier}/activities/RM.4.1/"
    expect(page.get_by_role("status")).to_have_text("Decision recorded: GO.")
    row = page.locator("#decisions tbody tr")
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(0)).to_have_text("A3/Cust")
    expect(row.locator("td").nth(1)).to_have_text("GO")
    expect(row.locator("td").nth(2)).to_have_text("Carla Cust")
    decision = Decision.objects.get(release=release)
    assert (decision.kind, decision.verdict, decision.on_behalf) == ("psat", "go", False)
    assert decision.recorded_by == cast.cust


def test_business_thread_confirms_a_nogo_before_it_sends_the_release_back(
    page, live_server, log_in, cast, release_at, media
):
    release = release_at("acceptance")
    cast.ok(
        cast.act(
            cast.dc, release, "submit-test-report", {"kind": "psat", "file": upload("psat.pdf")}
        ),
        201,
    )
    url, identifier = live_server.url, release.identifier
    dialogs, posts = Dialogs(), Posts()
    page.on("dialog", dialogs)

    log_in("cust")
    page.goto(f"{url}/releases/{identifier}/decisions/psat/")
    expect(page.locator("main p.notice")).to_contain_text("A NOGO acts at once")
    form = page.locator("main form")
    expect(form.get_by_label("Business thread")).to_have_value("a3-cust")
    form.get_by_label("Decision", exact=True).select_option("nogo")
    form.get_by_label("Consequence").select_option(label="Send back for a corrected delivery")
    record = form.get_by_role("button", name="Record the decision")

    # Dismissed: nothing is sent, nothing recorded.
    page.on("request", posts)
    question = press_and_dismiss(page, dialogs, posts, record)
    assert question.startswith("A NOGO acts at once")
    assert page.url == f"{url}/releases/{identifier}/decisions/psat/"
    expect(form.locator("input[name=confirmed]")).to_have_value("")
    expect(form.get_by_label("Decision", exact=True)).to_have_value("nogo")
    assert not Decision.objects.filter(release=release).exists()
    release.refresh_from_db()
    assert release.stage == "acceptance"

    # Accepted: recorded, and the flash says where the release went.
    dialogs.accept = True
    with page.expect_navigation() as navigation:
        record.click()
    assert navigation.value.status == 200
    assert len(dialogs.seen) == 2
    expect(page.get_by_role("status")).to_have_text(
        f"NOGO recorded: {identifier} went back to RM.2 for a corrected delivery."
    )
    page.get_by_role("link", name=f"{identifier} {release.name}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(identifier)
    expect(page.locator("hgroup .tag")).to_have_text("RM.2 Receive release")
    expect(page.locator(".stage-bar [aria-current=step]")).to_have_text("RM.2 Receive release")
    decision = Decision.objects.get(release=release)
    assert (decision.verdict, decision.consequence) == ("nogo", "corrected_delivery")
    release.refresh_from_db()
    assert release.stage == "receiving"


def test_release_manager_revises_the_planning_then_cancels_the_release(
    page, live_server, log_in, make_release
):
    release = make_release(name="Export rules")
    identifier = release.identifier
    dialogs, posts = Dialogs(), Posts()
    page.on("dialog", dialogs)

    outbox.post(
        release=release,
        activity="RM.1.3",
        kind=Communication.Kind.PROCESS,
        interface="",
        subject="Initialise the deployment plan of Export rules",
        body="The roles are assigned.",
        link=f"/releases/{identifier}/",
        by=None,
        to_users=[get_user_model().objects.get(username="rita")],
    )
    unread = Recipient.objects.filter(user__username="rita", read_at__isnull=True).count()
    log_in("rita")

    # The navigation counts the unread (loaded after the page); opening a message reads it.
    messages = page.locator("#nav-messages")
    expect(messages).to_contain_text(f", {unread} unread", timeout=15_000)
    messages.click()
    page.wait_for_url(f"{live_server.url}/messages/", timeout=15_000)
    row = page.locator("#messages tr", has_text="Initialise the deployment plan of Export rules")
    expect(row).to_contain_text("Unread:", timeout=15_000)
    row.get_by_role("link", name="Initialise the deployment plan of Export rules").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Initialise the deployment plan of Export rules", timeout=15_000
    )
    expect(page.get_by_role("button", name="Act on it")).to_be_visible(timeout=15_000)
    expect(messages).to_contain_text(
        f", {unread - 1} unread" if unread > 1 else "nothing unread", timeout=15_000
    )
    page.get_by_role("link", name="← Your messages").click()
    expect(row).not_to_contain_text("Unread:", timeout=15_000)

    page.get_by_role("link", name="Releases", exact=True).click()
    page.locator("#release-table").get_by_role("link", name=identifier).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(identifier)

    # The planning form shows the current dates, ISO; it saves without retyping them.
    page.get_by_role("button", name="Revise planning (RM.1.1)").click()
    delivery, installation = (
        page.get_by_label("Planned delivery date"),
        page.get_by_label("Planned installation date"),
    )
    expect(delivery).to_have_value("2027-03-01")
    expect(installation).to_have_value("2027-03-15")
    page.get_by_label("Name").fill("Export rules, second wave")
    page.get_by_label("Description").fill("The second wave of the export rules.")
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Save").click()
    assert navigation.value.status == 200
    expect(page.get_by_role("status")).to_have_text("Planning revised (RM.1.1).")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"{identifier} Export rules, second wave"
    )
    facts = page.locator("dl.facts").first
    expect(facts).to_contain_text("Planned delivery2027-03-01")
    expect(facts).to_contain_text("Planned installation2027-03-15")
    release.refresh_from_db()
    assert release.name == "Export rules, second wave"
    assert str(release.planned_delivery_date) == "2027-03-01"
    assert str(release.planned_installation_date) == "2027-03-15"

    # Cancelling asks first: dismissed, nothing happens.
    cancel = page.locator("form.transition").filter(
        has=page.get_by_role("button", name="Cancel the release")
    )
    cancel.get_by_label("Reason").fill("Superseded by the next major release")
    page.on("request", posts)
    button = cancel.get_by_role("button", name="Cancel the release")
    question = press_and_dismiss(page, dialogs, posts, button)
    assert question == f"Cancel {identifier} for good? It cannot be reopened."
    expect(page.locator("hgroup .tag")).to_have_text("RM.1 Plan release")
    release.refresh_from_db()
    assert release.stage == "planning"

    # Accepted, with its reason: cancelled.
    dialogs.accept = True
    with page.expect_navigation() as navigation:
        button.click()
    assert navigation.value.status == 200
    expect(page.get_by_role("status")).to_have_text(f"{identifier}: cancel done.")
    expect(page.locator("hgroup .tag")).to_have_text("Cancelled")
    expect(page.get_by_role("button", name="Cancel the release")).to_have_count(0)
    expect(page.get_by_role("button", name="Revise planning (RM.1.1)")).to_have_count(0)
    expect(page.locator("table.audit")).to_contain_text("Superseded by the next major release")
    assert Release.objects.get(pk=release.pk).stage == "cancelled"


def test_the_start_page_brings_its_parts_and_says_when_nothing_waits(
    page, live_server, log_in, cast, release_at, make_user
):
    """What waits comes in parts once the page is shown: an idle user is told nothing
    waits once every part has come back empty, and that a part failed when one does; a
    thread owing a decision sees it, and never the "nothing waits" line."""
    release = release_at("acceptance")
    report = {"kind": "psat", "file": upload("psat.pdf")}
    cast.ok(cast.act(cast.dc, release, "submit-test-report", report), 201)
    make_user("ivy")  # no party yet: nothing of the process waits for her
    log_in("ivy")
    expect(page.get_by_text("Nothing waits for you right now.")).to_be_visible()
    expect(page.locator(".start-part")).to_have_count(0)

    # A part that fails stops spinning, says so and keeps its link; the page does not
    # claim that nothing waits.
    page.route("**/start/readiness/", lambda route: route.fulfill(status=500, body="Error"))
    page.reload()
    failed = page.locator(".start-part")
    expect(failed.get_by_role("alert")).to_contain_text("This part could not be loaded.")
    expect(failed.get_by_role("link", name="Go-live readiness waiting for you")).to_be_visible()
    expect(failed.locator("[aria-busy=false]")).to_have_count(1)
    expect(page.get_by_text("Nothing waits for you right now.")).to_be_hidden()
    page.unroute("**/start/readiness/")

    switch_user(page, live_server.url, "ivy", log_in, "cust")
    owed = page.get_by_role("heading", name="Decisions your thread owes")
    expect(owed).to_be_visible()
    expect(page.locator(".start-part")).to_have_count(0)
    expect(page.get_by_text("Nothing waits for you right now.")).to_be_hidden()
    expect(page.locator("main").get_by_role("link", name=release.identifier).first).to_be_visible()

    # The login expires between the page and a part: the whole page goes to log in, and
    # comes back to the start page, not to the part.
    def expire_the_login(route):
        Session.objects.all().delete()
        route.continue_()

    page.route("**/start/decisions/", expire_the_login)
    page.reload()
    expect(page).to_have_url(re.compile(r"/login/\?next=/$"))
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
