"""The release manager's KPI journey in Chromium: the page of a period draws its charts,
its tables say what the API says, a figure opens the releases behind it, and axe-core
finds no serious violation (issue 15)."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import BLOCKING, axe_violations, describe
from tests.kpis.history import history, with_rfc  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def number(text: str):
    """A cell's value as the API gives it: a number, or None for an empty cell."""
    return float(text) if text else None


def test_the_kpi_page_draws_its_charts_and_opens_the_releases_behind_a_figure(
    page,
    live_server,
    log_in,
    cast,
    history,  # noqa: F811
):
    query = history.query()
    api = cast.ok(cast.client(cast.rm).get("/api/v1/kpis/", query))
    flow = cast.ok(cast.client(cast.rm).get("/api/v1/kpis/flow/", query))
    log_in("rita")
    page.goto(f"{live_server.url}/kpis/?" + "&".join(f"{k}={v}" for k, v in query.items()))
    expect(page.locator("body[data-charts-drawn='yes']")).to_have_count(1)
    # the DORA keys and the flow come on their own, then draw their charts
    expect(page.locator("body[data-flow-drawn='yes']")).to_have_count(1)
    for chart in ("trend", "types", "stages", "cumulative"):
        canvas = page.locator(f"#chart-{chart}")
        expect(canvas).to_be_visible()
        assert canvas.bounding_box()["height"] > 0, chart
    # every figure of the table is the API's
    for kind, figures in (("kpi", api["kpis"]), ("dora", flow["dora"])):
        for figure in figures:
            shown = page.locator(f"tr[data-{kind}='{figure['slug']}'] td").first
            assert number(shown.get_attribute("data-value")) == figure["value"], figure["slug"]
    violations = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not violations, describe("kpis", violations)

    late = next(k for k in api["kpis"] if k["slug"] == "late")
    page.locator("tr[data-kpi='late'] [data-numerator]").click()
    expect(page.locator("[data-kpi-count]")).to_have_text(str(late["numerator"]))
    expect(page.get_by_role("link", name=history.late.identifier)).to_be_visible()
    expect(page.get_by_role("link", name=history.rolled.identifier)).to_have_count(0)
    violations = [v for v in axe_violations(page) if v["impact"] in BLOCKING]
    assert not violations, describe("releases behind a KPI", violations)
