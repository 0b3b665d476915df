"""Release packages (seed 001, 3.1; issue 12, point 6) through the API and the pages:
one installation window that moves its releases' installation milestones (their re-plans
kept), one calendar entry, visibility by release, the audit of every change, and no
go-live (RM.6.2) of a release of the package until each of them is authorised."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from releasemgmt.audit.models import AuditEntry
from releases.models import Application, Milestone, MilestoneChange
from tests.lifecycle import make_ready

pytestmark = pytest.mark.django_db

START = "2027-04-20T20:00:00+02:00"
END = "2027-04-20T23:00:00+02:00"


@pytest.fixture
def ncts(db):
    return Application.objects.create(code="ncts", name="New Computerised Transit System")


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """What runs once a request's transaction commits (a package's span of installations,
    ``deployments.receivers``) run at the end of the block, as it would after the
    request."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def package(api, release_manager, make_release, ncts, committed):
    """A package of two releases of two applications, made through the API."""
    first = make_release(threads=("a3-cust",))
    second = make_release(threads=("a3-exc",), application=ncts)
    client = api(release_manager)
    with committed():
        made = client.post(
            "/api/v1/packages/",
            {"reference": "PKG-2027-Q2", "name": "Spring rules", "owner": release_manager.username},
            format="json",
        )
        assert made.status_code == 201, made.json()
        pk = made.json()["id"]
        for release in (first, second):
            added = client.post(
                f"/api/v1/packages/{pk}/releases/", {"release": release.identifier}, format="json"
            )
            assert added.status_code == 201, added.json()
    return {"pk": pk, "releases": [first, second], "client": client}


def test_the_installation_window_moves_each_release_s_installation(package, release_manager):
    client = package["client"]
    response = client.patch(
        f"/api/v1/packages/{package['pk']}/",
        {"installation_starts_at": START, "installation_ends_at": END, "reason": "One weekend"},
        format="json",
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["name"] == "Spring rules"  # a PATCH changes what it names only
    assert {r["application"] for r in body["releases"]} == {"ecs", "ncts"}
    start = datetime.datetime.fromisoformat(START)
    for release in package["releases"]:
        release.refresh_from_db()
        assert release.planned_installation_date == datetime.date(2027, 4, 20)
        installation = release.milestones.get(kind=Milestone.Kind.INSTALLATION)
        assert installation.starts_at == start
        change = MilestoneChange.objects.get(milestone=installation)
        assert change.reason == "One weekend"
        assert change.changed_by == release_manager
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"package_saved", "package_release_added", "milestone_planned"} <= actions
    # A release added afterwards takes the window too.
    later = client.post(
        "/api/v1/releases/",
        {
            "application": "ecs",
            "version": "9.9.9",
            "name": "Late addition",
            "release_type": "minor",
            "planned_delivery_date": "2027-03-01",
            "planned_installation_date": "2027-03-20",
            "business_threads": ["a3-cust"],
        },
        format="json",
    )
    assert later.status_code == 201, later.json()
    identifier = later.json()["identifier"]
    added = client.post(
        f"/api/v1/packages/{package['pk']}/releases/", {"release": identifier}, format="json"
    )
    assert added.status_code == 201
    assert identifier in {r["identifier"] for r in added.json()["releases"]}
    assert Milestone.objects.get(release__identifier=identifier, kind="installation").starts_at == (
        start
    )


def test_a_release_is_in_one_package_at_most(package, release_manager):
    client = package["client"]
    other = client.post(
        "/api/v1/packages/",
        {"reference": "PKG-OTHER", "name": "Other", "owner": release_manager.username},
        format="json",
    ).json()
    response = client.post(
        f"/api/v1/packages/{other['id']}/releases/",
        {"release": package["releases"][0].identifier},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["missing"] == ["PKG-2027-Q2"]
    again = client.post(
        "/api/v1/packages/",
        {"reference": "PKG-2027-Q2", "name": "Twin", "owner": release_manager.username},
        format="json",
    )
    assert again.status_code == 400
    assert "reference" in again.json()


def test_only_a_release_manager_manages_packages(package, api, coordinator, make_user):
    client = api(coordinator)
    made = client.post("/api/v1/packages/", {"reference": "X", "name": "Y", "owner": "rita"})
    assert made.status_code == 403
    changed = client.patch(f"/api/v1/packages/{package['pk']}/", {"name": "Mine"}, format="json")
    assert changed.status_code == 403


def test_a_user_sees_a_package_through_its_releases_and_only_theirs(
    package, api, client, make_user
):
    cust = make_user("cust", "DG TAXUD A3/Cust")
    mine, theirs = package["releases"]
    listed = api(cust).get("/api/v1/packages/").json()["results"]
    assert [(p["reference"], p["release_count"]) for p in listed] == [("PKG-2027-Q2", 1)]
    detail = api(cust).get(f"/api/v1/packages/{package['pk']}/").json()
    assert [r["identifier"] for r in detail["releases"]] == [mine.identifier]
    client.force_login(cust)
    page = client.get(f"/packages/{package['pk']}/").content.decode()
    assert mine.identifier in page
    assert theirs.identifier not in page
    assert "1 other release" in page  # not yet authorised, not named
    outsider = make_user("taxud", "DG TAXUD A3/Exc")
    package["client"].delete(f"/api/v1/packages/{package['pk']}/releases/{theirs.identifier}/")
    assert api(outsider).get(f"/api/v1/packages/{package['pk']}/").status_code == 404
    client.force_login(outsider)
    assert client.get(f"/packages/{package['pk']}/").status_code == 404
    assert "PKG-2027-Q2" not in client.get("/packages/").content.decode()


def test_the_calendar_shows_the_package_once_instead_of_its_installations(package, committed):
    client = package["client"]
    with committed():
        client.patch(
            f"/api/v1/packages/{package['pk']}/",
            {"installation_starts_at": START, "installation_ends_at": END},
            format="json",
        )
    events = client.get("/api/v1/calendar/?start=2027-04-01&end=2027-05-01").json()["events"]
    packages = [e for e in events if e["type"] == "package"]
    assert len(packages) == 1
    assert packages[0]["url"] == f"/packages/{package['pk']}/"
    assert "installation of 2 releases" in packages[0]["title"]
    installations = [e for e in events if e.get("kind") == "installation" and e["release"]]
    assert installations == []


def test_the_calendar_counts_in_a_package_the_releases_the_user_sees(
    package, committed, api, make_user
):
    """Whether a user sees a member's release is asked per member (issue 17): a thread
    sees the package's entry with its own release alone, a thread with none of its
    releases sees no entry."""
    with committed():
        package["client"].patch(
            f"/api/v1/packages/{package['pk']}/",
            {"installation_starts_at": START, "installation_ends_at": END},
            format="json",
        )
    month = "/api/v1/calendar/?start=2027-04-01&end=2027-05-01"

    def titles(user):
        events = api(user).get(month).json()["events"]
        return [e["title"] for e in events if e["type"] == "package"]

    (seen,) = titles(make_user("cust", "DG TAXUD A3/Cust"))
    assert seen.endswith("installation of 1 release")
    assert titles(make_user("tax", "DG TAXUD A3/Tax")) == []


def _calendar_packages(client, month: str) -> list[tuple]:
    start = datetime.date.fromisoformat(f"{month}-01")
    end = (start + datetime.timedelta(days=32)).replace(day=1)
    events = client.get(f"/api/v1/calendar/?start={start}&end={end}").json()["events"]
    return [(e["start"], e["end"]) for e in events if e["type"] == "package"]


def test_the_calendar_finds_a_package_by_the_span_of_its_installations_as_they_move(
    package, make_release, committed
):
    """The calendar asks only the packages whose span (kept on the package once each
    change is committed) meets its range: the span follows a release's installation
    moved on its own, a release taken out and one added (issue 17)."""
    client = package["client"]
    second = package["releases"][1]
    # the fixture's installations are in March
    assert len(_calendar_packages(client, "2027-03")) == 1
    assert _calendar_packages(client, "2027-05") == []
    # the second release's installation moves to May: the span reaches it, the entry
    # shows in March, April and May
    moved = {
        "kind": "installation",
        "starts_at": "2027-05-11T20:00:00+02:00",
        "ends_at": "2027-05-11T23:00:00+02:00",
        "reason": "Waits for the new rules",
    }
    with committed():
        answer = client.post(
            f"/api/v1/releases/{second.identifier}/milestones/", moved, format="json"
        )
    assert answer.status_code in (200, 201), answer.json()
    for month in ("2027-03", "2027-04", "2027-05"):
        found = _calendar_packages(client, month)
        assert len(found) == 1, month
        assert found[0][1].startswith("2027-05-11"), month
    # taken out of the package: the span shrinks back to the first release's
    with committed():
        out = client.delete(f"/api/v1/packages/{package['pk']}/releases/{second.identifier}/")
    assert out.status_code == 200
    assert _calendar_packages(client, "2027-05") == []
    assert len(_calendar_packages(client, "2027-03")) == 1
    # a release added in June stretches it again
    june = make_release(planned_installation_date=datetime.date(2027, 6, 15))
    with committed():
        added = client.post(
            f"/api/v1/packages/{package['pk']}/releases/",
            {"release": june.identifier},
            format="json",
        )
    assert added.status_code == 201, added.json()
    assert len(_calendar_packages(client, "2027-06")) == 1
    assert len(_calendar_packages(client, "2027-04")) == 1  # between its installations
    # the nightly repair finds every span as the events left it
    from deployments.models import ReleasePackage
    from deployments.tasks import refresh_package_spans_task

    kept = list(ReleasePackage.objects.values_list("first_installation_at", "last_installation_at"))
    ReleasePackage.objects.update(first_installation_at=None, last_installation_at=None)
    refresh_package_spans_task()
    again = ReleasePackage.objects.values_list("first_installation_at", "last_installation_at")
    assert list(again) == kept


def test_the_package_page_shows_its_releases_side_by_side_in_fixed_queries(
    package, client, release_manager, make_release, ncts
):
    client.force_login(release_manager)
    path = f"/packages/{package['pk']}/"
    client.get(path)
    with CaptureQueriesContext(connection) as few:
        page = client.get(path)
    assert page.status_code == 200
    client_api = package["client"]
    api = f"/api/v1/packages/{package['pk']}/"
    client_api.get(api)
    with CaptureQueriesContext(connection) as few_api:
        answer = client_api.get(api)
    assert answer.status_code == 200
    assert {r["identifier"] for r in answer.json()["releases"]} == {
        r.identifier for r in package["releases"]
    }
    assert all(r["planned_installation_date"] for r in answer.json()["releases"])
    text = page.content.decode()
    for release in package["releases"]:
        assert release.identifier in text
    assert "Installation" in text
    for _ in range(4):
        release = make_release(application=ncts)
        client_api.post(
            f"/api/v1/packages/{package['pk']}/releases/",
            {"release": release.identifier},
            format="json",
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(path).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)
    with CaptureQueriesContext(connection) as many_api:
        assert client_api.get(api).status_code == 200
    assert len(many_api.captured_queries) == len(few_api.captured_queries)
    with CaptureQueriesContext(connection) as listing:
        assert client.get("/packages/").status_code == 200
    assert len(listing.captured_queries) <= 12


def test_the_pages_make_and_change_a_package_keeping_what_was_typed(
    client, release_manager, make_release
):
    release = make_release()
    client.force_login(release_manager)
    bad = {
        "reference": "PKG-\x07",
        "name": "Rules",
        "owner": release_manager.username,
        "installation_starts_at": "0001-01-01T00:00",
        "installation_ends_at": "9999-12-31T23:59",
    }
    response = client.post("/packages/new/", bad)
    assert response.status_code == 400
    assert 'value="Rules"' in response.content.decode()
    good = bad | {"reference": "PKG-1", "installation_starts_at": "", "installation_ends_at": ""}
    response = client.post("/packages/new/", good)
    assert response.status_code == 302, response.content.decode()[:2000]
    detail = response["Location"]
    response = client.post(detail, {"release": release.identifier})
    assert response.status_code == 302
    response = client.post(detail, {"release": release.identifier})
    assert response.status_code == 409
    assert "already in this package" in response.content.decode()
    response = client.post(
        detail + "edit/",
        good
        | {
            "installation_starts_at": "2027-04-20T20:00",
            "installation_ends_at": "2027-04-20T19:00",
        },
    )
    assert response.status_code == 400
    assert "The end comes after the start." in response.content.decode()
    response = client.post(
        detail + "edit/",
        good
        | {
            "installation_starts_at": "2027-04-20T20:00",
            "installation_ends_at": "2027-04-20T23:00",
        },
    )
    assert response.status_code == 302
    release.refresh_from_db()
    assert release.planned_installation_date == datetime.date(2027, 4, 20)
    response = client.post(f"{detail}releases/{release.identifier}/remove/")
    assert response.status_code == 302
    page = client.get(detail).content.decode()
    assert f"{release.identifier} taken out of the package." in page
    assert f'href="/releases/{release.identifier}/"' not in page


def test_no_release_of_a_package_goes_live_until_each_is_authorised(
    release_at, package, cast, release_manager
):
    """RM.6.2 of a release in a package answers 409 naming the package's releases not yet
    authorised (RM.5.2); the package page says so too."""
    ready = release_at("installation")
    client = package["client"]
    added = client.post(
        f"/api/v1/packages/{package['pk']}/releases/", {"release": ready.identifier}, format="json"
    )
    assert added.status_code == 201, added.json()
    assert added.json()["authorised"] is False
    cast.ok(cast.perform(cast.dc, ready, "RM.6.1", {"message": "Downtime", "disruption": "2 h"}))
    make_ready(cast, ready)
    refused = cast.perform(cast.dc, ready, "RM.6.2", {"start_at": "2027-04-20T20:00"})
    assert refused.status_code == 409
    assert sorted(refused.json()["missing"]) == sorted(r.identifier for r in package["releases"])
    # Take the two others out: the package holds only authorised releases now.
    for release in package["releases"]:
        client.delete(f"/api/v1/packages/{package['pk']}/releases/{release.identifier}/")
    assert client.get(f"/api/v1/packages/{package['pk']}/").json()["authorised"] is True
    cast.ok(cast.perform(cast.dc, ready, "RM.6.2", {"start_at": "2027-04-20T20:00"}))
    # Installed: the package keeps its releases and its window.
    response = client.post(
        f"/api/v1/packages/{package['pk']}/releases/",
        {"release": package["releases"][0].identifier},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["missing"] == [ready.identifier]
    moved = client.patch(
        f"/api/v1/packages/{package['pk']}/",
        {"installation_starts_at": START, "installation_ends_at": END},
        format="json",
    )
    assert moved.status_code == 409
