"""A business thread's user in Chromium decides from the pSAT report's mail (issue 16):
opens the personal link of the mail the SMTP server really received, logs in on the way,
confirms the GO with one click, and the release page shows the decision and that it
came from the mail."""

import re

import pytest
from playwright.sync_api import expect

from tests.lifecycle import upload
from tests.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^/\s]+(/account/links/[^/\s]+/)")


def text_of(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    return ""


def test_a_thread_user_gives_the_go_from_the_psat_mail(
    page, live_server, cast, release_at, smtp_sink
):
    release = release_at("acceptance")
    report = {"kind": "psat", "file": upload("psat.pdf")}
    cast.ok(cast.act(cast.dc, release, "submit-test-report", report), 201)

    def psat_mail():
        return next(
            (
                message
                for rcpts, _, message in smtp_sink.messages
                if cast.cust.email in rcpts and "pSAT report" in message["Subject"]
            ),
            None,
        )

    wait_until(lambda: psat_mail() is not None, "the pSAT report's mail to the thread's user")
    assert "decide+" in str(psat_mail()["Reply-To"])
    path = LINK.search(text_of(psat_mail()))[1]

    page.goto(f"{live_server.url}{path}")  # not logged in: the login first
    page.get_by_label("Username").fill("cust")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("heading", name=f"release {release.identifier}")).to_be_visible()
    page.get_by_role("button", name="Confirm: GO").click()
    expect(page.get_by_role("heading", name="Decision recorded")).to_be_visible()

    page.get_by_role("link", name="Release page").click()
    decisions = page.locator("#decisions")
    expect(decisions).to_contain_text("GO")
    expect(decisions).to_contain_text("from the mail's link")
    expect(decisions).to_contain_text("Carla Cust")
