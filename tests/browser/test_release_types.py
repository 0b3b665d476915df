"""The release manager sets a release policy and formalising a release that breaches it
asks for a reason; a deployment coordinator waives the kick-off of an emergency release
with a reason and it shows as waived (issue 12, points 5 and 7), in Chromium."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from releases.models import PolicyBreach, Release

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def days(n):
    return (timezone.localdate() + datetime.timedelta(days=n)).isoformat()


def test_a_policy_asks_for_a_reason_and_an_emergency_release_waives_its_kick_off(
    page, live_server, log_in, cast, release_at
):
    emergency = release_at("kickoff", release_type="emergency")
    log_in("rita")
    page.goto(f"{live_server.url}/policies/")
    page.get_by_role("link", name="Set the policy of ECS").click()
    page.get_by_label("Lead time in days").fill("10")
    page.get_by_label("A breach of the lead time").select_option("warn")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Release policy of ECS saved.")).to_be_visible()
    expect(page.locator("#policy-ecs")).to_contain_text("10 day(s)")

    page.goto(f"{live_server.url}/releases/new/")
    page.get_by_label("Application").select_option(label="ECS - Export Control System")
    page.get_by_label("Version", exact=True).fill("4.0.0")
    page.get_by_label("Name", exact=True).fill("Urgent rules")
    page.get_by_label("Release type").select_option("minor")
    page.get_by_label("Planned delivery date").fill(days(1))
    page.get_by_label("Planned installation date").fill(days(3))
    page.get_by_label("DG TAXUD A3/Cust").check()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Say why it goes ahead.")).to_be_visible()
    assert not Release.objects.filter(version="4.0.0").exists()
    page.get_by_label("Reason to go ahead despite").fill("Legal deadline at month end")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", name="ECS-4.0.0")).to_be_visible()
    expect(page.locator("#policy-breaches")).to_contain_text("Legal deadline at month end")
    assert PolicyBreach.objects.get().rule == "lead_time"

    page.context.clear_cookies()
    log_in("dave")
    page.goto(f"{live_server.url}/releases/{emergency.identifier}/activities/RM.3.1/")
    page.get_by_label("Why it is waived").fill("Security fix tonight: no meeting")
    page.get_by_role("button", name="Waive RM.3.1").click()
    expect(page.get_by_text("RM.3.1 waived.")).to_be_visible()
    expect(page.locator("#waived-note")).to_contain_text("Security fix tonight")
    page.goto(f"{live_server.url}/releases/{emergency.identifier}/")
    expect(page.locator("#waived")).to_contain_text("RM.3.1 Prepare kick-off meeting")
    expect(page.locator("#waived")).to_contain_text("owed again after the installation")
