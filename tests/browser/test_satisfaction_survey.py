"""A business thread's user in Chromium, after a closure: opens the personal link of the
mail the SMTP server really received, logs in on the way, answers the survey and is
thanked; the same link again says it was answered already."""

import re

import pytest
from playwright.sync_api import expect

from tests.lifecycle import install
from tests.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^/\s]+(/account/links/[^/\s]+/)")
CLOSURE = {"configuration_manager_informed": True, "deployment_plan_updated": True}


def text_of(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    return ""


def test_a_thread_user_answers_the_survey_from_the_mail(
    page, live_server, cast, release_at, smtp_sink
):
    release = release_at("installation")
    install(cast, release, successful=True)
    cast.ok(cast.perform(cast.dc, release, "RM.6.5"))
    cast.ok(cast.perform(cast.dc, release, "RM.6.6", {"message": "Available"}))
    cast.ok(cast.perform(cast.rm, release, "RM.6.7", CLOSURE))

    def survey_mail():
        return next(
            (
                message
                for rcpts, _, message in smtp_sink.messages
                if cast.cust.email in rcpts and "How satisfied" in message["Subject"]
            ),
            None,
        )

    wait_until(lambda: survey_mail() is not None, "the survey's mail to the thread's user")
    path = LINK.search(text_of(survey_mail()))[1]

    page.goto(f"{live_server.url}{path}")  # not logged in: the login first
    page.get_by_label("Username").fill("cust")
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    expect(
        page.get_by_role("heading", name=f"Your satisfaction with release {release.identifier}")
    ).to_be_visible()
    page.get_by_label("8", exact=True).check()
    page.get_by_label("Comment").fill("The go-live came on the day announced.")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("score 8 / 10")

    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("status")).to_contain_text("Already answered on")
