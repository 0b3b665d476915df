"""The conflict rules of an installation, each alone, and RM.1.4's gate: a release with
a conflict is published once the release manager acknowledged it with a reason, and the
change manager hears of it."""

import datetime

import pytest
from django.utils import timezone

from changes.models import RfC
from deployments import conflicts
from raci.models import Party
from releasemgmt.notifications.models import Communication
from releases import planning
from releases.models import Application
from tests.lifecycle import PLAN

pytestmark = pytest.mark.django_db
INSTALL = datetime.date(2027, 3, 15)  # a Monday: a test's first release installs then
SAME = {"planned_delivery_date": datetime.date(2027, 3, 1), "planned_installation_date": INSTALL}


def at(day, hour, minute=0):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def rules(release):
    return [f.rule for f in conflicts.conflicts_of(release)]


def window(by, **values):
    base = {"kind": "blackout", "title": "Freeze", "starts_at": at(INSTALL, 0)}
    base["ends_at"] = base["starts_at"] + datetime.timedelta(days=2)
    return planning.save_window(by=by, **(base | values))


def test_no_conflict_alone(make_release):
    assert rules(make_release()) == []


def test_two_releases_of_one_application(make_release):
    first, second = make_release(), make_release(**SAME)
    # the same coordinator installs both, too
    assert rules(first) == rules(second) == ["same_application", "coordinator"]
    assert second.identifier in conflicts.conflicts_of(first)[0].message


def test_a_blackout_global_of_the_application_or_of_a_thread(make_release, release_manager):
    release = make_release(threads=("a3-cust",))
    other_thread = Party.objects.get(slug="a3-exc")
    window(release_manager, business_thread=other_thread)
    assert rules(release) == []
    window(release_manager, title="Year-end freeze", reason="Closing of accounts")
    found = conflicts.conflicts_of(release)
    assert [f.rule for f in found] == ["blackout"]
    assert "Year-end freeze" in found[0].message
    assert "Closing of accounts" in found[0].message
    ncts = Application.objects.create(code="ncts", name="NCTS")
    window(release_manager, application=ncts)
    assert rules(release) == ["blackout"]  # another application's freeze is not this one's


def test_an_installation_outside_the_maintenance_windows(make_release, release_manager):
    release = make_release()
    saturday = INSTALL - datetime.timedelta(days=2)
    planning.save_window(
        by=release_manager,
        kind="maintenance",
        title="Saturday evening",
        starts_at=at(saturday - datetime.timedelta(weeks=4), 20),
        ends_at=at(saturday - datetime.timedelta(weeks=4), 23, 59),
        repeats_weekly=True,
        application=release.application,
    )
    assert rules(release) == ["maintenance"]  # a whole Monday
    planning.plan_milestone(
        release,
        "installation",
        by=release_manager,
        starts_at=at(saturday, 20),
        ends_at=at(saturday, 23),
    )
    release.refresh_from_db()
    assert rules(release) == []


def test_the_coordinator_booked_twice(make_release):
    ncts = Application.objects.create(code="ncts", name="NCTS")
    first = make_release()
    second = make_release(application=ncts, **SAME)
    assert rules(first) == ["coordinator"]
    assert rules(second) == ["coordinator"]


def test_an_authorised_change_on_the_application(make_release, release_manager):
    release = make_release()
    rfc = RfC.objects.create(
        reference="RFC-X1",
        title="Database upgrade",
        requester=release_manager,
        status=RfC.Status.AUTHORISED,
        planned_start=at(INSTALL, 1),
        planned_end=at(INSTALL, 3),
    )
    assert rules(release) == []  # not on this application
    rfc.applications.add(release.application)
    found = conflicts.conflicts_of(release)
    assert [f.key for f in found] == ["change:RFC-X1"]


def test_publishing_waits_for_each_conflict_to_be_acknowledged(cast, make_release, make_user):
    chris = make_user("chris", "ITSM Change Manager")
    ncts = Application.objects.create(code="ncts", name="NCTS")
    release, _ = make_release(), make_release(application=ncts, **SAME)
    cast.ok(cast.perform(cast.rm, release, "RM.1.3", PLAN))
    refused = cast.perform(cast.rm, release, "RM.1.4")
    assert refused.status_code == 409
    assert refused.json()["missing"][0].endswith("2027-03-15 00:00 to 2027-03-16 00:00.")
    key = conflicts.conflicts_of(release)[0].key
    assert key.startswith("coordinator:")
    no_reason = cast.act(cast.rm, release, "acknowledge-conflict", {"key": key, "reason": " "})
    assert no_reason.status_code == 400
    assert "reason" in no_reason.json()
    assert cast.act(cast.cust, release, "acknowledge-conflict", {"key": key}).status_code == 403
    body = {"key": key, "reason": "Different servers"}
    cast.ok(cast.act(cast.rm, release, "acknowledge-conflict", body), 201)
    again = cast.act(cast.rm, release, "acknowledge-conflict", body)
    assert again.status_code == 409
    cast.ok(cast.perform(cast.rm, release, "RM.1.4"))
    mail = Communication.objects.get(release=release, interface="Release Plan")
    assert "Different servers" in mail.body
    assert chris in [r.user for r in mail.recipients.all()]
