"""In Chromium: the deployment coordinator (R of RM.5.1, A of RM.5.2 and RM.6.2 in Table
4-1) writes the release's runbook and marks it complete, holds the Go/No-Go board and
sees its input pack, records GO, and then RM.6.2 is accepted. The release, walked to its
installation stage through the API with its checklist settled, is set up behind the
browser's back."""

import pytest
from playwright.sync_api import expect

from readiness.models import RunbookSection
from readiness.selectors import checklist_items
from readiness.services import waive_item
from tests.browser.readiness_steps import give_the_go_live, hold_the_board_and_record_go
from tests.lifecycle import RUNBOOK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordinator_completes_the_runbook_holds_the_board_and_goes_live(
    page, live_server, log_in, cast, release_at
):
    release = release_at("installation")
    cast.ok(cast.perform(cast.dc, release, "RM.6.1", {"message": "Downtime", "disruption": "2h"}))
    for item in checklist_items(release):
        if item.holds_go_live:
            waive_item(release, item.pk, by=cast.dc, reason="Checked before the board")
    log_in(cast.dc.username)

    # the release page's readiness section leads to the runbook, not started yet
    page.goto(f"{live_server.url}/releases/{release.identifier}/")
    section = page.locator("#readiness")
    expect(section.locator("#readiness-runbook")).to_contain_text("not started")
    section.get_by_role("link", name="Runbook").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Runbook V0")

    for slug in RunbookSection.values:
        part = page.locator(f"#section-{slug}")
        part.locator("summary").click()
        part.get_by_label("Text").fill(RUNBOOK[slug])
        with page.expect_navigation():
            part.get_by_role("button").click()
        expect(page.locator(f"#section-{slug} .text")).to_contain_text(RUNBOOK[slug])
    with page.expect_navigation():
        page.get_by_role("button", name="Mark V0 complete").click()
    expect(page.locator("#runbook-status")).to_contain_text("Complete")
    expect(page.locator("#runbook-history")).to_contain_text("Known errors")

    # the board: scheduled, its pack visible, GO recorded
    hold_the_board_and_record_go(page, f"{live_server.url}/releases/{release.identifier}")
    expect(page.locator("#authorisations")).to_contain_text("Approved")

    # RM.6.2 is accepted now
    give_the_go_live(page, f"{live_server.url}/releases/{release.identifier}")
