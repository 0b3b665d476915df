"""Due dates of what is owed (issue 16 point 3): derived from the release plan and the
application's policy, per activity and per business thread's decision."""

import datetime

from django.utils import timezone

from deployments.selectors import owed_decisions
from releases import planning
from releases import policy as release_policy
from releases.due_dates import (
    activity_due,
    add_working_days,
    due_policy,
    lateness,
    milestones_of,
    with_due_dates,
)
from releases.selectors import waiting_for
from tests.lifecycle import upload

D = datetime.date


def test_working_days_skip_the_weekend():
    friday = D(2027, 3, 5)
    assert add_working_days(friday, 0) == friday
    assert add_working_days(friday, 1) == D(2027, 3, 8)
    assert add_working_days(D(2027, 3, 6), 0) == D(2027, 3, 8)  # a Saturday: Monday
    assert add_working_days(D(2027, 3, 3), 3) == D(2027, 3, 8)


def test_lateness_words():
    today = D(2027, 3, 5)
    assert lateness(D(2027, 3, 4), today) == "late"
    assert lateness(today, today) == "today"
    assert lateness(D(2027, 3, 6), today) == ""
    assert lateness(None, today) == ""


def test_activity_rules_follow_the_plan_and_the_policy(make_release, release_manager):
    """Delivered 1 March 2027, installed 15 March 2027 (a Monday)."""
    release = make_release()
    milestones = milestones_of([release.pk])[release.pk]
    site = due_policy(None)

    def due(code, policy=site):
        return activity_due(release, code, milestones, policy)

    assert due("RM.1.3") == D(2027, 3, 1)  # the plan is published before the delivery
    assert due("RM.2.2") == D(2027, 3, 1)  # the delivery itself
    assert due("RM.3.3") == D(2027, 3, 15)  # no pSAT planned: the installation stands in
    assert due("RM.5.1") == D(2027, 3, 13)  # two days before the installation
    assert due("RM.6.2") == D(2027, 3, 15)
    assert due("RM.6.5") == D(2027, 3, 17)  # two working days after it
    assert due("RM.7.1") == D(2027, 3, 17)

    # The application's policy overrides the site's default.
    release_policy.save_policy(
        release.application,
        by=release_manager,
        authorisation_lead_days=5,
        after_installation_days=4,
    )
    own = due_policy(release.application.policy)
    assert due("RM.5.2", own) == D(2027, 3, 10)
    assert due("RM.7.1", own) == D(2027, 3, 19)

    # A re-plan moves the due dates with it: a pSAT planned to end on 9 March.
    start = datetime.datetime(2027, 3, 8, 9, tzinfo=timezone.get_current_timezone())
    planning.plan_milestone(
        release,
        "psat",
        by=release_manager,
        starts_at=start,
        ends_at=start + datetime.timedelta(days=1, hours=8),
    )
    milestones = milestones_of([release.pk])[release.pk]
    assert due("RM.3.3") == D(2027, 3, 8)  # the test environment before pSAT starts
    assert due("RM.4.1") == D(2027, 3, 12)  # three working days to decide after it


def test_the_start_page_records_carry_their_due_date_in_two_queries(
    make_release, release_manager, django_assert_num_queries
):
    make_release(planned_delivery_date=D(2027, 6, 1), planned_installation_date=D(2027, 6, 20))
    make_release()  # the second of the test: delivered on 8 March 2027
    records = list(waiting_for(release_manager))
    with django_assert_num_queries(2):
        dated = with_due_dates(records, today=D(2027, 3, 9))
    assert [r.due_date for r in dated] == sorted(r.due_date for r in dated)
    assert dated[0].lateness == "late"  # due 8 March
    assert dated[-1].lateness == ""


def test_a_thread_has_the_policy_s_working_days_to_decide_after_the_report(
    cast, release_at, release_manager
):
    release = release_at("acceptance")
    report = {"kind": "psat", "file": upload("psat.pdf")}
    cast.ok(cast.act(cast.dc, release, "submit-test-report", report), 201)
    [owed] = owed_decisions(cast.cust)
    assert owed["kind"] == "psat"
    assert owed["due_date"] == add_working_days(timezone.localdate(), 3)
    assert owed["lateness"] == ""

    release_policy.save_policy(release.application, by=release_manager, decision_days=0)
    [owed] = owed_decisions(cast.cust)
    assert owed["due_date"] == add_working_days(timezone.localdate(), 0)
