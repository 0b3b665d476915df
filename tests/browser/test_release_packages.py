"""A release manager in Chromium packages two releases of two applications, gives the
package its installation window, reads both releases' stages side by side on the package
page, finds the package once on the calendar, and exports the filtered release list."""

import csv
import datetime
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from releases.models import Application, Milestone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_release_manager_packages_two_releases_and_exports_the_list(
    page, live_server, log_in, make_release, release_manager
):
    ncts = Application.objects.create(code="ncts", name="New Computerised Transit System")
    ecs_release = make_release(name="Customs rules")
    ncts_release = make_release(name="Transit rules", application=ncts)
    log_in(release_manager.username)

    page.get_by_role("link", name="Packages").first.click()
    page.get_by_role("button", name="New package").click()
    page.get_by_label("Reference").fill("PKG-2027-Q2")
    page.get_by_label("Name").fill("Spring rules")
    page.get_by_role("button", name="Save the package").click()
    expect(page.get_by_text("Package PKG-2027-Q2 saved.")).to_be_visible()

    for release in (ecs_release, ncts_release):
        page.get_by_label("Release", exact=True).fill(release.identifier)
        page.get_by_role("button", name="Add to the package").click()
        expect(page.get_by_text(f"{release.identifier} added to the package.")).to_be_visible()

    page.get_by_role("button", name="Edit the package").click()
    page.get_by_label("Installation starts").fill("2027-04-20T20:00")
    page.get_by_label("Installation ends").fill("2027-04-20T23:00")
    page.get_by_label("Reason").fill("One weekend for both")
    page.get_by_role("button", name="Save the package").click()
    expect(page.locator("#package-window")).to_contain_text("2027-04-20 20:00")

    table = page.locator("#package-releases")
    for release, code in ((ecs_release, "ECS"), (ncts_release, "NCTS")):
        row = table.locator("tr", has_text=release.identifier)
        expect(row).to_contain_text(code)
        expect(row).to_contain_text("RM.1 Plan release")
        expect(row).to_contain_text("2027-04-20 20:00")
    expect(page.locator("#package-authorisation")).to_contain_text("not yet")
    for release in (ecs_release, ncts_release):
        installation = Milestone.objects.get(release=release, kind="installation")
        assert installation.changes.get().reason == "One weekend for both"

    page.clock.set_fixed_time(datetime.datetime(2027, 4, 10, 12, 0))  # noqa: DTZ001
    with page.expect_response(lambda r: "/api/v1/calendar/" in r.url and r.status == 200):
        page.goto(f"{live_server.url}/calendar/")
    grid = page.locator("#calendar")
    entry = grid.get_by_text("PKG-2027-Q2 Spring rules: installation of 2 releases")
    expect(entry).to_have_count(1)
    expect(grid).not_to_contain_text(f"{ecs_release.identifier} Installation")

    page.goto(f"{live_server.url}/releases/")
    with page.expect_response(lambda r: "application=ncts" in r.url):
        page.get_by_label("Application").fill("ncts")
        page.get_by_label("Application").press("Tab")  # a change the filters answer
    expect(page.locator("#release-table")).not_to_contain_text(ecs_release.identifier)
    with page.expect_download() as download:
        page.get_by_role("link", name="Export CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows[1:]] == [ncts_release.identifier]
