"""The dated plan of a release: RM.1.1's dates as milestones by the day, windows planned
to the hour by whom the activity belongs to, the baseline of RM.1.4 and every re-plan
after it with its reason; RM.1.1's dates follow the delivery and installation windows."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from releases import planning
from releases import services as releases
from releases.models import Milestone, MilestoneChange
from releases.signals import installation_date_moved

pytestmark = pytest.mark.django_db


def at(day, hour):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def window(release, kind):
    m = release.milestones.get(kind=kind)
    return timezone.localtime(m.starts_at), timezone.localtime(m.ends_at), m.all_day


def test_rm_1_1_dates_are_the_delivery_and_installation_milestones(make_release):
    release = make_release()
    start, end, all_day = window(release, "installation")
    assert (start.date(), start.hour, end - start, all_day) == (
        release.planned_installation_date,
        0,
        datetime.timedelta(days=1),
        True,
    )
    assert set(release.milestones.values_list("kind", flat=True)) == {"delivery", "installation"}


def test_a_revised_date_moves_its_milestone_and_keeps_the_replan(make_release, release_manager):
    release = make_release()
    moved = release.planned_installation_date + datetime.timedelta(days=3)
    releases.revise_planning(release, by=release_manager, planned_installation_date=moved)
    assert window(release, "installation")[0].date() == moved
    change = MilestoneChange.objects.get()
    assert (change.changed_by, timezone.localtime(change.starts_after).date()) == (
        release_manager,
        moved,
    )


def test_an_installation_window_to_the_hour_moves_the_date(make_release, release_manager):
    release = make_release()
    day = release.planned_installation_date + datetime.timedelta(days=2)
    heard = []

    def listen(sender, release, before, by, **kwargs):
        heard.append(before)

    installation_date_moved.connect(listen)
    try:
        planning.plan_milestone(
            release, "installation", by=release_manager, starts_at=at(day, 20), ends_at=at(day, 23)
        )
    finally:
        installation_date_moved.disconnect(listen)
    release.refresh_from_db()
    assert release.planned_installation_date == day
    assert window(release, "installation")[2] is False
    assert len(heard) == 1
    # the same hours follow a later revision of the date
    later = day + datetime.timedelta(days=1)
    releases.revise_planning(release, by=release_manager, planned_installation_date=later)
    start, end, _ = window(release, "installation")
    assert (start.date(), start.hour, end.hour) == (later, 20, 23)


def test_after_rm_1_4_a_replan_says_why(make_release, release_manager):
    release = make_release()
    day = release.planned_delivery_date
    planning.plan_milestone(
        release, "psat", by=release_manager, starts_at=at(day, 9), ends_at=at(day, 17)
    )
    assert planning.take_baseline(release) == 3
    with pytest.raises(ValidationError, match="say why"):
        planning.plan_milestone(
            release, "psat", by=release_manager, starts_at=at(day, 10), ends_at=at(day, 17)
        )
    planning.plan_milestone(
        release,
        "psat",
        by=release_manager,
        starts_at=at(day, 10),
        ends_at=at(day, 17),
        reason="Test data late",
    )
    psat = release.milestones.get(kind="psat")
    assert timezone.localtime(psat.baseline_starts_at).hour == 9
    assert MilestoneChange.objects.get(milestone=psat).reason == "Test data late"


def test_who_plans_and_what_is_refused(make_release, make_user, release_manager):
    release = make_release()
    day = release.planned_delivery_date
    outsider = make_user("tess", "DG TAXUD A3/Cust")
    with pytest.raises(PermissionDenied):
        planning.plan_milestone(
            release, "sat", by=outsider, starts_at=at(day, 9), ends_at=at(day, 10)
        )
    naive = datetime.datetime(2027, 3, 1, 9)  # noqa: DTZ001
    cases = [
        ({"starts_at": naive}, "starts_at"),
        ({"ends_at": at(day, 8)}, "ends_at"),
        ({"kind": "party"}, "kind"),
    ]
    for values, field in cases:
        args = {"kind": "sat", "starts_at": at(day, 9), "ends_at": at(day, 10)} | values
        kind = args.pop("kind")
        with pytest.raises(ValidationError) as refused:
            planning.plan_milestone(release, kind, by=release_manager, **args)
        assert field in refused.value.message_dict
    before = release.planned_delivery_date - datetime.timedelta(days=1)
    with pytest.raises(ValidationError, match="after the delivery"):
        planning.plan_milestone(
            release,
            "installation",
            by=release_manager,
            starts_at=at(before, 9),
            ends_at=at(before, 10),
        )
    assert not Milestone.objects.filter(kind="sat").exists()


def test_rm_1_4_takes_the_baseline(release_at):
    release = release_at("receiving")
    assert not release.milestones.filter(baseline_starts_at__isnull=True).exists()
    assert release.milestones.count() == 2
