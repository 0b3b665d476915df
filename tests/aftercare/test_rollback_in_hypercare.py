"""A rollback during hypercare (issue 14 point 4; seed 002 section 5: the run team "may
trigger the rollback plan if needed"): after a successful installation RM.6.4 does not
apply, until the deployment coordinator triggers it from hypercare; it then follows RM.6.4
as after a failed installation, and the post-release review becomes owed."""

from aftercare.models import Hypercare
from deployments.models import NotificationRequest
from releasemgmt.audit.models import AuditEntry
from releasemgmt.notifications.models import Communication
from releases.models import ActivityRecord

from .test_hypercare import hypercare_url, record


def rm_6_4(release):
    return ActivityRecord.objects.get(release=release, activity__code="RM.6.4")


def stage(release):
    release.refresh_from_db()
    return release.stage


def test_a_live_release_is_rolled_back_from_hypercare_through_rm_6_4(cast, live_release):
    release = live_release()
    ok, p = cast.ok, cast.perform
    ok(p(cast.dc, release, "RM.6.6", {"message": "Available"}))
    assert rm_6_4(release).status == "not_applicable"
    assert p(cast.dc, release, "RM.6.4").status_code == 409
    cast.ok(record(cast, cast.desk, release, priority="P1", major=True), 201)

    url = hypercare_url(release, "rollback/")
    assert cast.api(cast.rm).post(url, {"reason": "P1"}, format="json").status_code == 403
    assert cast.api(cast.cust).post(url, {"reason": "P1"}, format="json").status_code == 403
    blank = cast.api(cast.dc).post(url, {"reason": "  "}, format="json")
    assert blank.status_code == 400
    assert "reason" in blank.json()
    assert rm_6_4(release).status == "not_applicable"

    before = cast.ok(cast.api(cast.dc).get(hypercare_url(release)))
    assert before["may_trigger_rollback"] is True
    state = cast.ok(
        cast.api(cast.dc).post(url, {"reason": "INC-2027-0042 blocks declarations"}, format="json")
    )
    assert state["rollback_triggered"]["reason"] == "INC-2027-0042 blocks declarations"
    assert state["rollback_triggered"]["by"] == cast.dc.username
    assert state["may_trigger_rollback"] is False
    assert any("Rollback triggered" in m["what"] for m in state["timeline"])
    assert rm_6_4(release).status == "pending"
    rm_6_6 = ActivityRecord.objects.get(release=release, activity__code="RM.6.6")
    assert rm_6_6.status == "pending"  # the users are told again: the rollback was used
    again = cast.api(cast.dc).post(url, {"reason": "Twice"}, format="json")
    assert again.status_code == 409
    assert AuditEntry.objects.filter(release=release, action="rollback_triggered").count() == 1
    asked = Communication.objects.get(release=release, subject__contains="validation is needed")
    told = dict(asked.recipients.values_list("user__username", "role"))
    assert (told[cast.cust.username], told[cast.rm.username]) == ("to", "cc")

    # as after a failed installation: the thread validates, the coordinator initiates
    assert p(cast.dc, release, "RM.6.4").status_code == 409
    cast.ok(cast.decide(cast.cust, release, "rollback"), 201)
    cast.ok(p(cast.dc, release, "RM.6.4"))
    assert stage(release) == "rolled_back"
    hypercare = Hypercare.objects.get(release=release)
    assert hypercare.closed_at is not None
    assert "Rolled back" in hypercare.close_reason
    assert any("INC-2027-0042" in u for u in hypercare.unmet_at_close)

    ok(p(cast.dc, release, "RM.6.6", {"message": "Rolled back to the last good build"}))
    assert NotificationRequest.objects.filter(release=release, moment="after").last().rollback_used

    review = cast.ok(cast.api(cast.rm).get(f"/api/v1/releases/{release.identifier}/review/"))
    assert "rolled back" in review["reasons"]
    assert review["owed"] is True


def test_a_reinstalled_release_still_owes_the_review_of_its_rollback(cast, live_release):
    """The review's rule reads the stage history, not the flag a re-authorisation resets."""
    release = live_release()
    url = hypercare_url(release, "rollback/")
    cast.ok(cast.api(cast.dc).post(url, {"reason": "Data loss"}, format="json"))
    cast.ok(cast.decide(cast.cust, release, "rollback"), 201)
    cast.ok(cast.perform(cast.dc, release, "RM.6.4"))
    cast.ok(
        cast.api(cast.dc).post(
            f"/api/v1/releases/{release.identifier}/transitions/reauthorise/", {}, format="json"
        )
    )
    release.refresh_from_db()
    assert release.rollback_plan_used is False
    review = cast.ok(cast.api(cast.rm).get(f"/api/v1/releases/{release.identifier}/review/"))
    assert "rolled back" in review["reasons"]


def test_no_rollback_from_hypercare_once_the_closure_is_prepared(cast, live_release):
    release = live_release()
    ok, p = cast.ok, cast.perform
    ok(p(cast.dc, release, "RM.6.6", {"message": "Available"}))
    ok(
        p(
            cast.rm,
            release,
            "RM.6.7",
            {"configuration_manager_informed": True, "deployment_plan_updated": True},
        )
    )
    assert stage(release) in ("closed", "conformance")
    state = cast.ok(cast.api(cast.dc).get(hypercare_url(release)))
    assert state["may_trigger_rollback"] is False
    refused = cast.api(cast.dc).post(
        hypercare_url(release, "rollback/"), {"reason": "Too late"}, format="json"
    )
    assert refused.status_code == 409
    assert "new (emergency) release" in refused.json()["detail"]
    assert rm_6_4(release).status == "not_applicable"


def test_the_hypercare_page_triggers_the_rollback_and_keeps_the_reason_on_refusal(
    client, cast, live_release
):
    release = live_release()
    page = f"/releases/{release.identifier}/hypercare/"
    client.force_login(cast.rm)
    assert "Trigger the rollback" not in client.get(page).content.decode()

    client.force_login(cast.dc)
    assert "Trigger the rollback" in client.get(page).content.decode()
    refused = client.post(f"{page}rollback/", {"reason": "x" * 100_001})
    assert refused.status_code == 400
    assert "at most 100,000 characters" in refused.content.decode()
    done = client.post(f"{page}rollback/", {"reason": "Declarations fail"})
    assert done.status_code == 302
    assert done["Location"].endswith("/activities/RM.6.4/")
    shown = client.get(page).content.decode()
    assert "Declarations fail" in shown
    assert "awaiting the threads" in shown
    assert "Trigger the rollback" not in shown
