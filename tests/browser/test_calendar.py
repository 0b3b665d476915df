"""The calendar in Chromium: the month view shows the releases' milestones from the JSON
endpoint, a click opens the release page, a filter narrows it, a layer hidden stays
hidden, a busy day shows its first entries and opens on all of them; no serious accessibility
violation (axe-core); it fits a phone's screen (390 px), in the list view."""

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from releases import planning
from releases import services as releases
from tests.browser.test_accessibility import BLOCKING, axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

#: a month with the releases of ``make_release`` in it (delivered from 1 March 2027)
MONTH = "2027-03-01"


def at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


@pytest.fixture
def planned(make_release, release_manager, make_user):
    """Two releases of A3/Cust (one with its pSAT planned to the hour, one cancelled), a
    blackout, and one of another thread that A3/Cust never sees."""
    ours = make_release(name="Export rules")
    day = ours.planned_delivery_date + datetime.timedelta(days=3)
    planning.plan_milestone(
        ours, "psat", by=release_manager, starts_at=at(day, 9), ends_at=at(day, 12)
    )
    dropped = make_release(name="Dropped")
    releases.fire_transition(dropped, "cancel", by=release_manager, reason="Merged")
    theirs = make_release(threads=("a3-exc",), name="Their release")
    planning.save_window(
        by=release_manager,
        kind="blackout",
        title="Spring freeze",
        starts_at=at(datetime.date(2027, 3, 24), 0),
        ends_at=at(datetime.date(2027, 3, 26), 0),
    )
    make_user("cust", "DG TAXUD A3/Cust")
    return ours, dropped, theirs


def open_calendar(page, live_server, log_in, username, query=""):
    log_in(username)
    page.clock.set_fixed_time(datetime.datetime(2027, 3, 10, 12, 0))  # noqa: DTZ001
    with page.expect_response(lambda r: "/api/v1/calendar/" in r.url and r.status == 200):
        page.goto(f"{live_server.url}/calendar/{query}")


def test_the_month_shows_the_milestones_and_a_click_opens_the_release(
    page, live_server, log_in, planned
):
    ours, dropped, theirs = planned
    open_calendar(page, live_server, log_in, "cust")
    grid = page.locator("#calendar")
    expect(page.locator(".fc-toolbar-title")).to_have_text("March 2027")
    expect(grid.get_by_text(f"{ours.identifier} Delivery")).to_be_visible()
    expect(grid.get_by_text(f"{ours.identifier} Installation").first).to_be_visible()
    expect(grid.get_by_text(f"{ours.identifier} pSAT")).to_be_visible()
    expect(grid.get_by_text("Blackout: Spring freeze").first).to_be_visible()
    cancelled = grid.locator(".entry-cancelled").first
    expect(cancelled).to_contain_text(dropped.identifier)
    assert "line-through" in cancelled.evaluate(
        "e => getComputedStyle(e.querySelector('.fc-event-title') || e).textDecorationLine"
    )
    expect(grid).not_to_contain_text(theirs.identifier)
    # a filter narrows the calendar in place, and the page's address follows it
    with page.expect_response(lambda r: "stage=cancelled" in r.url):
        page.get_by_label("Stage").select_option("cancelled")
    expect(grid).not_to_contain_text(f"{ours.identifier} Delivery")
    expect(grid.get_by_text(f"{dropped.identifier} Delivery")).to_be_visible()
    assert "stage=cancelled" in page.url
    with page.expect_response(lambda r: "/api/v1/calendar/" in r.url):
        page.get_by_label("Stage").select_option("")
    grid.get_by_text(f"{ours.identifier} Delivery").click()
    page.wait_for_url(f"{live_server.url}/releases/{ours.identifier}/")
    expect(page.get_by_role("heading", name=ours.identifier)).to_be_visible()


def test_a_layer_hidden_stays_hidden_until_shown_again(page, live_server, log_in, planned):
    """Each layer is fetched on its own; the reader hides one, and the browser remembers."""
    ours, _, _ = planned
    open_calendar(page, live_server, log_in, "cust")
    grid = page.locator("#calendar")
    releases = page.get_by_label("Releases and packages")
    expect(grid.get_by_text(f"{ours.identifier} Delivery")).to_be_visible()
    releases.uncheck()
    expect(grid).not_to_contain_text(ours.identifier)
    expect(grid.get_by_text("Blackout: Spring freeze").first).to_be_visible()
    page.reload()
    expect(grid.get_by_text("Blackout: Spring freeze").first).to_be_visible()
    expect(releases).not_to_be_checked()
    expect(grid).not_to_contain_text(ours.identifier)
    with page.expect_response(lambda r: "layer=releases" in r.url and r.status == 200):
        releases.check()
    expect(grid.get_by_text(f"{ours.identifier} Delivery")).to_be_visible()
    expect(page.locator("#calendar-status")).to_contain_text("entries")


def test_the_week_and_list_views(page, live_server, log_in, planned):
    ours, _, _ = planned
    open_calendar(page, live_server, log_in, "rita")
    page.get_by_role("button", name="next").click()  # the psat is in the second week
    page.get_by_role("button", name="Week", exact=True).click()
    page.get_by_role("button", name="previous").click()
    expect(page.locator(".fc-timegrid")).to_be_visible()
    page.get_by_role("button", name="List", exact=True).click()
    expect(page.locator(".fc-list")).to_contain_text(f"{ours.identifier} pSAT")


def test_a_busy_day_shows_its_first_entries_and_opens_on_all_of_them(
    page, live_server, log_in, planned, make_release, release_manager
):
    """The month is asked day by day: six SATs on 10 March show four, and a "+2 more"
    entry, named with its day, that opens the day's list with all six, at an address of
    its own; the month's list shows the same four and the same entry."""
    busy = datetime.date(2027, 3, 10)
    sats = []
    for n in range(6):
        release = make_release(name=f"Busy {n}")
        planning.plan_milestone(
            release, "sat", by=release_manager, starts_at=at(busy, 8 + n), ends_at=at(busy, 9 + n)
        )
        sats.append(f"{release.identifier} SAT")
    open_calendar(page, live_server, log_in, "cust")
    expect(page.locator("#calendar-status")).to_contain_text("a busy day shows the first 4")
    grid = page.locator("#calendar")
    day = grid.locator('td.fc-daygrid-day[data-date="2027-03-10"]')
    for title in sats[:4]:
        expect(day.get_by_text(title)).to_be_visible()
    expect(grid).not_to_contain_text(sats[4])
    more = day.get_by_role("link", name=re.compile(r"^\+2 more milestones on .*10.*2027"))
    expect(more).to_be_visible()
    violations = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not violations, describe("calendar, a busy month", violations)
    with page.expect_response(lambda r: "start=2027-03-10" in r.url and "per_day" not in r.url):
        more.click()
    title = page.locator(".fc-toolbar-title")
    expect(title).to_have_text("March 10, 2027")
    expect(title).to_be_focused()
    for sat in sats:
        expect(page.locator(".fc-list").get_by_text(sat)).to_be_visible()
    assert "view=listDay" in page.url
    assert "date=2027-03-10" in page.url
    # the day's address opens the day
    with page.expect_response(lambda r: "start=2027-03-10" in r.url and r.status == 200):
        page.reload()
    for sat in sats:
        expect(page.locator(".fc-list").get_by_text(sat)).to_be_visible()
    # the month's list: the same four and the same entry, and the address follows
    page.get_by_role("button", name="List", exact=True).click()
    listed = page.locator(".fc-list")
    expect(listed.get_by_text("+2 more milestones")).to_be_visible()
    expect(listed).not_to_contain_text(sats[4])
    page.wait_for_url(
        re.compile(r"view=listMonth.*date=2027-03-01|date=2027-03-01.*view=listMonth")
    )
    # back to the month: a reload opens the month, not the day opened before
    page.get_by_role("button", name="Month", exact=True).click()
    page.wait_for_url(re.compile(r"view=dayGridMonth"))
    with page.expect_response(lambda r: "per_day=" in r.url and r.status == 200):
        page.reload()
    expect(page.locator('td.fc-daygrid-day[data-date="2027-03-10"]')).to_contain_text("+2 more")
    assert "date=2027-03-01" in page.url


def test_the_calendar_has_no_serious_accessibility_violation(page, live_server, log_in, planned):
    open_calendar(page, live_server, log_in, "cust")
    expect(page.locator(".fc-event").first).to_be_visible()
    violations = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not violations, describe("calendar, month", violations)
    page.get_by_role("button", name="List", exact=True).click()
    expect(page.locator(".fc-list-event").first).to_be_visible()
    violations = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not violations, describe("calendar, list", violations)


def test_the_feed_page_has_no_serious_accessibility_violation(page, live_server, log_in, planned):
    log_in("cust")
    page.goto(f"{live_server.url}/account/calendar/")
    page.get_by_role("button", name="Make my feed address").click()
    address = page.get_by_label("Address of your feed")
    expect(address).to_be_visible()
    assert address.input_value().startswith(f"{live_server.url}/calendar/feed/")
    violations = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not violations, describe("calendar feed", violations)


@pytest.mark.browser_context_args(viewport={"width": 390, "height": 844})
def test_the_calendar_fits_a_phone(page, live_server, log_in, planned):
    ours, _, _ = planned
    open_calendar(page, live_server, log_in, "cust")
    expect(page.locator(".fc-list")).to_contain_text(f"{ours.identifier} Delivery")
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, (scroll_width, inner_width)
    page.get_by_role("button", name="Month", exact=True).click()
    expect(page.locator(".fc-daygrid")).to_be_visible()
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, (scroll_width, inner_width)
    log_out = page.get_by_role("button", name="cust · Log out")
    box = log_out.bounding_box()
    assert box["x"] + box["width"] <= 390
