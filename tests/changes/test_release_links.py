"""Change management and the release lifecycle: RM.1.1 includes authorised RfCs only and
schedules them; RM.2.1's complementary RfC enters its own lifecycle; RM.6.7 implements
the RfCs through their transition; the change manager and each requester hear when a
release carrying their RfC is cancelled, sent back by a NOGO, rolled back or moved, and
a cancelled release's RfCs are free again."""

import datetime

import pytest

from changes import services
from changes.models import RfC
from releasemgmt.audit.models import AuditEntry
from releasemgmt.notifications.models import Communication
from releases import services as releases
from tests.lifecycle import install, upload, walk_to

from .conftest import through_cab

pytestmark = pytest.mark.django_db


def told(release, words):
    """The users told of a release event whose subject says ``words``."""
    comms = Communication.objects.filter(release=release, subject__contains=words)
    return {r.user.username for c in comms for r in c.recipients.all()}


@pytest.fixture
def authorised(draft, change_manager, members):
    def make(title="Export rules"):
        rfc, _ = through_cab(draft(title), by=change_manager, members=members)
        return rfc

    return make


def test_rm_1_1_includes_authorised_rfcs_only(cast, make_release, draft, requester):
    release = make_release()
    submitted = services.fire(draft(), "submit", by=requester)
    response = cast.act(cast.rm, release, "include-rfc", {"rfc": submitted.reference}, False)
    assert response.status_code == 400
    assert "authorised RfCs only" in response.json()["rfc"][0]
    submitted.refresh_from_db()
    assert (submitted.status, submitted.release) == ("submitted", None)


def test_an_included_rfc_is_scheduled(cast, make_release, authorised):
    release, rfc = make_release(), authorised()
    cast.ok(cast.act(cast.rm, release, "include-rfc", {"rfc": rfc.reference}, False), 201)
    rfc.refresh_from_db()
    assert (rfc.status, rfc.release) == ("scheduled", release)


def test_a_cancelled_release_frees_its_rfcs_and_says_so(
    cast, make_release, authorised, change_manager, requester
):
    release, rfc = make_release(), authorised()
    services.include_rfc(release, by=cast.rm, rfc=rfc)
    releases.fire_transition(release, "cancel", by=cast.rm, reason="Merged into 2.0")
    rfc.refresh_from_db()
    assert (rfc.status, rfc.release) == ("authorised", None)
    assert told(release, "was cancelled") == {change_manager.username, requester.username}
    other = make_release()
    services.include_rfc(other, by=cast.rm, rfc=rfc)  # the stuck RfC is free again
    assert RfC.objects.get(pk=rfc.pk).release == other


def test_a_nogo_tells_the_change_manager(cast, release_at, change_manager, approved_rfc):
    release = release_at("acceptance")
    report = {"kind": "psat", "file": upload("psat.pdf")}
    cast.ok(cast.act(cast.dc, release, "submit-test-report", report), 201)
    cast.ok(
        cast.decide(cast.cust, release, "psat", verdict="nogo", consequence="corrected_delivery"),
        201,
    )
    assert told(release, "sent back by a NOGO") == {change_manager.username, "rita"}
    assert RfC.objects.get(pk=approved_rfc.pk).status == "scheduled"  # still carried


def test_a_rollback_counts_as_a_failed_attempt(cast, release_at, change_manager, approved_rfc):
    release = release_at("installation")
    install(cast, release, successful=False)
    cast.ok(cast.decide(cast.cust, release, "rollback"), 201)
    cast.ok(cast.perform(cast.dc, release, "RM.6.4"))
    rfc = RfC.objects.get(pk=approved_rfc.pk)
    assert (rfc.status, rfc.failed_attempts, rfc.review_required) == ("scheduled", 1, True)
    assert change_manager.username in told(release, "was rolled back")


def test_a_moved_installation_date_tells_the_change_manager(
    cast, make_release, authorised, change_manager
):
    release, rfc = make_release(), authorised()
    services.include_rfc(release, by=cast.rm, rfc=rfc)
    moved = release.planned_installation_date + datetime.timedelta(days=7)
    releases.revise_planning(release, by=cast.rm, planned_installation_date=moved)
    assert change_manager.username in told(release, "was rescheduled")
    releases.revise_planning(release, by=cast.rm, name="Same date, new name")
    assert Communication.objects.filter(subject__contains="rescheduled").count() == 1


def test_the_complementary_rfc_enters_its_own_lifecycle(
    cast, release_at, make_release, change_manager, members
):
    first = release_at("receiving")
    data = {
        "plan_completed": True,
        "documents_present": True,
        "missing": "A COTS licence",
        "complementary_rfc_title": "COTS licence",
    }
    cast.ok(cast.perform(cast.dc, first, "RM.2.1", data))
    other = services.raise_complementary_rfc(make_release(), by=cast.dc, title="More storage")
    raised = [RfC.objects.get(raised_at=first), other]
    assert len({r.reference for r in raised}) == 2  # from the sequence, never a count
    rfc = raised[0]
    assert (rfc.status, rfc.release, rfc.complementary) == ("submitted", first, True)
    assert services.without_cab_approval(first) == [rfc.reference]
    rfc, _ = through_cab(rfc, by=change_manager, members=members)
    assert (rfc.status, rfc.release) == ("scheduled", first)  # authorised, in its release
    assert services.without_cab_approval(first) == []


def test_closure_implements_the_rfcs_through_their_transition(cast, release_at, approved_rfc):
    release = release_at("installation")
    install(cast, release, successful=True)
    walk_rest = {"configuration_manager_informed": True, "deployment_plan_updated": True}
    cast.ok(cast.perform(cast.dc, release, "RM.6.5"))
    cast.ok(cast.perform(cast.dc, release, "RM.6.6", {"message": "Done"}))
    cast.ok(cast.perform(cast.rm, release, "RM.6.7", walk_rest))
    rfc = RfC.objects.get(pk=approved_rfc.pk)
    assert (rfc.status, rfc.implemented_at is not None) == ("implemented", True)
    assert AuditEntry.objects.filter(action="rfc_implement", object_id=str(rfc.pk)).exists()


def test_walk_helper_reaches_kickoff(cast, release_at):
    """The walk used above passes RM.2.1 with an authorised (scheduled) RfC."""
    release = release_at("planning")
    walk_to(cast, release, "kickoff")
    release.refresh_from_db()
    assert release.stage == "kickoff"


def test_a_rejected_complementary_rfc_leaves_its_release(
    cast, make_release, change_manager, members
):
    release = make_release()
    rfc = services.raise_complementary_rfc(release, by=cast.dc, title="More storage")
    rfc, _ = through_cab(rfc, by=change_manager, members=members, outcome="rejected")
    assert (rfc.status, rfc.release, rfc.raised_at) == ("rejected", None, release)
    assert services.without_cab_approval(release) == []


def test_an_rfc_is_taken_out_until_rm_2_1(cast, release_at, make_release, approved_rfc):
    release = release_at("planning")
    cast.ok(cast.act(cast.rm, release, "exclude-rfc", {"rfc": approved_rfc.reference}, False), 201)
    rfc = RfC.objects.get(pk=approved_rfc.pk)
    assert (rfc.status, rfc.release) == ("authorised", None)
    again = cast.act(cast.rm, release, "exclude-rfc", {"rfc": approved_rfc.reference}, False)
    assert again.status_code == 400
    assert "is not in" in again.json()["rfc"][0]
    assert cast.act(cast.cust, release, "exclude-rfc", {"rfc": "RFC-100"}, False).status_code == 403
