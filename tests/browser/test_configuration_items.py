"""The configuration manager in Chromium, after a closure that accepted a deviation from
the DSL: finds the task on the start page, confirms the CI status changes with one
amended (saying why), reads the baseline and the deviation on the release page, then
the application's live CIs and one CI's history from its delivery to the DSL."""

import hashlib
import re

import pytest
from playwright.sync_api import expect

from dsl.models import ConfigurationItem
from tests.lifecycle import install

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PK = hashlib.sha256(b"PK").hexdigest()


def test_configuration_manager_confirms_the_ci_status_changes_after_a_closure(
    page, live_server, log_in, cast, release_at, make_user
):
    make_user("cora", "ITSM Configuration Manager", first_name="Cora")
    release = release_at("installation")
    install(cast, release, successful=True)
    manifest = f"ecs-core 3.2.0 {'ab' * 32}\necs-web 3.2.0 {PK}"
    cast.ok(cast.perform(cast.dc, release, "RM.6.5", {"installed": manifest}))
    cast.ok(cast.perform(cast.dc, release, "RM.6.6", {"message": "Available"}))
    closure = {"deployment_plan_updated": True, "accepted_deviation": "Vendor re-signed the jar"}
    cast.ok(cast.perform(cast.rm, release, "RM.6.7", closure))

    log_in("cora")
    section = page.locator("#ci-tasks")
    expect(section).to_contain_text(release.identifier)
    section.get_by_role("link", name=release.identifier).click()
    expect(
        page.get_by_role("heading", name=f"CI status changes of {release.identifier}")
    ).to_be_visible()
    page.get_by_label("Status of ecs-web 3.2.0").select_option("in_test")
    page.get_by_role("button", name="Confirm the status changes").click()
    expect(page.get_by_role("alert").filter(has_text="Say why")).to_be_visible()
    page.get_by_label("Why amended (or a note)").fill("Web tier waits for the load test")
    page.get_by_role("button", name="Confirm the status changes").click()
    expect(
        page.get_by_text(f"CI status changes of {release.identifier} confirmed.")
    ).to_be_visible()
    expect(page.locator("#confirmed")).to_contain_text("Web tier waits for the load test")
    statuses = dict(
        ConfigurationItem.objects.filter(application=release.application).values_list(
            "name", "status"
        )
    )
    assert statuses == {"ecs": "live", "ecs-core": "live", "ecs-web": "in_test"}
    expect(page.locator("#ci-tasks")).to_have_count(0)

    page.goto(f"{live_server.url}/releases/{release.identifier}/")
    check = page.locator("#dsl-check")
    expect(check).to_contain_text("deviation accepted")
    expect(check).to_contain_text("Vendor re-signed the jar")
    expect(check).to_contain_text("checksum differs")
    expect(page.locator("#baseline")).to_contain_text(PK)

    # The application's CIs, filtered to the live ones; one CI's history from delivery.
    page.goto(f"{live_server.url}/applications/ecs/")
    page.get_by_role("link", name="configuration items").click()
    page.get_by_label("Status").select_option("live")
    expect(page).to_have_url(re.compile(r"status=live"))
    rows = page.locator("#configuration-items tbody tr")
    expect(rows).to_have_count(2)
    page.get_by_role("link", name="ecs-core").click()
    history = page.locator("#history tbody tr")
    expect(history).to_have_count(3)
    expect(history.last).to_contain_text("Delivered to the DSL")
    expect(history.first).to_contain_text("Live")
    expect(page.locator("#baselines")).to_contain_text(release.identifier)
