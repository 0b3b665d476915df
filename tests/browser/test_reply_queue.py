"""The deployment coordinator handles a reply the tool could not read (issue 16): the
thread's user answered the pSAT mail in words, not with GO. In Chromium the coordinator
opens the queue, reads the mail, records the thread's GO on its behalf with the mail as
evidence, and the release page shows that it came by reply. The release manager sent
the report: nobody decides on their own submission, not even on a thread's behalf."""

from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from playwright.sync_api import expect

from deployments import replies
from deployments.models import Decision
from deployments.services import decision_requests
from tests.lifecycle import upload

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_coordinator_records_the_go_of_a_reply_in_words(
    page, live_server, log_in, cast, release_at
):
    release = release_at("acceptance")
    report = {"kind": "psat", "file": upload()}
    cast.ok(cast.act(cast.rm, release, "submit-test-report", report), 201)
    request = decision_requests.request_for(release, Decision.Kind.PSAT)
    answer = EmailMessage()
    answer["From"] = f"Carla Cust <{cast.cust.email}>"
    answer["To"] = decision_requests.reply_address(request)
    answer["Subject"] = "Re: pSAT report"
    answer["Message-ID"] = make_msgid(domain="mail.example.org")
    answer.set_content("Yes, that is fine by us.\n")
    replies.receive(answer.as_bytes())

    log_in("dave")
    page.goto(f"{live_server.url}/replies/")
    queue = page.locator("#replies")
    expect(queue).to_contain_text(release.identifier)
    queue.get_by_role("link", name="Re: pSAT report").click()
    expect(page.locator("#reply-text")).to_contain_text("Yes, that is fine by us.")
    page.get_by_label("Thread").select_option("a3-cust")
    page.get_by_label("Verdict").select_option("go")
    page.get_by_label("Decided by").fill("Carla Cust")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_text("Recorded: GO")).to_be_visible()

    page.goto(f"{live_server.url}/releases/{release.identifier}/")
    decisions = page.locator("#decisions")
    expect(decisions).to_contain_text("GO")
    expect(decisions).to_contain_text("by reply to the mail")
    page.goto(f"{live_server.url}/replies/")
    expect(page.locator("#replies")).to_contain_text("Nothing waits.")
