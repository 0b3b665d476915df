"""Issue 14's journey in Chromium, one release from readiness to satisfaction: the
deployment coordinator (A of RM.5.2 and RM.6.2 in Table 4-1, so the one who settles the
checklist and records the board's GO) confirms the Move2Run item the coordinator owns and
waives the others, completes the runbook, holds the Go/No-Go board and goes live; after
the installation an incident is recorded in hypercare; the release manager closes
hypercare and writes the post-release review with two lessons; at the closure a thread's
user answers the satisfaction survey from the mail the SMTP server received. Only the
walk to the installation stage and the installation report go through the API."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aftercare.models import Lesson
from readiness.models import ChecklistItem, RunbookSection
from satisfaction.models import Survey
from tests.browser.readiness_steps import give_the_go_live, hold_the_board_and_record_go
from tests.lifecycle import RUNBOOK, upload
from tests.waiting import wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"https?://[^/\s]+(/account/links/[^/\s]+/)")
CLOSURE = {"configuration_manager_informed": True, "deployment_plan_updated": True}


def plain_text(message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            return part.get_payload(decode=True).decode()
    return ""


def test_a_release_from_its_checklist_to_its_satisfaction_survey(
    page, live_server, log_in, cast, release_at, smtp_sink
):
    release = release_at("installation", release_type="major")
    base = f"{live_server.url}/releases/{release.identifier}"
    cast.ok(cast.perform(cast.dc, release, "RM.6.1", {"message": "Downtime", "disruption": "2h"}))
    log_in(cast.dc.username)

    # The checklist: the coordinator's item confirmed with evidence, the others waived.
    page.goto(f"{base}/")
    page.locator("#readiness").get_by_role("link", name="Move2Run checklist", exact=True).click()
    rollback = ChecklistItem.objects.get(release=release, title__startswith="Rollback plan")
    row = page.locator(f"#item-{rollback.pk}")
    row.get_by_text("Confirm", exact=True).click()
    row.get_by_label("Evidence (a note)").fill("Rehearsed on the acceptance copy")
    with page.expect_navigation():
        row.get_by_role("button", name="Confirm").click()
    expect(page.locator(f"#item-{rollback.pk} .status")).to_contain_text("Done")
    holding = ChecklistItem.objects.filter(release=release, status="open").exclude(priority="low")
    for item in list(holding):
        row = page.locator(f"#item-{item.pk}")
        row.get_by_text("Waive", exact=True).click()
        row.get_by_label("Why the release may go live without it").fill("Checked at the board")
        with page.expect_navigation():
            row.get_by_role("button", name="Waive (RM.6.2)").click()
        expect(page.locator(f"#item-{item.pk} .status")).to_contain_text("Waived")
    expect(page.locator("#checklist-summary")).to_contain_text("Nothing of the checklist holds")

    # The runbook, V0 of the application, written and marked complete.
    page.goto(f"{base}/")
    page.locator("#readiness").get_by_role("link", name="Runbook", exact=True).click()
    for slug in RunbookSection.values:
        part = page.locator(f"#section-{slug}")
        part.locator("summary").click()
        part.get_by_label("Text").fill(RUNBOOK[slug])
        with page.expect_navigation():
            part.get_by_role("button").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Mark V0 complete").click()
    expect(page.locator("#runbook-status")).to_contain_text("Complete")

    # The Go/No-Go board: its pack assembled from the records, GO recorded.
    hold_the_board_and_record_go(page, base)

    # RM.6.2, then the installation (its report through the API) and RM.6.5.
    give_the_go_live(page, base)
    report = {"file": upload("install-report.pdf"), "successful": True, "assessment": "Green"}
    cast.ok(cast.perform(cast.dc, release, "RM.6.3", report, multipart=True))
    cast.ok(cast.perform(cast.dc, release, "RM.6.5"))

    # Hypercare: the coordinator records an incident.
    page.goto(f"{base}/hypercare/")
    page.get_by_label("Reference").fill("INC-2027-0077")
    page.get_by_label("Title").fill("Declarations slow after go-live")
    page.get_by_label("Priority").select_option("P3")
    page.get_by_label("Caused by the release").select_option("yes")
    page.get_by_label("Opened").fill(f"{timezone.localtime():%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Record the incident").click()
    expect(page.get_by_text("Incident INC-2027-0077 recorded.")).to_be_visible()

    # The release manager closes hypercare early, saying why, and writes the review.
    page.context.clear_cookies()
    log_in(cast.rm.username)
    page.goto(f"{base}/hypercare/")
    page.get_by_label("Why it ends", exact=True).fill("Stable")
    page.get_by_label("Why it ends with criteria unmet").fill("The threads agree: stable")
    page.get_by_role("button", name="Close hypercare").click()
    expect(page.get_by_text("Hypercare closed.")).to_be_visible()
    page.goto(f"{base}/")
    page.locator("#review").get_by_role("link", name="Write the review").click()
    page.get_by_label("What the review found").fill("Live on the day; one P3 incident.")
    page.get_by_label("Objectives", exact=True).select_option("met")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("Post-release review recorded.")).to_be_visible()
    expect(page.locator("#records")).to_contain_text("INC-2027-0077")
    for happened, next_time in (
        ("Validation slowed under real volumes.", "Run the SAT with real volumes."),
        ("A thread heard of the date late.", "Notify the threads a week ahead."),
    ):
        page.get_by_label("What happened").fill(happened)
        page.get_by_label("What to do next time").fill(next_time)
        page.get_by_role("button", name="Add the lesson").click()
        expect(page.get_by_text("Lesson recorded.")).to_be_visible()
    assert Lesson.objects.filter(release=release).count() == 2

    # The closure asks the thread's user; the answer comes from the mail's link.
    cast.ok(cast.perform(cast.dc, release, "RM.6.6", {"message": "Available"}))
    cast.ok(cast.perform(cast.rm, release, "RM.6.7", CLOSURE))

    def survey_mail():
        return next(
            (
                message
                for recipients, _, message in smtp_sink.messages
                if cast.cust.email in recipients and "How satisfied" in message["Subject"]
            ),
            None,
        )

    wait_until(lambda: survey_mail() is not None, "the survey's mail to the thread's user")
    path = LINK.search(plain_text(survey_mail()))[1]
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{path}")
    page.get_by_label("Username").fill(cast.cust.username)
    page.get_by_label("Password").fill("pw")
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("9", exact=True).check()
    page.get_by_label("Comment").fill("Ready on the day, and told in time.")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    answered = Survey.objects.get(release=release, respondent=cast.cust)
    assert (answered.score, answered.comment) == (9, "Ready on the day, and told in time.")
