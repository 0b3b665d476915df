"""In Chromium: the deployment coordinator finds on the release page what the deployment
plan lacks of BS 15000-2 9.3, revises the plan with a reason, compares the two revisions
and sees the missing items gone. Only the people and the release (roles assigned, the plan
initialised at RM.1.3 with its components and rollback only) are set up behind the
browser's back."""

import pytest
from playwright.sync_api import expect

from deployments.models import DeploymentPlan
from tests.lifecycle import PLAN, PLAN_ITEMS, PLAN_LABELS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REASON = "Completed with the business threads at the planning meeting"


def test_the_coordinator_completes_the_plan_and_compares_the_revisions(
    page, live_server, log_in, cast, make_release
):
    release = make_release()
    bare = {k: v for k, v in PLAN.items() if k not in PLAN_ITEMS}
    cast.ok(cast.perform(cast.rm, release, "RM.1.3", bare))
    log_in(cast.dc.username)

    # the release page names what the plan lacks (its section loaded once the page is shown)
    page.goto(f"{live_server.url}/releases/{release.identifier}/")
    missing = page.locator("#deployment #plan-missing")
    expect(missing).to_contain_text("Sign-off", timeout=15_000)
    expect(missing).to_contain_text("Dependencies and risks")
    missing.get_by_role("link", name="Revise the plan").click()

    # revised with a reason: every item typed into the form
    expect(page.get_by_role("heading", name="Revise the deployment plan")).to_be_visible()
    form = page.locator("main form")
    for label, value in PLAN_LABELS.items():
        form.get_by_label(label, exact=True).fill(value)
    form.get_by_label("Why the plan is revised").fill(REASON)
    form.get_by_role("button", name="Keep this revision").click()

    # the comparison of revision 1 and 2 opens, item by item
    expect(page.get_by_text("Revision 2 of the deployment plan kept.")).to_be_visible()
    changes = page.locator("#changes")
    expect(changes).to_contain_text("j) Sign-off")
    expect(changes).to_contain_text(PLAN_ITEMS["sign_off"])
    expect(changes).to_contain_text("Risk: Database migration overruns")
    expect(page.locator("#compare")).to_contain_text(REASON)

    # the missing items are gone from the release page
    page.goto(f"{live_server.url}/releases/{release.identifier}/")
    expect(page.locator("#deployment #plan-complete")).to_be_visible(timeout=15_000)
    expect(page.locator("#deployment")).to_contain_text("revision 2")
    expect(page.locator("#deployment #plan-missing")).to_have_count(0)
    plan = DeploymentPlan.objects.get(release=release)
    assert plan.revisions.get(number=2).reason == REASON
