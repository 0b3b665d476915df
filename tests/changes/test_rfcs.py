"""The RfC lifecycle through its services: each step allowed for whom it belongs to and
refused (403) for the others, refused with what is missing (409) out of order, each
change type's path, the CAB's decision once (and one winner among concurrent ones)."""

import threading
from collections import Counter
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.utils import timezone

from changes import risk, services
from changes.models import CabDecision, CabMeeting, RfC, RfCNumber
from raci import deputies
from releasemgmt.audit.models import AuditEntry
from releasemgmt.errors import Conflict
from releasemgmt.notifications.models import Communication

from .conftest import LOW_RISK, complete, model, through_cab

pytestmark = pytest.mark.django_db


def test_a_reference_comes_from_the_sequence(requester):
    a = services.raise_rfc(by=requester, title="One")
    b = services.raise_rfc(by=requester, title="Two")
    assert a.reference == f"RFC-{RfCNumber.objects.order_by('id').first().pk:06d}"
    assert int(b.reference[4:]) == int(a.reference[4:]) + 1
    assert (a.status, a.change_model.change_type, a.requester) == ("draft", "normal", requester)


def test_a_draft_is_submitted_when_it_says_what_the_cab_needs(requester, change_manager):
    rfc = services.raise_rfc(by=requester, title="Too short")
    with pytest.raises(Conflict) as refused:
        services.fire(rfc, "submit", by=requester)
    assert refused.value.missing == [
        "a description of the change",
        "the reason for it",
        "the applications it affects",
        "its planned start and end",
        "a remediation plan (the back-out, or why none is possible)",
    ]
    assert RfC.objects.get(pk=rfc.pk).status == "draft"


def test_the_normal_path_to_authorised(draft, change_manager, members):
    rfc, meeting = through_cab(draft(), by=change_manager, members=members)
    assert rfc.status == "authorised"
    assert rfc.authorised_at is not None
    assert rfc.risk_level == "low"
    actions = list(
        AuditEntry.objects.filter(object_type="changes.rfc", object_id=str(rfc.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [
        "rfc_raised",
        "rfc_submit",
        "rfc_revised",
        "rfc_assess",
        "rfc_send_to_cab",
        "cab_advice",
        "cab_advice",
        "cab_decision",
    ]
    told = Communication.objects.filter(subject__startswith=f"[{rfc.reference}]")
    assert {c.subject.split("] ")[1].split(":")[0] for c in told} == {
        "Normal change submitted",
        "Authorised by the change authority",
    }


def test_the_requester_submits_but_does_not_assess(draft, requester):
    rfc = services.fire(draft(), "submit", by=requester)
    with pytest.raises(PermissionDenied, match="Change Manager"):
        services.fire(rfc, "assess", by=requester)


def test_assessment_needs_every_risk_answer(draft, requester, change_manager):
    rfc = services.fire(draft(), "submit", by=requester)
    with pytest.raises(Conflict) as refused:
        services.fire(rfc, "assess", by=change_manager)
    assert len(refused.value.missing) == len(risk.QUESTIONS)
    services.revise_rfc(rfc, by=change_manager, risk_answers={**LOW_RISK, "backout": "no"})
    rfc = services.fire(rfc, "assess", by=change_manager)
    assert rfc.risk_level == "medium"  # an irreversible change is riskier


def test_risk_and_priority_come_from_one_rule():
    worst = {q.key: q.answers[-1][0] for q in risk.QUESTIONS}
    assert risk.risk_level(LOW_RISK) == "low"
    assert risk.risk_level(worst) == "high"
    assert risk.priority("high", "high") == "1"
    assert risk.priority("low", "low") == "4"
    with pytest.raises(ValueError, match="no risk question"):
        risk.clean_answers({"nonsense": "x"})


def test_a_normal_change_respects_its_lead_time(requester, application):
    rfc = services.raise_rfc(by=requester, title="Soon", **complete(application, days=1))
    with pytest.raises(Conflict, match="5 days' notice"):
        services.fire(rfc, "submit", by=requester)


def test_a_standard_change_is_authorised_by_its_model(requester, application):
    rfc = services.raise_rfc(
        by=requester,
        title="Rotate certificates",
        change_type="standard",
        **complete(application, days=3),
    )
    rfc = services.fire(rfc, "submit", by=requester)
    assert rfc.status == "authorised"
    assert AuditEntry.objects.filter(action="rfc_pre_authorised", object_id=str(rfc.pk)).exists()
    assert not rfc.cab_decisions.exists()


def test_an_emergency_change_goes_to_the_ecab_unassessed(
    requester, application, change_manager, members
):
    rfc = services.raise_rfc(
        by=requester, title="Hotfix", change_type="emergency", **complete(application, days=0)
    )
    rfc, meeting = through_cab(rfc, by=change_manager, members=members, kind=CabMeeting.Kind.ECAB)
    assert rfc.status == "authorised"
    assert services.quorum(meeting) == 1  # the emergency CAB's smaller quorum
    rfc = services.fire(rfc, "implement", by=change_manager)
    with pytest.raises(Conflict, match="post-implementation review"):
        services.fire(rfc, "close", by=change_manager)
    services.record_review(rfc, by=change_manager, objective_met=True, lessons="Test earlier.")
    rfc = services.fire(RfC.objects.get(pk=rfc.pk), "close", by=change_manager)
    assert rfc.status == "closed"


def test_an_emergency_change_may_be_documented_afterwards(requester, application, change_manager):
    rfc = services.raise_rfc(by=requester, title="Made at 3 am", change_type="emergency")
    with pytest.raises(ValidationError):
        services.fire(rfc, "implement_retrospectively", by=change_manager)
    rfc = services.fire(
        rfc, "implement_retrospectively", by=change_manager, reason="Outage at 3 am"
    )
    assert (rfc.status, rfc.retrospective, rfc.review_required) == ("implemented", True, True)


def test_a_normal_change_is_not_sent_to_the_cab_unassessed(draft, requester, change_manager):
    rfc = services.fire(draft(), "submit", by=requester)
    with pytest.raises(Conflict, match="assessment first"):
        services.fire(rfc, "send_to_cab", by=change_manager)


def test_the_decision_needs_the_quorum(draft, change_manager, members):
    rfc = services.fire(draft(), "submit", by=change_manager)
    services.revise_rfc(rfc, by=change_manager, risk_answers=LOW_RISK)
    services.fire(rfc, "assess", by=change_manager)
    services.fire(rfc, "send_to_cab", by=change_manager)
    meeting = services.plan_meeting(
        by=change_manager,
        kind="cab",
        title="CAB",
        starts_at=timezone.now(),
        members=members,
    )
    services.build_agenda(meeting, by=change_manager)
    services.give_advice(meeting, by=members[0], rfc=rfc, verdict="approve")
    with pytest.raises(Conflict) as refused:
        services.record_cab_decision(meeting, by=change_manager, rfc=rfc, outcome="authorised")
    assert refused.value.missing == ["the advice of 1 more member(s) (quorum 2)"]
    with pytest.raises(Conflict, match="given once"):
        services.give_advice(meeting, by=members[0], rfc=rfc, verdict="reject")
    with pytest.raises(PermissionDenied):
        services.give_advice(meeting, by=change_manager, rfc=rfc, verdict="approve")


def test_a_decision_is_recorded_once_and_a_reassessment_is_its_own_event(
    draft, change_manager, members
):
    rfc, meeting = through_cab(draft(), by=change_manager, members=members, outcome="rejected")
    assert rfc.status == "rejected"
    with pytest.raises(Conflict, match="recorded once"):
        services.record_cab_decision(meeting, by=change_manager, rfc=rfc, outcome="authorised")
    with pytest.raises(ValidationError):
        services.fire(rfc, "reassess", by=change_manager)  # a reason is needed
    rfc = services.fire(rfc, "reassess", by=change_manager, reason="New test evidence")
    rfc, _ = through_cab(rfc, by=change_manager, members=members)
    assert rfc.status == "authorised"
    assert list(CabDecision.objects.filter(rfc=rfc).values_list("outcome", flat=True)) == [
        "rejected",
        "authorised",
    ]


def test_the_requester_withdraws_and_the_change_manager_cancels(draft, requester, change_manager):
    mine = draft()
    with pytest.raises(PermissionDenied):
        services.fire(mine, "withdraw", by=change_manager, reason="x")
    assert services.fire(mine, "withdraw", by=requester, reason="Not needed").status == "withdrawn"
    other = draft()
    with pytest.raises(PermissionDenied):
        services.fire(other, "cancel", by=requester, reason="x")
    assert services.fire(other, "cancel", by=change_manager, reason="Dup").status == "cancelled"
    with pytest.raises(Conflict, match="not possible from there"):
        services.fire(other, "submit", by=requester)


def test_a_decided_request_is_not_edited(draft, change_manager, members):
    rfc, _ = through_cab(draft(), by=change_manager, members=members)
    with pytest.raises(Conflict, match="before the CAB hears it"):
        services.revise_rfc(rfc, by=change_manager, title="Changed after the fact")


def test_the_field_checks_name_the_field(requester, application):
    start = timezone.now()
    with pytest.raises(ValidationError) as refused:
        services.raise_rfc(
            by=requester,
            title="x",
            planned_start=start,
            planned_end=start - timedelta(hours=1),
            outage_start=start,
            change_type="standard",
            change_model=model("normal"),
        )
    assert set(refused.value.message_dict) == {"planned_end", "outage_end", "change_model"}
    assert not RfC.objects.exists()


def test_a_business_thread_raises_but_a_developer_does_not(make_user):
    thread_user = make_user("tess", "DG TAXUD A3/Cust")
    assert services.raise_rfc(by=thread_user, title="From the business").requester == thread_user
    developer = make_user("dev", "3rd Party Developers")
    with pytest.raises(PermissionDenied):
        services.raise_rfc(by=developer, title="Not here")


@pytest.mark.django_db(transaction=True)
def test_thirty_concurrent_cab_decisions_one_wins(make_user, application):
    """Row locks on PostgreSQL; SQLite's single writer on the embedded default."""
    chris = make_user("chris", "ITSM Change Manager")
    member = make_user("ivan", "ITSM Infrastructure Manager")
    rfc = services.raise_rfc(
        by=chris, title="x", change_type="emergency", **complete(application, days=0)
    )
    services.fire(rfc, "submit", by=chris)
    services.fire(rfc, "send_to_cab", by=chris)
    meeting = services.plan_meeting(
        by=chris, kind="ecab", title="ECAB", starts_at=timezone.now(), members=[member]
    )
    services.build_agenda(meeting, by=chris)
    services.give_advice(meeting, by=member, rfc=rfc, verdict="approve")
    barrier = threading.Barrier(30)
    outcomes = []

    def decide(outcome):
        try:
            barrier.wait(timeout=60)
            services.record_cab_decision(meeting, by=chris, rfc=rfc, outcome=outcome)
            outcomes.append("won")
        except Conflict:
            outcomes.append("409")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=("authorised" if i % 2 else "rejected",))
        for i in range(30)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert Counter(outcomes) == {"won": 1, "409": 29}
    assert CabDecision.objects.count() == 1
    assert AuditEntry.objects.filter(action="cab_decision").count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_share_a_reference(make_user):
    rachel = make_user("rachel", "ITSM Application Manager")
    barrier = threading.Barrier(20)
    references = []

    def raise_one(i):
        try:
            barrier.wait(timeout=60)
            references.append(services.raise_rfc(by=rachel, title=f"Change {i}").reference)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=raise_one, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(set(references)) == 20


def test_a_change_manager_s_deputy_gets_a_copy_of_the_rfc_mails(
    draft, requester, change_manager, make_user
):
    """Issue 16: while a deputy stands in, the mails to the principal reach the deputy
    too, the change management ones as the release ones."""
    stand_in = make_user("dora")
    today = timezone.localdate()
    deputies.name_deputy(by=change_manager, deputy=stand_in, starts=today, ends=today)
    rfc = services.fire(draft(), "submit", by=requester)
    told = Communication.objects.get(subject__startswith=f"[{rfc.reference}]")
    assert {change_manager.username, "dora"} <= {r.user.username for r in told.recipients.all()}
