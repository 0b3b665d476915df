"""A release manager logs in and formalises a release in Chromium; a business thread
user of another thread never sees it."""

import pytest
from playwright.sync_api import expect

from releases.models import Release

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_release_manager_logs_in_and_formalises_a_release(
    page, live_server, log_in, make_user, application, organisation
):
    make_user("rita", "ITSM Release Manager")
    make_user("dave", "ITSM Deployment Coordinator", first_name="Dave", last_name="Coord")
    log_in("rita")

    page.get_by_role("button", name="Formalise a release (RM.1.1)").click()
    page.get_by_label("Application").select_option(label="ECS - Export Control System")
    page.get_by_label("Version").fill("3.2.0")
    page.get_by_label("Name").fill("ECS phase 3")
    page.get_by_label("Release type").select_option("major")
    page.get_by_label("Planned delivery date").fill("2027-01-10")
    page.get_by_label("Planned installation date").fill("2027-01-05")
    page.get_by_label("DG TAXUD A3/Cust").check()
    page.get_by_role("button", name="Save").click()
    # The service's rule comes back on its field; nothing was saved.
    expect(
        page.get_by_text("The installation cannot be planned before the delivery.")
    ).to_be_visible()
    assert not Release.objects.exists()

    page.get_by_label("Planned installation date").fill("2027-02-01")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="ECS-3.2.0")).to_be_visible()
    expect(page.get_by_text("Release ECS-3.2.0 formalised (RM.1.1).")).to_be_visible()

    page.get_by_role("button", name="Assign roles (RM.1.2)").click()
    page.get_by_label("ITSM Deployment Coordinator").select_option(label="Dave Coord")
    page.get_by_label("3rd party developer organisation").select_option(label="Acme Software")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Roles assigned (RM.1.2).")).to_be_visible()
    expect(page.locator("#people")).to_contain_text("Dave Coord")

    release = Release.objects.get(identifier="ECS-3.2.0")
    assert release.activity_records.get(activity__code="RM.1.2").status == "done"


def test_other_thread_cannot_see_the_release(page, live_server, log_in, make_release, make_user):
    release = make_release(threads=["a3-cust"])
    make_user("exc", "DG TAXUD A3/Exc")
    log_in("exc")
    page.goto(f"{live_server.url}/releases/")
    expect(page.locator("#release-table")).not_to_contain_text(release.identifier)
    response = page.goto(f"{live_server.url}/releases/{release.identifier}/")
    assert response.status == 404
