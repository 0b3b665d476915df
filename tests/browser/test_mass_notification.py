"""The service desk imports the impacted users, previews and sends the mass notification,
and watches the progress bar reach 100%."""

import re

import pytest
from playwright.sync_api import expect

from changes.models import RfC
from tests.lifecycle import walk_to

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_service_desk_sends_a_mass_notification(
    page, live_server, log_in, cast, make_release, tmp_path, settings
):
    settings.MEDIA_ROOT = str(tmp_path)
    RfC.objects.create(
        reference="RFC-100",
        title="x",
        status="authorised",
        requester=cast.rm,
    )
    release = make_release(threads=["a3-cust"])
    cast.ok(cast.act(cast.rm, release, "include-rfc", {"rfc": "RFC-100"}, multipart=False), 201)
    walk_to(cast, release, "installation")
    rows = "email,name\n" + "".join(f"user{i}@example.org,User {i}\n" for i in range(120))
    (tmp_path / "users.csv").write_text(rows + "broken,Nobody\n")

    log_in("desk")
    page.goto(f"{live_server.url}/applications/ecs/subscribers/")
    page.get_by_label("CSV file (columns: email,name)").set_input_files(tmp_path / "users.csv")
    page.get_by_role("button", name="Import").click()
    expect(page.locator("#import-report")).to_contain_text("120 added, 1 line refused")
    expect(page.locator("#import-report")).to_contain_text("Line 122: 'broken'")

    # Before the deployment coordinator asks, the page says so and takes no input.
    page.goto(f"{live_server.url}/releases/{release.identifier}/mass-notification/")
    expect(page.locator("#moment-before")).to_contain_text(
        "the deployment coordinator has not asked yet (RM.6.1)"
    )
    expect(page.get_by_role("button", name=re.compile("^Send"))).to_have_count(0)
    expect(page.get_by_label("Body")).to_have_count(0)

    cast.ok(
        cast.perform(
            cast.dc,
            release,
            "RM.6.1",
            {"message": "ECS is down Saturday", "disruption": "Two hours"},
        )
    )
    # The start page lists the request; the release page links to the notification.
    page.goto(f"{live_server.url}/releases/{release.identifier}/")
    expect(page.get_by_role("button", name="Mass notification to the users")).to_be_visible()
    page.goto(f"{live_server.url}/")
    requests = page.get_by_role("region", name="Mass notifications to send")
    expect(requests).to_contain_text("Imminent installation (RM.6.1)")
    requests.get_by_role("link", name=f"Mass notification of {release.identifier}").click()
    expect(page.get_by_label("Body")).to_have_value(
        "ECS is down Saturday\n\nExpected disruption: Two hours"
    )
    page.get_by_role("button", name="Send to 120 users").click()
    expect(page.locator(".mass-progress .percent")).to_have_text("100%")
    expect(page.locator(".mass-progress")).to_contain_text("120 sent · 0 failed")
    # What the page says agrees with the bar, and the moment sent is not offered again.
    expect(page.locator(".mass-progress .mass-status")).to_have_text("Done")
    expect(page.locator(".flash")).to_have_text(
        "Mass notification recorded: its progress is below."
    )
    expect(page.locator("main")).not_to_contain_text("Sending")
    expect(page.locator("#moment-before")).to_contain_text("mass notification recorded")
    expect(page.get_by_role("button", name=re.compile("^Send"))).to_have_count(0)
    page.goto(f"{live_server.url}/")
    expect(page.locator(".start-part")).to_have_count(0)  # every part has come back
    expect(page.get_by_role("region", name="Mass notifications to send")).to_have_count(0)
