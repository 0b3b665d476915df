"""A release's plan on its pages and through the API: each milestone's window, the
baseline of RM.1.4, the actual date from its activity's record, the slippage and the
re-plans with their reasons; planning a milestone by whom the activity belongs to, bad
input named on its field with nothing saved, 403, 404 and 409 as elsewhere; the release
page and the endpoint answer in a fixed number of queries."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from releases import planning
from releases import services as releases
from releases.models import Milestone, MilestoneChange

pytestmark = pytest.mark.django_db


def at(day, hour=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def body(day, start=9, end=17, kind="psat", **extra):
    return {
        "kind": kind,
        "starts_at": f"{day:%Y-%m-%d}T{start:02d}:00",
        "ends_at": f"{day:%Y-%m-%d}T{end:02d}:00",
        **extra,
    }


def path(release):
    return f"/api/v1/releases/{release.identifier}/milestones/"


def count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def test_the_plan_of_a_new_release(api, cast, make_release):
    release = make_release()
    plan = cast.ok(api(cast.cust).get(path(release)))
    assert [m["kind"] for m in plan] == ["delivery", "installation"]
    installation = plan[1]
    assert installation["all_day"] is True
    assert installation["starts_at"].startswith(f"{release.planned_installation_date}T00:00")
    assert installation["activity"] == "RM.6.3"
    assert (installation["baseline_starts_at"], installation["actual_at"]) == (None, None)
    assert (installation["slippage_days"], installation["changes"]) == (None, [])


def test_each_party_plans_its_milestones(api, cast, make_release):
    release = make_release()
    day = release.planned_delivery_date + datetime.timedelta(days=3)
    created = api(cast.rm).post(path(release), body(day), format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["kind"] == "psat"
    assert created.json()["starts_at"].startswith(f"{day}T09:00:00")
    # the deployment coordinator: kick-off, tests, installation; not the delivery
    kickoff = body(day, 7, 8, kind="kickoff")
    assert api(cast.dc).post(path(release), kickoff, format="json").status_code == 201
    refused = api(cast.dc).post(path(release), body(day, kind="delivery"), format="json")
    assert refused.status_code == 403
    assert "RM.1.1" in refused.json()["detail"]
    # the campaign coordinator: the conformance testing, nothing else
    ct = body(release.planned_installation_date + datetime.timedelta(days=7), kind="conformance")
    assert api(cast.campaign).post(path(release), ct, format="json").status_code == 201
    sat = body(day, kind="sat")
    assert api(cast.campaign).post(path(release), sat, format="json").status_code == 403
    # a business thread reads the plan, plans nothing
    assert api(cast.cust).post(path(release), sat, format="json").status_code == 403
    plan = cast.ok(api(cast.cust).get(path(release)))
    assert [m["kind"] for m in plan] == [
        "delivery",
        "kickoff",
        "psat",
        "installation",
        "conformance",
    ]


def test_another_threads_release_is_404(client, api, make_release, make_user):
    release = make_release(threads=("a3-cust",))
    exc = make_user("exc", "DG TAXUD A3/Exc")
    client.force_login(exc)
    page = f"/releases/{release.identifier}/milestones/"
    assert client.get(page).status_code == 404
    assert client.post(page, body(release.planned_delivery_date)).status_code == 404
    other = api(exc)
    assert other.get(path(release)).status_code == 404
    day = release.planned_delivery_date
    assert other.post(path(release), body(day), format="json").status_code == 404
    assert other.get(f"/api/v1/releases/{release.identifier}/conflicts/").status_code == 404
    assert not release.milestones.filter(kind="psat").exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": "2027-03-05T08:00"}, "ends_at"),
        ({"kind": "party"}, "kind"),
        ({"starts_at": "3000-01-01T09:00"}, "starts_at"),
        ({"starts_at": "tomorrow"}, "starts_at"),
        ({"starts_at": 20270305}, "starts_at"),
    ],
)
def test_api_bad_input_names_the_field_and_saves_nothing(api, cast, make_release, change, field):
    release = make_release()
    response = api(cast.rm).post(
        path(release), body(datetime.date(2027, 3, 5)) | change, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not release.milestones.filter(kind="psat").exists()


def test_after_rm_1_4_a_replan_says_why_and_the_slippage_shows(api, cast, release_at):
    release = release_at("kickoff")  # RM.1.4 done (the baseline), RM.2.2 done
    client = api(cast.rm)
    later = release.planned_installation_date + datetime.timedelta(days=3)
    moved = body(later, 20, 23, kind="installation")
    refused = client.post(path(release), moved, format="json")
    assert refused.status_code == 400
    assert "reason" in refused.json()
    planned = client.post(path(release), moved | {"reason": "Servers late"}, format="json")
    assert planned.status_code == 201
    installation = planned.json()
    assert installation["slippage_days"] == 3
    assert installation["baseline_starts_at"].startswith(f"{release.planned_installation_date}")
    [change] = installation["changes"]
    assert (change["reason"], change["changed_by"]) == ("Servers late", cast.rm.username)
    release.refresh_from_db()
    assert release.planned_installation_date == later  # RM.1.1's date follows
    delivery = cast.ok(client.get(path(release)))[0]
    assert delivery["kind"] == "delivery"
    assert delivery["actual_at"] is not None  # RM.2.2 is done: the record's date
    assert delivery["activity"] == "RM.2.2"


def test_a_closed_or_cancelled_release_is_not_planned(api, cast, make_release):
    release = make_release()
    releases.fire_transition(release, "cancel", by=cast.rm, reason="Merged")
    response = api(cast.rm).post(path(release), body(release.planned_delivery_date), format="json")
    assert response.status_code == 409
    assert "cancelled" in response.json()["detail"]


def test_milestones_endpoint_queries_are_constant(api, cast, make_release):
    release = make_release()
    client = api(cast.cust)
    count(client, path(release))
    few = count(client, path(release))
    day = release.planned_delivery_date
    for hour, kind in enumerate(("kickoff", "psat", "sat", "conformance")):
        planning.plan_milestone(
            release, kind, by=cast.rm, starts_at=at(day, 8 + hour), ends_at=at(day, 9 + hour)
        )
    planning.take_baseline(release)
    for days in range(1, 6):
        planning.plan_milestone(
            release,
            "psat",
            by=cast.rm,
            starts_at=at(day + datetime.timedelta(days=days), 9),
            ends_at=at(day + datetime.timedelta(days=days), 10),
            reason=f"Moved {days}",
        )
    assert MilestoneChange.objects.count() == 5
    assert count(client, path(release)) == few
    assert len(client.get(path(release)).json()) == 6


# --- the pages ---------------------------------------------------------------------


def test_the_milestones_page_plans_for_those_who_may(client, cast, make_release):
    release = make_release()
    url = f"/releases/{release.identifier}/milestones/"
    client.force_login(cast.cust)
    page = client.get(url).content.decode()
    assert "Installation" in page
    assert 'name="starts_at"' not in page
    assert client.post(url, body(release.planned_delivery_date)).status_code == 403
    client.force_login(cast.dc)
    page = client.get(url).content.decode()
    assert "you may plan: Kick-off meeting, pSAT, SAT, Installation" in page
    day = release.planned_delivery_date + datetime.timedelta(days=2)
    response = client.post(url, body(day, 9, 12, reason=""))
    assert response.status_code == 302
    assert response["Location"] == url
    psat = release.milestones.get(kind="psat")
    assert timezone.localtime(psat.starts_at).hour == 9
    # the re-plan link fills the form with the milestone's window
    replanning = client.get(url, {"kind": "psat"}).content.decode()
    assert f'value="{day:%Y-%m-%d}T09:00"' in replanning


def test_the_milestones_page_keeps_bad_input_on_its_field(client, cast, make_release):
    release = make_release()
    url = f"/releases/{release.identifier}/milestones/"
    client.force_login(cast.rm)
    day = release.planned_delivery_date
    response = client.post(url, body(day, 9, 8, reason="Earlier slot"))
    assert response.status_code == 400
    assert "ends_at" in response.context["form"].errors
    page = response.content.decode()
    assert "Earlier slot" in page
    assert f'value="{day:%Y-%m-%d}T09:00"' in page
    assert not release.milestones.filter(kind="psat").exists()
    releases.fire_transition(release, "cancel", by=cast.rm, reason="Merged")
    response = client.post(url, body(day))
    assert response.status_code == 409
    assert "cancelled" in response.content.decode()


def test_the_release_page_shows_the_plan_in_fixed_queries(client, cast, release_at):
    release = release_at("receiving")
    url = f"/releases/{release.identifier}/"
    client.force_login(cast.rm)
    count(client, url)
    before = count(client, url)
    later = release.planned_installation_date + datetime.timedelta(days=2)
    for hour in (18, 19, 20):
        planning.plan_milestone(
            release,
            "installation",
            by=cast.rm,
            starts_at=at(later, hour),
            ends_at=at(later, hour + 2),
            reason=f"Slot {hour}",
        )
    planning.plan_milestone(
        release, "sat", by=cast.rm, starts_at=at(later, 8), ends_at=at(later, 9), reason="New"
    )
    assert count(client, url) == before
    page = client.get(url).content.decode()
    assert "2 days late" in page
    assert "Slot 20" in page
    assert "Plan a milestone" in page
    assert Milestone.objects.filter(release=release).count() == 3
