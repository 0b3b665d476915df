"""The release manager's quarterly review in Chromium (seed 002 section 6; issue 15
point 7): from the KPI page to the last quarter's review, the decisions recorded with
one improvement action, and both shown on the quarter's page."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from kpis import periods
from tests.browser.test_accessibility import BLOCKING, axe_violations, describe

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_release_manager_records_the_last_quarters_review_from_the_kpi_page(
    page, live_server, log_in, cast
):
    quarter = periods.quarter_of(timezone.localdate()).previous()
    log_in("rita")
    page.goto(f"{live_server.url}/kpis/")
    page.get_by_role("link", name="Quarterly reviews of the KPIs").click()
    page.wait_for_url(f"{live_server.url}/kpis/reviews/")
    row = page.locator(f"tr[data-quarter='{quarter.key}']")
    expect(row).to_contain_text("not recorded")
    row.get_by_role("link", name=quarter.key).click()
    page.wait_for_url(f"{live_server.url}/kpis/reviews/{quarter.key}/")
    expect(page.locator("#kpi-table tr[data-kpi='total']")).to_have_count(1)
    violations = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not violations, describe("quarterly review", violations)

    form = page.locator("#record-review form")
    form.get_by_label("Held on").fill(timezone.localdate().isoformat())
    form.get_by_label("dave").check()
    form.get_by_label("What the review found").fill("Late go-lives came from moved plans.")
    form.get_by_label("Decisions").fill("Baseline every plan.\nRehearse every migration.")
    form.get_by_label("New improvement action").fill("Baseline checklist line")
    form.get_by_label("Its owner").fill("dave")
    due = timezone.localdate() + datetime.timedelta(days=30)
    form.get_by_label("Due").fill(due.isoformat())
    form.get_by_role("button", name="Record the review").click()

    review = page.locator("#quarterly-review")
    expect(review).to_contain_text("recorded")
    expect(page.locator("#review-decisions")).to_contain_text("Rehearse every migration.")
    expect(page.locator("#review-actions")).to_contain_text("Baseline checklist line")
    expect(page.locator("#open-actions-table")).to_contain_text(f"Quarterly review {quarter.key}")
    page.get_by_role("link", name="Every quarter").click()
    expect(page.locator(f"tr[data-quarter='{quarter.key}'] .status-done")).to_have_count(1)
