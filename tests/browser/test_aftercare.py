"""After go-live in Chromium (issue 14): the deployment coordinator records an incident in
hypercare; the release manager closes hypercare and writes the post-release review with
two lessons; the lessons show on the RM.1.3 page of the application's next release."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from aftercare.models import Hypercare, Lesson
from tests.lifecycle import install

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_hypercare_review_and_lessons_for_the_next_release(
    page, live_server, log_in, cast, release_at, make_release
):
    release = release_at("installation", release_type="major")
    install(cast, release, successful=True)
    cast.ok(cast.perform(cast.dc, release, "RM.6.5"))
    hypercare = f"{live_server.url}/releases/{release.identifier}/hypercare/"

    log_in("dave")
    page.goto(hypercare)
    page.get_by_label("Reference").fill("INC-2027-0042")
    page.get_by_label("Title").fill("Declarations slow after go-live")
    page.get_by_label("Priority").select_option("P2")
    page.get_by_label("Caused by the release").select_option("yes")
    page.get_by_label("Opened").fill(f"{timezone.localtime():%Y-%m-%dT%H:%M}")
    page.get_by_role("button", name="Record the incident").click()
    expect(page.get_by_text("Incident INC-2027-0042 recorded.")).to_be_visible()
    expect(page.locator("#incidents")).to_contain_text("Declarations slow after go-live")
    expect(page.locator(".criteria")).to_contain_text("Open: INC-2027-0042")
    page.get_by_role("button", name="INC-2027-0042 resolved now").click()
    expect(page.get_by_text("Incident INC-2027-0042 resolved.")).to_be_visible()
    expect(page.get_by_role("heading", name="Close hypercare")).to_have_count(0)

    page.context.clear_cookies()
    log_in("rita")
    page.goto(hypercare)
    page.get_by_label("Why it ends", exact=True).fill("Stable for two days")
    page.get_by_role("button", name="Close hypercare").click()
    expect(page.get_by_role("alert").first).to_contain_text("exit criteria not met")
    expect(page.get_by_label("Why it ends", exact=True)).to_have_value("Stable for two days")
    page.get_by_label("Why it ends with criteria unmet").fill("The threads agree: stable")
    page.get_by_role("button", name="Close hypercare").click()
    expect(page.get_by_text("Hypercare closed.")).to_be_visible()
    expect(page.locator("#hypercare")).to_contain_text("closed")
    assert Hypercare.objects.get(release=release).closed_by == cast.rm

    page.goto(f"{live_server.url}/releases/{release.identifier}/")
    expect(page.locator("#review")).to_contain_text("owed")
    page.locator("#review").get_by_role("link", name="Write the review").click()
    page.get_by_label("What the review found").fill("Live on the day; one P2 incident.")
    page.get_by_label("Objectives", exact=True).select_option("partly")
    page.get_by_role("button", name="Record the review").click()
    expect(page.get_by_text("Post-release review recorded.")).to_be_visible()
    for happened, next_time, tags in (
        ("Validation slowed under real volumes.", "Run the SAT with real volumes.", "testing"),
        ("A thread heard of the date late.", "Notify the threads a week ahead.", "comms"),
    ):
        page.get_by_label("What happened").fill(happened)
        page.get_by_label("What to do next time").fill(next_time)
        page.get_by_label("Tags").fill(tags)
        page.get_by_role("button", name="Add the lesson").click()
        expect(page.get_by_text("Lesson recorded.")).to_be_visible()
    expect(page.locator("#review-lessons")).to_contain_text("Run the SAT with real volumes.")
    assert Lesson.objects.filter(release=release).count() == 2

    later = make_release()
    page.goto(f"{live_server.url}/releases/{later.identifier}/activities/RM.1.3/")
    lessons = page.locator("#lessons-learned")
    expect(lessons).to_contain_text("What we learned last time")
    expect(lessons).to_contain_text("Run the SAT with real volumes.")
    expect(lessons).to_contain_text("Notify the threads a week ahead.")
    lessons.get_by_role("link", name="Every lesson of ECS").click()
    expect(page.locator("#lessons")).to_contain_text("Validation slowed under real volumes.")
