"""Blackout and maintenance windows, on the pages and through the API: anyone logged in
reads them, the release manager records, changes and removes them; bad input comes back
naming the field with what was typed, and nothing is saved; the list puts the windows to
come first, explains a weekly one and answers in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from raci.models import Party
from releasemgmt.audit.models import AuditEntry
from releases import planning
from releases.models import Application, Window
from tests.security.routes import category, routes

pytestmark = pytest.mark.django_db


def at(day, hour=0, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def soon(days):
    return timezone.localdate() + datetime.timedelta(days=days)


FORM = {
    "kind": "blackout",
    "title": "Year-end freeze",
    "reason": "Closing of accounts",
    "starts_at": "2031-12-20T00:00",
    "ends_at": "2032-01-03T00:00",
    "repeat_until": "",
    "application": "",
    "business_thread": "",
}


@pytest.fixture
def thread_user(make_user):
    return make_user("cust", "DG TAXUD A3/Cust")


@pytest.fixture
def freeze(release_manager):
    return planning.save_window(
        by=release_manager,
        kind="blackout",
        title="Year-end freeze",
        starts_at=at(soon(30)),
        ends_at=at(soon(44)),
    )


def count(client, path):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(ctx.captured_queries)


# --- the pages ---------------------------------------------------------------------


def test_the_release_manager_records_changes_and_removes_a_window(client, release_manager):
    client.force_login(release_manager)
    assert client.get("/windows/new/").status_code == 200
    response = client.post("/windows/new/", FORM)
    assert response.status_code == 302
    assert response["Location"] == "/windows/"
    window = Window.objects.get()
    assert (window.title, window.created_by, window.reason) == (
        "Year-end freeze",
        release_manager,
        "Closing of accounts",
    )
    assert timezone.localtime(window.starts_at).date() == datetime.date(2031, 12, 20)
    listed = client.get("/windows/").content.decode()
    assert "Year-end freeze" in listed
    assert "2031-12-20 00:00 to 2032-01-03 00:00" in listed

    edit = client.get(f"/windows/{window.pk}/edit/").content.decode()
    assert 'value="2031-12-20T00:00"' in edit  # the picker gets the local time back
    ecs = Application.objects.create(code="ecs", name="Export Control System")
    changed = FORM | {"title": "ECS freeze", "application": ecs.pk}
    assert client.post(f"/windows/{window.pk}/edit/", changed).status_code == 302
    window.refresh_from_db()
    assert (window.title, window.application) == ("ECS freeze", ecs)

    confirm = client.get(f"/windows/{window.pk}/delete/")
    assert confirm.status_code == 200
    assert "Remove Blackout: ECS freeze?" in confirm.content.decode()
    assert Window.objects.exists()  # asking is not removing
    assert client.post(f"/windows/{window.pk}/delete/").status_code == 302
    assert not Window.objects.exists()
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["window_saved", "window_saved", "window_removed"]


def test_everyone_reads_only_the_release_manager_manages(client, thread_user, coordinator, freeze):
    for user in (thread_user, coordinator):
        client.force_login(user)
        listed = client.get("/windows/")
        assert listed.status_code == 200
        assert "Year-end freeze" in listed.content.decode()
        assert f"/windows/{freeze.pk}/edit/" not in listed.content.decode()
        assert client.get("/windows/new/").status_code == 403
        assert client.post("/windows/new/", FORM).status_code == 403
        assert client.get(f"/windows/{freeze.pk}/edit/").status_code == 403
        assert client.post(f"/windows/{freeze.pk}/edit/", FORM | {"title": "X"}).status_code == 403
        assert client.post(f"/windows/{freeze.pk}/delete/").status_code == 403
    freeze.refresh_from_db()
    assert freeze.title == "Year-end freeze"
    client.logout()
    assert client.get("/windows/").status_code == 302  # to the login page


def test_no_such_window_is_404(client, release_manager):
    client.force_login(release_manager)
    assert client.get("/windows/987654/edit/").status_code == 404
    assert client.post("/windows/987654/delete/").status_code == 404


@pytest.mark.parametrize(
    ("change", "field", "said"),
    [
        ({"kind": "maintenance"}, "application", "A maintenance window belongs to an application."),
        ({"ends_at": "2031-12-19T00:00"}, "ends_at", "The end comes after the start."),
        ({"title": " "}, "title", "This field is required."),
        ({"repeat_until": "2032-01-31"}, "repeat_until", "Only a window repeated weekly"),
        ({"starts_at": "1999-12-31T00:00"}, "starts_at", "Give a date between 2000 and 2199."),
    ],
)
def test_bad_input_names_the_field_keeps_the_input_and_saves_nothing(
    client, release_manager, change, field, said
):
    client.force_login(release_manager)
    response = client.post("/windows/new/", FORM | change)
    assert response.status_code == 400
    form = response.context["form"]
    assert field in form.errors
    assert said in " ".join(form.errors[field])
    assert 'value="Year-end freeze"' in response.content.decode() or field == "title"
    assert "Closing of accounts" in response.content.decode()
    assert not Window.objects.exists()


def test_the_list_puts_what_comes_first_and_explains_a_weekly_window(client, release_manager):
    by = release_manager
    ecs = Application.objects.create(code="ecs", name="Export Control System")
    ncts = Application.objects.create(code="ncts", name="NCTS")
    past = planning.save_window(
        by=by, kind="blackout", title="Last freeze", starts_at=at(soon(-40)), ends_at=at(soon(-30))
    )
    # a Saturday evening every week, begun weeks ago and going on
    saturday = soon(-30)
    saturday += datetime.timedelta(days=(5 - saturday.weekday()) % 7)
    weekly = planning.save_window(
        by=by,
        kind="maintenance",
        title="Saturday evening",
        starts_at=at(saturday, 20),
        ends_at=at(saturday, 23, 59),
        repeats_weekly=True,
        application=ecs,
    )
    coming = planning.save_window(
        by=by, kind="blackout", title="Next freeze", starts_at=at(soon(10)), ends_at=at(soon(12))
    )
    theirs = planning.save_window(
        by=by,
        kind="maintenance",
        title="NCTS nights",
        starts_at=at(soon(3), 1),
        ends_at=at(soon(3), 4),
        application=ncts,
    )
    thread = planning.save_window(
        by=by,
        kind="blackout",
        title="Customs freeze",
        starts_at=at(soon(5)),
        ends_at=at(soon(6)),
        business_thread=Party.objects.get(slug="a3-cust"),
    )
    client.force_login(release_manager)
    response = client.get("/windows/")
    shown = [w.pk for w in response.context["page"].object_list]
    assert shown == [weekly.pk, theirs.pk, thread.pk, coming.pk, past.pk]
    page = response.content.decode()
    assert f"Every Saturday 20:00 to 23:59, from {saturday:%Y-%m-%d} with no end date" in page
    assert page.count("20:00 to 23:59</div>") == 3  # its next three Saturdays
    assert "A3/Cust" in page
    assert "Every application" in page

    def listed(**query):
        return [w.pk for w in client.get("/windows/", query).context["page"].object_list]

    assert listed(kind="maintenance") == [weekly.pk, theirs.pk]
    # an application's windows: its own and the global blackouts
    assert listed(application="ecs") == [weekly.pk, coming.pk, past.pk]
    assert listed(application="ecs", kind="blackout") == [coming.pk, past.pk]
    refused = client.get("/windows/", {"application": "nowhere"})
    assert "application" in refused.context["filter"].form.errors


def test_window_list_queries_are_constant(client, thread_user, release_manager):
    client.force_login(thread_user)
    planning.save_window(
        by=release_manager, kind="blackout", title="One", starts_at=at(soon(1)), ends_at=at(soon(2))
    )
    count(client, "/windows/")
    few = (count(client, "/windows/"), count(client, "/api/v1/windows/"))
    ecs = Application.objects.create(code="ecs", name="Export Control System")
    for i in range(12):
        planning.save_window(
            by=release_manager,
            kind="maintenance" if i % 2 else "blackout",
            title=f"Window {i}",
            starts_at=at(soon(i), 20),
            ends_at=at(soon(i), 23),
            repeats_weekly=bool(i % 3),
            application=ecs if i % 2 else None,
            business_thread=Party.objects.get(slug="a3-cust") if i % 4 == 0 else None,
        )
    assert (count(client, "/windows/"), count(client, "/api/v1/windows/")) == few


# --- the API -----------------------------------------------------------------------

BODY = {
    "kind": "maintenance",
    "title": "Saturday evening",
    "reason": "The service's maintenance slot",
    "starts_at": "2031-03-01T20:00:00+01:00",
    "ends_at": "2031-03-01T23:59:00+01:00",
    "repeats_weekly": True,
    "repeat_until": "2031-06-28",
    "application": "ecs",
}


def test_api_windows_for_the_release_manager(api, release_manager, application):
    client = api(release_manager)
    created = client.post("/api/v1/windows/", BODY, format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["application"] == "ecs"
    assert body["rule"] == ("Every Saturday 20:00 to 23:59, from 2031-03-01 until 2031-06-28")
    assert body["created_by"] == release_manager.username
    path = f"/api/v1/windows/{body['id']}/"
    changed = client.patch(path, {"title": "Saturday night"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["title"] == "Saturday night"
    assert changed.json()["repeat_until"] == "2031-06-28"  # what was not sent stays
    refused = client.patch(path, {"application": None}, format="json")
    assert refused.status_code == 400
    assert "application" in refused.json()
    assert client.get(path).json()["application"] == "ecs"
    assert client.delete(path).status_code == 204
    assert client.get(path).status_code == 404
    assert not Window.objects.exists()


def test_api_windows_are_read_by_all_and_written_by_the_release_manager(
    api, thread_user, freeze, application
):
    client = api(thread_user)
    listed = client.get("/api/v1/windows/")
    assert listed.status_code == 200
    assert [w["title"] for w in listed.json()["results"]] == ["Year-end freeze"]
    path = f"/api/v1/windows/{freeze.pk}/"
    assert client.get(path).status_code == 200
    assert client.post("/api/v1/windows/", BODY, format="json").status_code == 403
    assert client.patch(path, {"title": "Mine"}, format="json").status_code == 403
    assert client.delete(path).status_code == 403
    assert Window.objects.get().title == "Year-end freeze"
    assert api().get("/api/v1/windows/").status_code in (401, 403)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"application": "nowhere"}, "application"),
        ({"ends_at": "2031-03-01T19:00:00+01:00"}, "ends_at"),
        ({"ends_at": "2031-03-09T20:00:00+01:00"}, "ends_at"),  # weekly: a week at most
        ({"kind": "freeze"}, "kind"),
        ({"business_thread": "a3-cust"}, "business_thread"),  # a maintenance window: no
        ({"title": "a\nb"}, "title"),
    ],
)
def test_api_bad_window_is_400_naming_the_field(api, release_manager, application, change, field):
    response = api(release_manager).post("/api/v1/windows/", BODY | change, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not Window.objects.exists()


def test_api_window_filters(api, thread_user, freeze, release_manager, application):
    planning.save_window(
        by=release_manager,
        kind="maintenance",
        title="ECS nights",
        starts_at=at(soon(1), 1),
        ends_at=at(soon(1), 4),
        application=application,
    )
    client = api(thread_user)

    def titles(**query):
        return [w["title"] for w in client.get("/api/v1/windows/", query).json()["results"]]

    assert titles(kind="maintenance") == ["ECS nights"]
    assert titles(application="ecs") == ["ECS nights", "Year-end freeze"]
    assert client.get("/api/v1/windows/", {"application": "nowhere"}).status_code == 400


# --- the routes: windows are shared, not a release's ---------------------------------


def test_window_routes_are_classified_and_refuse_writes_to_others(client, api, thread_user, freeze):
    window_routes = [r for r in routes() if category(r) == "window"]
    assert {r.name for r in window_routes} == {"windows:edit", "windows:delete", "window-detail"}
    client.force_login(thread_user)
    for route in window_routes:
        path = route.path(pk=freeze.pk, format="json")
        if route.is_api:
            assert api(thread_user).get(path).status_code == 200
            assert api(thread_user).delete(path).status_code == 403
        else:
            assert client.get(path).status_code == 403
            assert client.post(path).status_code == 403
    assert Window.objects.filter(pk=freeze.pk).exists()
