"""People and requests of change management, shared by its service, page and API
tests: a request ready to submit, and the steps that take it through the CAB."""

from datetime import timedelta

import pytest
from django.utils import timezone

from changes import services
from changes.models import CabMeeting, ChangeModel

#: answers that give a low risk
LOW_RISK = {
    "done_before": "often",
    "tested": "fully",
    "backout": "tested",
    "outage": "none",
    "reach": "one",
}


@pytest.fixture
def change_manager(make_user):
    return make_user("chris", "ITSM Change Manager", first_name="Chris", last_name="Change")


@pytest.fixture
def requester(make_user):
    return make_user("rachel", "ITSM Application Manager", first_name="Rachel")


@pytest.fixture
def members(make_user):
    return [
        make_user("ivan", "ITSM Infrastructure Manager"),
        make_user("carl", "ITSM Configuration Manager"),
        make_user("sam", "ITSM Service Desk"),
    ]


def complete(application, *, days=10, **extra) -> dict:
    """What a request needs to be submitted, planned ``days`` from now."""
    start = timezone.now() + timedelta(days=days)
    return {
        "description": "Add the new customs codes to the export declaration.",
        "reason": "Regulation 2026/123 applies from January.",
        "applications": [application],
        "planned_start": start,
        "planned_end": start + timedelta(hours=4),
        "backout_plan": "Restore the previous version from the DSL.",
        "backout_trigger": "Smoke tests fail after installation.",
        **extra,
    }


@pytest.fixture
def draft(requester, application):
    def make(title="New customs codes", **extra):
        return services.raise_rfc(by=requester, title=title, **complete(application, **extra))

    return make


def through_cab(rfc, *, by, members, outcome="authorised", kind=CabMeeting.Kind.CAB):
    """Submit, assess, send to a CAB, advise (a quorum) and decide: the normal path."""
    if rfc.status == "draft":
        rfc = services.fire(rfc, "submit", by=by)
    if rfc.status == "submitted" and kind == CabMeeting.Kind.CAB:
        rfc = services.revise_rfc(rfc, by=by, risk_answers=LOW_RISK)
        rfc = services.fire(rfc, "assess", by=by)
    rfc = services.fire(rfc, "send_to_cab", by=by)
    meeting = services.plan_meeting(
        by=by,
        kind=kind,
        title="Weekly CAB",
        starts_at=timezone.now() + timedelta(hours=2),
        members=members,
    )
    services.put_on_agenda(meeting, by=by, rfcs=[rfc])
    for member in members[: services.quorum(meeting)]:
        services.give_advice(meeting, by=member, rfc=rfc, verdict="approve")
    services.record_cab_decision(meeting, by=by, rfc=rfc, outcome=outcome)
    rfc.refresh_from_db()
    return rfc, meeting


def model(change_type) -> ChangeModel:
    return ChangeModel.objects.get(change_type=change_type)
