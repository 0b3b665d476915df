"""The release list, web and API, counts its rows only up to the pager's bound
(``releasemgmt.paging``): a business thread sees 19,000 releases at 100,000, and
counting them all cost more than the page. Past the bound the page says "more than",
the API's count is null, and ``next`` still walks every release once; a KPI's releases
are counted exactly, as the figure they stand for."""

import pytest

from releasemgmt import paging
from releases import views
from releases.filters import KPI_FILTERS
from releases.selectors import visible_releases


@pytest.fixture
def five_each(make_release):
    """Five releases of A3/Cust and two of another thread."""
    for _ in range(5):
        make_release()
    for _ in range(2):
        make_release(threads=("a3-exc",))


@pytest.fixture
def bound_of_three(monkeypatch):
    monkeypatch.setattr(paging, "COUNT_UP_TO", 3)
    monkeypatch.setattr(paging.CountedPagination, "page_size", 2)
    monkeypatch.setattr(views, "RELEASES_PER_PAGE", 2)


@pytest.mark.parametrize("who", ["thread", "staff"])
def test_past_the_bound_the_lists_say_more_and_still_walk_every_release(
    who, five_each, bound_of_three, make_user, client, api
):
    user = (
        make_user("tess", "DG TAXUD A3/Cust")
        if who == "thread"
        else make_user("desk", "ITSM Service Desk")
    )
    everything = set(visible_releases(user).values_list("identifier", flat=True))
    assert len(everything) == (5 if who == "thread" else 7)

    client.force_login(user)
    page = client.get("/releases/").content.decode()
    assert "Page 1 · more than 3 releases" in page
    assert "page=2" in page

    reader = api(user)
    seen, url = [], "/api/v1/releases/"
    while url:
        body = reader.get(url).json()
        assert body["count"] is None
        seen += [row["identifier"] for row in body["results"]]
        url = body["next"]
    assert sorted(seen) == sorted(everything)

    # narrowed under the bound: exact again, in both
    some = sorted(everything)[0]
    assert reader.get("/api/v1/releases/", {"q": some}).json()["count"] == 1
    assert "more than" not in client.get("/releases/", {"q": some}).content.decode()


def test_the_releases_of_a_kpi_are_counted_exactly_past_the_bound(
    five_each, bound_of_three, monkeypatch, make_user, client, api
):
    monkeypatch.setitem(KPI_FILTERS, "every", ("Every release", lambda rows, start, end: rows))
    user = make_user("tess", "DG TAXUD A3/Cust")
    client.force_login(user)
    page = client.get("/releases/", {"kpi": "every"}).content.decode()
    assert "<strong data-kpi-count>5</strong> releases" in page
    assert "more than" not in page
    assert api(user).get("/api/v1/releases/", {"kpi": "every"}).json()["count"] == 5
