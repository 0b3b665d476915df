"""The review of the last completed quarter's KPIs (seed 002 section 6: "KPIs are
reviewed quarterly to decide improvement actions"), as the release manager recorded it
in the first days of this quarter: two decisions and one improvement action."""

import datetime

from django.utils import timezone

from kpis import periods, services
from kpis.models import QuarterlyReview

DECISIONS = (
    "1. Every plan is baselined at RM.1.4 before its installation date is announced, so "
    "that late go-lives are counted against the date the threads were given.\n"
    "2. A release rolled back is reviewed within two weeks of its rollback, its lessons "
    "read at the next quarterly review."
)


def load(users) -> bool:
    """The review of the quarter before this one; nothing when it is recorded already."""
    today = timezone.localdate()
    quarter = periods.quarter_of(today).previous()
    if QuarterlyReview.objects.filter(quarter_start=quarter.start).exists():
        return False
    held_on = min(today, quarter.end + datetime.timedelta(days=10))
    rm = users["release-manager"]
    services.record_quarterly_review(
        quarter,
        by=rm,
        held_on=held_on,
        participants=[rm, users["deployment-coordinator"], users["service-desk"]],
        summary=(
            "Late go-lives and the rollback of the quarter come from plans moved after "
            "their announcement; the lessons learned point at migrations not rehearsed."
        ),
        decisions=DECISIONS,
        action_title="Add the RM.1.4 baseline to the planning checklist",
        action_owner=users["deployment-coordinator"],
        action_due_date=held_on + datetime.timedelta(days=45),
    )
    return True
