"""The release list, the release schedule and the change schedule as files (issue 12,
point 9): the page's filters, the user's visibility, cells a spreadsheet would run as a
formula neutralised, and a number of queries that does not grow with the rows."""

import csv
import datetime
import io
import zipfile

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from changes.models import RfC
from releases.models import Application, Release

pytestmark = pytest.mark.django_db

HOSTILE = ['=HYPERLINK("http://evil.example")', "+1+2", "-2-3", "@SUM(A1)"]


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def rows(response) -> list[list[str]]:
    assert response.status_code == 200, body(response)[:500]
    assert response["Content-Type"].startswith("text/csv")
    text = body(response).decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def two_threads(make_release, make_user):
    """Two releases of thread A3/Cust (one of another application) and one of A3/Exc."""
    other_app = Application.objects.create(code="ncts", name="New Computerised Transit")
    cust = make_release(threads=("a3-cust",), name="Customs rules")
    cust_ncts = make_release(threads=("a3-cust",), name="Transit rules", application=other_app)
    exc = make_release(threads=("a3-exc",), name="Excise secret")
    return {
        "cust": make_user("cust", "DG TAXUD A3/Cust"),
        "mine": [cust, cust_ncts],
        "theirs": exc,
    }


@pytest.mark.parametrize("path", ["/releases/export/", "/api/v1/releases/export/"])
def test_the_export_holds_only_what_the_user_may_see_with_the_filters(
    path, client, api, two_threads
):
    user = two_threads["cust"]
    client.force_login(user)
    get = client.get if path.startswith("/releases") else api(user).get
    table = rows(get(path, {"format": "csv"}))
    assert table[0][:4] == ["Release", "Name", "Version", "Application"]
    identifiers = {r[0] for r in table[1:]}
    assert identifiers == {r.identifier for r in two_threads["mine"]}
    assert two_threads["theirs"].identifier not in body(get(path, {"format": "csv"})).decode()
    filtered = rows(get(path, {"format": "csv", "application": "NCTS"}))
    assert [r[0] for r in filtered[1:]] == [two_threads["mine"][1].identifier]
    assert filtered[1][3] == "ncts"
    assert filtered[1][6] == "RM.1 Plan release"
    searched = rows(get(path, {"format": "csv", "q": two_threads["theirs"].identifier}))
    assert searched[1:] == []


def test_the_release_list_page_links_its_exports_with_its_filters(client, two_threads):
    client.force_login(two_threads["cust"])
    page = client.get("/releases/", {"application": "ncts", "page": "1"}).content.decode()
    assert 'href="/releases/export/?format=csv&amp;application=ncts"' in page
    assert 'href="/releases/export/?format=xlsx&amp;application=ncts"' in page


def test_hostile_cells_are_neutralised_in_csv_and_kept_as_text_in_xlsx(
    client, make_release, release_manager
):
    for name in HOSTILE:
        make_release(name=name)
    client.force_login(release_manager)
    table = rows(client.get("/releases/export/", {"format": "csv"}))
    names = sorted(r[1] for r in table[1:])
    assert names == sorted("'" + name for name in HOSTILE)
    response = client.get("/releases/export/", {"format": "xlsx"})
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(body(response))) as book:
        sheet = book.read("xl/worksheets/sheet1.xml").decode()
        assert "<f>" not in sheet  # no formula anywhere: each name is a string cell
        strings = (
            book.read("xl/sharedStrings.xml").decode()
            if "xl/sharedStrings.xml" in (book.namelist())
            else sheet
        )
    assert "+1+2" in sheet + strings


def test_an_unknown_format_is_not_found(client, api, release_manager):
    client.force_login(release_manager)
    assert client.get("/releases/export/", {"format": "pdf"}).status_code == 404
    assert client.get("/changes/schedule/export/", {"format": "pdf"}).status_code == 404
    response = api(release_manager).get("/api/v1/releases/export/?format=pdf")
    assert response.status_code == 404


def count_queries(client, path, query):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, query)
        assert response.status_code == 200
        body(response)
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "path", ["/releases/export/", "/releases/schedule/export/", "/api/v1/releases/export/"]
)
def test_the_export_costs_the_same_queries_for_few_and_many_releases(
    path, client, api, make_release, release_manager
):
    client.force_login(release_manager)
    http = client if path.startswith("/releases") else api(release_manager)
    make_release()
    Release.objects.update(published_at=timezone.now())  # on the schedule (RM.1.4)
    count_queries(http, path, {"format": "csv"})
    few = count_queries(http, path, {"format": "csv"})
    for _ in range(15):
        make_release()
    Release.objects.update(published_at=timezone.now())
    assert count_queries(http, path, {"format": "csv"}) == few
    table = rows(http.get(path, {"format": "csv"}))
    assert len(table) == 17


def test_the_schedule_export_holds_the_published_releases_only(client, two_threads):
    mine = two_threads["mine"]
    Release.objects.filter(pk__in=[mine[0].pk, two_threads["theirs"].pk]).update(
        published_at=timezone.now()
    )
    client.force_login(two_threads["cust"])
    table = rows(client.get("/releases/schedule/export/", {"format": "csv"}))
    assert [r[0] for r in table[1:]] == [mine[0].identifier]
    assert table[0][-1] == "Published"
    page = client.get("/releases/schedule/").content.decode()
    assert 'href="/releases/schedule/export/?format=csv"' in page


@pytest.fixture
def scheduled_rfcs(release_manager, make_user):
    start = timezone.now() + datetime.timedelta(days=3)
    ecs = Application.objects.get_or_create(code="ecs", defaults={"name": "ECS"})[0]
    made = []
    for title in ("=cmd|' /C calc'!A0", "Database upgrade"):
        rfc = RfC.objects.create(
            reference=f"RFC-{900 + len(made)}",
            title=title,
            status=RfC.Status.AUTHORISED,
            requester=release_manager,
            planned_start=start,
            planned_end=start + datetime.timedelta(hours=2),
        )
        rfc.applications.add(ecs)
        made.append(rfc)
    return made


@pytest.mark.parametrize("path", ["/changes/schedule/export/", "/api/v1/rfcs/schedule/export/"])
def test_the_change_schedule_export(path, client, api, scheduled_rfcs, release_manager, make_user):
    http = api(release_manager) if path.startswith("/api") else client
    client.force_login(release_manager)
    table = rows(http.get(path, {"format": "csv"}))
    assert table[0][0] == "RfC"
    by_reference = {r[0]: r for r in table[1:]}
    assert set(by_reference) == {r.reference for r in scheduled_rfcs}
    assert by_reference["RFC-900"][1] == "'=cmd|' /C calc'!A0"
    assert by_reference["RFC-900"][-1] == "1"  # it overlaps the other on ECS
    outsider = make_user("exc", "DG TAXUD A3/Exc")
    client.force_login(outsider)
    other = api(outsider) if path.startswith("/api") else client
    assert rows(other.get(path, {"format": "csv"}))[1:] == []
