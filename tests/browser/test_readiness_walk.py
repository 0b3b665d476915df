"""In Chromium: the deployment coordinator (accountable for RM.6.2 in Table 4-1) finds on
the release page what holds the go-live, confirms the Move2Run item the coordinator owns
with its evidence, waives the others with a reason, and then RM.6.2 is accepted. Only the
release, walked to its installation stage through the API, is set up behind the
browser's back."""

import pytest
from playwright.sync_api import expect

from readiness.models import ChecklistItem
from tests.browser.readiness_steps import give_the_go_live
from tests.lifecycle import complete_runbook_and_go

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_coordinator_settles_the_checklist_then_goes_live(
    page, live_server, log_in, cast, release_at
):
    release = release_at("installation")
    cast.ok(cast.perform(cast.dc, release, "RM.6.1", {"message": "Downtime", "disruption": "2h"}))
    log_in(cast.dc.username)

    # the release page's readiness section (loaded by htmx) names what holds the go-live
    page.goto(f"{live_server.url}/releases/{release.identifier}/")
    section = page.locator("#readiness")
    expect(section.locator(".blocking")).to_contain_text("Rollback plan rehearsed")
    section.get_by_role("link", name="Move2Run checklist").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Move2Run checklist")

    # the coordinator's own item, confirmed with a note as evidence
    rollback = ChecklistItem.objects.get(release=release, title__startswith="Rollback plan")
    row = page.locator(f"#item-{rollback.pk}")
    row.get_by_text("Confirm", exact=True).click()
    row.get_by_label("Evidence (a note)").fill("Rehearsed on the acceptance copy")
    with page.expect_navigation():
        row.get_by_role("button", name="Confirm").click()
    expect(page.get_by_role("status")).to_contain_text("confirmed")
    expect(page.locator(f"#item-{rollback.pk} .status")).to_contain_text("Done")

    # the items of other parties, waived by the party accountable for RM.6.2
    holding = ChecklistItem.objects.filter(release=release, status="open").exclude(priority="low")
    for item in list(holding):
        row = page.locator(f"#item-{item.pk}")
        row.get_by_text("Waive", exact=True).click()
        row.get_by_label("Why the release may go live without it").fill("Checked at the board")
        with page.expect_navigation():
            row.get_by_role("button", name="Waive (RM.6.2)").click()
        expect(page.locator(f"#item-{item.pk} .status")).to_contain_text("Waived")
    expect(page.locator("#checklist-summary")).to_contain_text("Nothing of the checklist holds")

    # RM.6.2 is accepted now (the runbook and the board: test_runbook_board_walk.py)
    complete_runbook_and_go(release, by=cast.dc)
    give_the_go_live(page, f"{live_server.url}/releases/{release.identifier}")
