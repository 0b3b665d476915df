from django.contrib.auth import get_user_model
from django.utils import timezone

from aftercare.models import Hypercare, PostReleaseReview
from changes.models import CabMeeting, ChangeType, Review, RfC
from changes.selectors import change_schedule, conflicts_among
from deployments.models import (
    Decision,
    DeploymentPlan,
    InboundMail,
    InstallationReport,
    ReleasePackage,
    Reminder,
)
from deployments.plan_content import missing_items
from dsl.models import CITask, Environment, InstalledVersion
from kpis import periods
from kpis import selectors as kpi_selectors
from kpis.models import QuarterlyReview
from raci.models import Party
from readiness.models import ItemReminder
from releasemgmt.audit.models import AuditEntry
from releasemgmt.notifications.models import Recipient
from releases.models import PolicyBreach, Release, ReleasePolicy
from satisfaction.models import Survey
from tests.start import start_page


def test_demo_data_gives_every_party_a_user_and_can_run_twice(demo, db):
    for party in Party.objects.all():
        holders = party.group.user_set.count() + sum(
            o.group.user_set.count() for o in party.organisations.all()
        )
        assert holders >= 1, party
    assert Release.objects.count() == 17 + 21  # and two years of history (demo.kpi_history)
    assert set(Release.objects.values_list("stage", flat=True)) == {
        "planning",
        "receiving",
        "kickoff",
        "acceptance",
        "authorisation",
        "installation",
        "conformance",
        "closed",
        "rolled_back",
        "cancelled",
    }
    assert Release.objects.filter(assignments__party__name="ITSM Deployment Coordinator").exists()


def test_demo_data_shows_change_management_through_its_services(demo, db):
    rfcs = RfC.objects.all()
    assert set(rfcs.values_list("status", flat=True)) == set(RfC.Status.values)
    # every request came through raise_rfc (or RM.2.1's complementary RfC): none was
    # written with a status of its own
    raised = AuditEntry.objects.filter(object_type="changes.rfc", action="rfc_raised")
    assert raised.count() == rfcs.count()
    assert rfcs.filter(complementary=True, raised_at__isnull=False, status="submitted").exists()
    # the releases' RfCs: authorised at the CAB, scheduled, implemented once closed
    assert not rfcs.filter(release__isnull=False, status="authorised").exists()
    assert rfcs.filter(status="scheduled", release__stage="installation").exists()
    assert rfcs.filter(status="implemented", release__stage="closed").exists()
    standard = rfcs.filter(change_type=ChangeType.STANDARD, status="authorised").first()
    assert not standard.cab_decisions.exists()
    assert AuditEntry.objects.filter(action="rfc_pre_authorised", object_id=str(standard.pk))
    emergency = rfcs.get(change_type=ChangeType.EMERGENCY, release__isnull=True, status="reviewed")
    assert Review.objects.filter(rfc=emergency).exists()
    assert emergency.cab_decisions.get().meeting.kind == CabMeeting.Kind.ECAB

    now = timezone.now()
    past = CabMeeting.objects.get(kind="cab", starts_at__lt=now)
    assert past.minutes_sent_at
    assert "Decisions" in past.minutes
    assert past.advice.count() >= 3 * past.decisions.count() > 0
    assert set(past.decisions.values_list("outcome", flat=True)) == {"authorised", "rejected"}
    upcoming = CabMeeting.objects.get(kind="cab", starts_at__gt=now)
    assert not upcoming.minutes_sent_at
    on_agenda = set(upcoming.agenda.values_list("rfc__status", flat=True))
    assert on_agenda == {"awaiting_cab"}
    assert upcoming.agenda.count() >= 2
    # two more awaiting the CAB, which its agenda field suggests; one in the window of a
    # request on the agenda, a conflict shown there
    waiting = rfcs.filter(status="awaiting_cab", change_type=ChangeType.NORMAL).exclude(
        agenda_items__meeting=upcoming
    )
    assert waiting.count() == 2
    heard = [item.rfc for item in upcoming.agenda.all()]
    assert any(conflicts for conflicts, _ in conflicts_among(heard).values())

    slots = change_schedule(get_user_model().objects.get(username="change-manager"))
    overlapping = [s for s in slots if s.overlaps]
    assert len(overlapping) >= 2
    assert {s.rfc.status for s in overlapping} == {"authorised"}


def test_demo_data_shows_an_ecab_decision_overdue_on_the_change_managers_page(demo, db, client):
    overdue = RfC.objects.get(change_type=ChangeType.EMERGENCY, status="awaiting_cab")
    assert overdue.decision_due_at < timezone.now()
    client.force_login(get_user_model().objects.get(username="change-manager"))
    page = client.get("/changes/").content.decode()
    section = page.split('id="overdue"', 1)[1].split("</section>", 1)[0]
    assert "Decisions overdue" in section
    assert overdue.reference in section


def test_a_demo_user_can_log_in(demo, client, db):
    response = client.post("/login/", {"username": "a3-cust", "password": "demo"})
    assert response.status_code == 302
    assert client.get("/releases/").status_code == 200


def test_demo_data_shows_a_living_plan_and_a_phased_deployment(demo, db):
    phased = DeploymentPlan.objects.get(option="phased")
    assert [r.activity for r in phased.revisions.all()] == ["RM.1.3", "RM.3.1", "", "RM.6.7"]
    assert phased.revisions.get(number=3).reason.startswith("DE asked")
    assert phased.phases.count() == 2
    reports = InstallationReport.objects.filter(release=phased.release, phase__isnull=False)
    assert reports.count() == 2
    assert all(not missing_items(plan) for plan in DeploymentPlan.objects.all())


def test_demo_data_shows_a_release_package_of_two_applications(demo, db, client):
    package = ReleasePackage.objects.get()
    releases = Release.objects.filter(package_member__package=package)
    assert releases.values("application").distinct().count() == 2
    assert package.installation_starts_at is not None
    for release in releases:
        assert release.planned_installation_date == timezone.localdate(
            package.installation_starts_at
        )
    client.force_login(get_user_model().objects.get(username="release-manager"))
    page = client.get(f"/packages/{package.pk}/").content.decode()
    for release in releases:
        assert release.identifier in page


def test_demo_data_shows_release_types_and_policies(demo, db):
    emergency = Release.objects.get(release_type="emergency")
    waived = set(
        emergency.activity_records.filter(status="waived").values_list("activity__code", flat=True)
    )
    assert waived == {"RM.3.1", "RM.3.2"}
    assert emergency.rfcs.get().cab_decisions.get().meeting.kind == CabMeeting.Kind.ECAB
    assert ReleasePolicy.objects.count() == 2
    breaches = PolicyBreach.objects.filter(release__application__code="ecs")
    assert "lead_time" in set(breaches.values_list("rule", flat=True))
    assert all("customs" in b.reason for b in breaches)


def test_demo_data_shows_baselines_and_the_configuration_managers_tasks(demo, db, client):
    closed = Release.objects.get(application__code="ics", version="2.0.4")
    assert closed.stage == "closed"
    assert closed.baselines.get().items.count() == 2
    assert closed.closure.dsl_verified
    assert closed.ci_task.status == CITask.Status.CONFIRMED
    assert set(closed.ci_task.proposals.values_list("confirmed_status", flat=True)) == {"live"}
    assert CITask.objects.filter(status=CITask.Status.OPEN).exists()
    # The emergency fix of VIES in installation rolls back to 1.9.0's baseline.
    fix = Release.objects.get(application__code="vies", version="1.9.2")
    client.force_login(get_user_model().objects.get(username="configuration-manager"))
    start = start_page(client)
    assert "CI status changes to confirm" in start
    page = client.get(f"/releases/{fix.identifier}/activities/RM.6.4/").content.decode()
    assert "Previous baseline" in page


def test_demo_data_shows_environments_and_what_runs_where(demo, db, client):
    assert Environment.objects.filter(kind="production").count() >= 6
    lines = InstalledVersion.objects.filter(environment__kind="production")
    assert {"RM.6.5", "RM.6.4"} <= set(lines.values_list("activity", flat=True))
    assert InstalledVersion.objects.filter(activity="RM.3.3").exists()
    assert Environment.objects.filter(status="booked").exists()
    client.force_login(get_user_model().objects.get(username="configuration-manager"))
    page = client.get("/applications/ecs/")
    assert page.status_code == 200
    assert b"Production" in page.content


def test_demo_data_shows_the_dsl_with_archived_and_purged_versions(demo, db, client):
    states = {}
    client.force_login(get_user_model().objects.get(username="configuration-manager"))
    page = client.get("/dsl/ecs/").content.decode()
    for release in Release.objects.filter(application__code="ecs"):
        marker = f'id="v-{release.identifier}" class="dsl-version" data-state="'
        states[release.version] = page.split(marker, 1)[1].split('"', 1)[0]
    assert states["2.7.0"] == "purged"
    assert states["2.8.0"] == "archived"
    assert states["3.2.0"] == states["3.0.0"] == "live"
    assert "sent to DG TAXUD" in page


def test_demo_data_shows_the_satisfaction_survey_of_a_closed_release(demo, db, client):
    """ICS 2.0.4, closed: two answers and one owed, listed on the A3/Cust user's start
    page; the release manager reads the answers and their average."""
    surveys = Survey.objects.filter(release__identifier="ICS-2.0.4")
    assert surveys.filter(answered_at__isnull=False).count() == 2
    assert list(
        surveys.filter(answered_at__isnull=True).values_list("respondent__username", flat=True)
    ) == ["a3-cust"]
    client.force_login(get_user_model().objects.get(username="a3-cust"))
    assert "Satisfaction surveys you owe" in start_page(client)
    client.force_login(get_user_model().objects.get(username="release-manager"))
    body = client.get("/releases/ICS-2.0.4/satisfaction/").content.decode()
    assert ">7.0<" in body


def test_demo_data_shows_hypercare_after_go_live(demo, db):
    live = Hypercare.objects.get(release__application__code="ecs", release__version="3.2.0")
    assert live.is_open
    assert live.incidents.count() == 2
    assert live.incidents.filter(resolved_at__isnull=True).count() == 1
    closed = Hypercare.objects.get(release__application__code="ics", release__version="2.0.4")
    assert closed.closed_by.username == "release-manager"
    assert closed.close_reason


def test_demo_data_shows_a_review_with_lessons_and_actions(demo, db):
    review = PostReleaseReview.objects.get(
        release__application__code="ecs", release__version="3.2.0"
    )
    assert review.lessons.count() == 2
    assert sorted(review.actions.values_list("status", flat=True)) == ["done", "open"]
    owed = Release.objects.get(application__code="ncts", version="5.0.9")
    assert owed.rollback_plan_used
    assert not PostReleaseReview.objects.filter(release=owed).exists()


def test_demo_data_gives_the_kpi_page_eight_quarters_to_show(demo, db):
    """Every chart of the KPI page has something to show: releases in each of the last
    eight quarters, installed on time and late, rolled back, overlapping (issue 15)."""
    manager = get_user_model().objects.get(username="release-manager")
    last = periods.quarter_of(timezone.localdate()).previous()
    report = kpi_selectors.report(
        manager,
        periods.Period("custom", last.start.replace(year=last.start.year - 2), last.end),
        kpi_selectors.Slices(),
    )
    assert all(q["kpis"]["total"]["value"] > 0 for q in report["trend"])
    figures = {k["slug"]: k for k in report["kpis"]}
    for slug in ("major", "minor", "overlapping", "rollback", "late"):
        assert figures[slug]["numerator"] > 0, slug
    assert figures["late"]["numerator"] < figures["late"]["denominator"]
    flow = kpi_selectors.flow_report(
        manager,
        periods.Period("custom", last.start.replace(year=last.start.year - 2), last.end),
        kpi_selectors.Slices(),
    )
    dora = {k["slug"]: k for k in flow["dora"]}
    assert dora["failed-installations"]["numerator"] > 0
    assert dora["restore"]["value"] > 0
    assert all(s["n"] > 0 for s in flow["stages"] if s["stage"] != "conformance")
    assert flow["cumulative"][-1]["closed"] > flow["cumulative"][0]["closed"]


def test_demo_data_holds_the_last_quarters_review_with_its_decisions(demo, db, client):
    """The last completed quarter was reviewed (seed 002 section 6): two decisions, one
    improvement action, shown on its page."""
    last = periods.quarter_of(timezone.localdate()).previous()
    review = QuarterlyReview.objects.get(quarter_start=last.start)
    assert review.decisions.count("\n") == 1  # two decisions, one a line
    assert review.actions.count() == 1
    assert review.participants.count() == 3
    client.force_login(get_user_model().objects.get(username="release-manager"))
    page = client.get(f"/kpis/reviews/{last.key}/").content.decode()
    assert "Add the RM.1.4 baseline to the planning checklist" in page


def test_demo_users_have_read_and_unread_messages(demo, db, client):
    manager = get_user_model().objects.get(username="release-manager")
    mine = Recipient.objects.filter(user=manager)
    assert mine.filter(read_at__isnull=True).count() == 5
    assert mine.filter(read_at__isnull=False).exists()
    client.force_login(manager)
    assert "5 unread" in client.get("/messages/counts/").content.decode()


def test_demo_data_shows_due_dates_reminders_and_an_escalation(demo, db, client):
    escalated = Reminder.objects.filter(kind=Reminder.Kind.ESCALATION).select_related("release")
    assert {r.release.identifier for r in escalated} == {"NCTS-5.0.10"}
    assert Reminder.objects.filter(kind=Reminder.Kind.BEFORE).exists()
    manager = get_user_model().objects.get(username="release-manager")
    assert Recipient.objects.filter(
        user=manager, communication__reminder__kind=Reminder.Kind.ESCALATION
    ).exists()
    client.force_login(manager)
    page = start_page(client)
    assert '<strong class="due-late">late</strong>' in page


def test_demo_data_shows_move2run_items_reminded_with_a_link_to_confirm_them(demo, db):
    reminded = ItemReminder.objects.exclude(kind=ItemReminder.Kind.ESCALATION)
    assert reminded.filter(communication__personal_purpose="checklist_item").exists()


def test_demo_data_shows_a_deputy_standing_in_for_a_thread_approver(demo, db, client):
    """The A3/Cust approver is on leave: their deputy sees the thread's owed decisions on
    the start page, and the deputies page names them."""
    deputy = get_user_model().objects.get(username="a3-cust-deputy")
    client.force_login(deputy)
    start = start_page(client)
    assert "NCTS-5.1.0" in start or "NCTS-5.0.10" in start
    page = client.get("/account/deputies/").content.decode()
    assert "Annual leave" in page
    assert ">active<" in page


def test_demo_data_shows_decisions_from_the_mail_and_a_reply_to_handle(demo, db, client):
    """Issue 16: the SAT decisions were given from the mail's link; a reply the tool could
    not read waits in the deployment coordinator's queue, once however often loaded."""
    assert Decision.objects.filter(kind="sat", channel="mail_link").exists()
    [waiting] = InboundMail.objects.all()
    assert waiting.status == "queued"
    assert waiting.request.release.stage == "acceptance"
    coordinator = Release.objects.get(pk=waiting.request.release_id).assignments.get(
        party__name="ITSM Deployment Coordinator"
    )
    client.force_login(coordinator.user)
    assert "Fine for us" in client.get(f"/replies/{waiting.pk}/").content.decode()
