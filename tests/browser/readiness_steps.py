"""Steps of go-live readiness in the browser that several journeys take: the board's GO
with its pack, and the go-live (RM.6.2) once nothing holds it."""

from playwright.sync_api import expect

GO_LIVE = "Give the go-live to application management"


def hold_the_board_and_record_go(page, release_url: str) -> None:
    """Schedule the Go/No-Go board, read its pack (runbook, rollback plan), record GO."""
    page.goto(f"{release_url}/board/")
    page.get_by_label("Meets at").fill("2027-02-09T10:00")
    with page.expect_navigation():
        page.get_by_role("button", name="Schedule the board").click()
    expect(page.locator("#pack-runbook")).to_contain_text("V0 complete")
    expect(page.locator("#pack-rollback")).to_contain_text("Redeploy 3.1.7")
    page.get_by_label("GO", exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Record the outcome").click()
    expect(page.locator("#board-outcome")).to_contain_text("GO, recorded by")


def give_the_go_live(page, release_url: str) -> None:
    """RM.6.2 on its activity page, accepted."""
    page.goto(f"{release_url}/activities/RM.6.2/")
    card = page.locator("article").filter(
        has=page.locator("header").get_by_text(GO_LIVE, exact=True)
    )
    card.get_by_label("Installation starts at", exact=True).fill("2027-02-15T20:00")
    with page.expect_navigation():
        card.get_by_role("button", name=GO_LIVE, exact=True).click()
    expect(page.get_by_role("status")).to_have_text(f"{GO_LIVE}: done.")
