"""In Chromium: the release manager records a blackout on the windows' page, plans a
release's installation into it with the milestone form, sees the conflict on the release
page, is refused RM.1.4 naming it, acknowledges it with a reason and publishes; the
change manager is among those told. Only the people and the release (formalised, roles
assigned, its deployment plan initialised) are set up behind the browser's back."""

import datetime

import pytest
from playwright.sync_api import expect

from releasemgmt.notifications.models import Communication
from releases.models import Release
from tests.lifecycle import PLAN

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "The move is over by Sunday evening"


def test_a_release_planned_into_a_blackout_is_published_once_acknowledged(
    page, live_server, log_in, cast, make_release, make_user
):
    chris = make_user("chris", "ITSM Change Manager")
    release = make_release(planned_installation_date=datetime.date(2027, 4, 5))
    cast.ok(cast.perform(cast.rm, release, "RM.1.3", PLAN))
    log_in(cast.rm.username)

    # a blackout, through the windows' page
    page.get_by_role("link", name="Windows", exact=True).click()
    expect(page.get_by_role("heading", name="Blackout and maintenance windows")).to_be_visible()
    page.get_by_role("button", name="New window").click()
    page.get_by_label("Kind").select_option("blackout")
    page.get_by_label("Title").fill("Data centre move")
    page.get_by_label("Reason").fill("Racks in transit")
    page.get_by_label("Starts").fill("2027-03-14T00:00")
    page.get_by_label("Ends").fill("2027-03-17T00:00")
    page.get_by_role("button", name="Save the window").click()
    expect(page.get_by_text("Blackout 'Data centre move' saved.")).to_be_visible()
    expect(page.locator("#window-table")).to_contain_text("2027-03-14 00:00 to 2027-03-17 00:00")

    # the installation planned into it, through the milestone form
    page.goto(f"{live_server.url}/releases/{release.identifier}/")
    page.get_by_role("button", name="Plan a milestone").click()
    page.get_by_label("Milestone").select_option("installation")
    page.get_by_label("Starts").fill("2027-03-15T20:00")
    page.get_by_label("Ends").fill("2027-03-15T23:00")
    page.get_by_role("button", name="Plan the milestone").click()
    expect(page.get_by_text("Installation planned.")).to_be_visible()
    expect(page.locator("#milestone-installation")).to_contain_text(
        "2027-03-15 20:00 to 2027-03-15 23:00"
    )

    # the release page shows the conflict (its section loaded once the page is shown)
    page.get_by_role("link", name=f"{release.identifier} {release.name}").click()
    conflicts = page.locator("#conflicts")
    expect(conflicts).to_contain_text("The installation falls in the blackout 'Data centre move'")
    expect(conflicts).to_contain_text("Not yet")

    # RM.1.4 is refused, naming the conflict
    page.goto(f"{live_server.url}/releases/{release.identifier}/activities/RM.1.4/")
    page.get_by_role("button", name="Publish on the release schedule").click()
    refusal = page.get_by_role("alert").filter(has_text="Acknowledge each conflict")
    expect(refusal).to_contain_text("Data centre move")
    assert Release.objects.get(pk=release.pk).published_at is None

    # acknowledged with a reason from the release page's conflicts section
    page.goto(f"{live_server.url}/releases/{release.identifier}/")
    page.get_by_label("Why the release goes ahead despite it").fill(REASON)
    page.get_by_role("button", name="Acknowledge (RM.1.4)").click()
    expect(page.get_by_text("Acknowledge a conflict: done.")).to_be_visible()
    expect(page.locator("#conflicts")).to_contain_text(REASON)

    # and published
    page.get_by_role("button", name="Publish on the release schedule").click()
    expect(page.get_by_text("Publish on the release schedule: done.")).to_be_visible()
    assert Release.objects.get(pk=release.pk).published_at is not None
    mail = Communication.objects.get(release=release, interface="Release Plan")
    assert chris in [r.user for r in mail.recipients.all()]
    assert REASON in mail.body
