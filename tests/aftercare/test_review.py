"""The post-release review (issue 14 point 2; seed 002 sections 5-6): required of major,
emergency, failed and rolled-back releases (or of all where the policy says), written
by the release manager after go-live with what the records say, its improvement actions
followed until done and reminded by mail once a day at most."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftercare import services
from aftercare.lessons import add_lesson
from aftercare.models import ActionReminder, Hypercare, ImprovementAction
from releasemgmt.audit.models import AuditEntry
from releasemgmt.notifications.models import Communication, Recipient
from releases import policy
from tests.lifecycle import install, walk_to
from tests.start import start_page


def review_url(release, tail=""):
    return f"/api/v1/releases/{release.identifier}/review/{tail}"


REVIEW = {
    "note": "Went live a day late; one P2 incident.",
    "objectives": "partly",
    "objectives_comment": "The new rules work; one report late.",
    "schedule_comment": "The SAT took a day more.",
    "stakeholder_feedback": "The threads are content.",
}


def test_a_major_release_owes_its_review_after_go_live_and_the_rm_writes_it(
    cast, live_release, client
):
    release = live_release(release_type="major")
    state = cast.ok(cast.api(cast.cust).get(review_url(release)))
    assert state["required"] is True
    assert state["reasons"] == ["a major release"]
    assert state["owed"] is True
    assert state["schedule"]["actual"] == timezone.localdate().isoformat()

    client.force_login(cast.rm)
    start = start_page(client)
    assert "Post-release reviews owed" in start
    assert release.identifier in start

    assert cast.api(cast.dc).post(review_url(release), REVIEW, format="json").status_code == 403
    bad = cast.api(cast.rm).post(review_url(release), REVIEW | {"objectives": "great"})
    assert bad.status_code == 400
    assert "objectives" in bad.json()

    written = cast.ok(cast.api(cast.rm).post(review_url(release), REVIEW, format="json"), 201)
    assert written["owed"] is False
    assert written["review"]["objectives"] == "partly"
    again = cast.api(cast.rm).post(review_url(release), REVIEW | {"note": "Completed"})
    assert cast.ok(again)["review"]["note"] == "Completed"
    assert "Post-release reviews owed" not in start_page(client)
    actions = set(AuditEntry.objects.filter(release=release).values_list("action", flat=True))
    assert {"release_reviewed", "review_updated"} <= actions


def test_a_minor_release_owes_none_unless_the_policy_reviews_every_release(
    cast, live_release, application
):
    release = live_release()
    assert cast.ok(cast.api(cast.rm).get(review_url(release)))["required"] is False
    policy.save_policy(application, by=cast.rm, review_every_release=True)
    state = cast.ok(cast.api(cast.rm).get(review_url(release)))
    assert state["reasons"] == ["the application's policy reviews every release"]


def test_a_release_rolled_back_at_installation_owes_its_review_until_it_is_written(
    cast, installed_release, client
):
    """Never live, so no hypercare: the start page finds it by its rollback (RM.6.4)."""
    release = installed_release(successful=False)
    cast.ok(cast.decide(cast.cust, release, "rollback"), 201)
    cast.ok(cast.perform(cast.dc, release, "RM.6.4"))
    client.force_login(cast.rm)
    start = start_page(client)
    assert "Post-release reviews owed" in start
    assert release.identifier in start
    cast.ok(cast.api(cast.rm).post(review_url(release), REVIEW, format="json"), 201)
    assert "Post-release reviews owed" not in start_page(client)
    # re-authorised, installed and live: its hypercare starts with the review written
    transition = f"/api/v1/releases/{release.identifier}/transitions/reauthorise/"
    cast.ok(cast.api(cast.dc).post(transition, {}, format="json"))
    walk_to(cast, release, "installation", start="authorisation")
    install(cast, release, successful=True)
    cast.ok(cast.perform(cast.dc, release, "RM.6.5"))
    assert Hypercare.objects.get(release=release).reviewed
    assert "Post-release reviews owed" not in start_page(client)


def test_before_go_live_there_is_nothing_to_review(cast, release_at):
    release = release_at("installation")
    response = cast.api(cast.rm).post(review_url(release), REVIEW, format="json")
    assert response.status_code == 409
    assert response.json()["missing"] == ["RM.6.5 Publish successful installation"]


def test_improvement_actions_are_followed_by_their_owner_until_done(
    cast, live_release, client, make_user
):
    release = live_release(release_type="major")
    no_review = cast.api(cast.rm).post(
        review_url(release, "actions/"),
        {"title": "Rehearse", "owner": cast.dc.username, "due_date": "2027-01-10"},
        format="json",
    )
    assert no_review.status_code == 409
    cast.ok(cast.api(cast.rm).post(review_url(release), REVIEW, format="json"), 201)
    unknown = cast.api(cast.rm).post(
        review_url(release, "actions/"),
        {"title": "Rehearse", "owner": "nobody", "due_date": "2027-01-10"},
        format="json",
    )
    assert unknown.status_code == 400
    assert "owner" in unknown.json()
    due = timezone.localdate() - datetime.timedelta(days=1)
    action = cast.ok(
        cast.api(cast.rm).post(
            review_url(release, "actions/"),
            {"title": "Rehearse the migration", "owner": cast.dc.username, "due_date": due},
            format="json",
        ),
        201,
    )
    client.force_login(cast.dc)
    start = start_page(client)
    assert "Your improvement actions" in start
    assert "Rehearse the migration" in start
    assert "late" in start

    other = make_user("other-dc", "ITSM Deployment Coordinator")
    move = review_url(release, f"actions/{action['id']}/")
    assert cast.api(other).post(move, {"status": "done"}, format="json").status_code == 403
    moved = cast.ok(cast.api(cast.dc).post(move, {"status": "done"}, format="json"))
    assert moved["status"] == "done"
    assert moved["done_at"]
    assert "Your improvement actions" not in start_page(client)


def test_reminders_go_before_the_due_date_and_from_it_never_twice_a_day(cast, live_release):
    release = live_release(release_type="major")
    services.write_review(release, by=cast.rm, note="Reviewed")
    today = timezone.localdate()
    action = services.add_action(
        release, by=cast.rm, title="Add a smoke test", owner=cast.dc, due_date=today
    )
    soon = today - datetime.timedelta(days=2)
    assert services.remind_improvement_actions(today=soon) == 1
    assert services.remind_improvement_actions(today=soon) == 0
    assert services.remind_improvement_actions(today=soon + datetime.timedelta(days=1)) == 0
    assert services.remind_improvement_actions(today=today) == 1
    assert services.remind_improvement_actions(today=today) == 0
    assert services.remind_improvement_actions(today=today + datetime.timedelta(days=3)) == 0
    assert services.remind_improvement_actions(today=today + datetime.timedelta(days=7)) == 1
    kinds = list(ActionReminder.objects.filter(action=action).values_list("kind", flat=True))
    assert kinds == ["before", "due", "due"]
    sent = Communication.objects.filter(subject__contains="Add a smoke test")
    assert sent.count() == 3
    addressees = Recipient.objects.filter(communication__in=sent)
    assert set(addressees.values_list("user__username", flat=True)) == {cast.dc.username}

    ImprovementAction.objects.filter(pk=action.pk).update(status="done")
    assert services.remind_improvement_actions(today=today + datetime.timedelta(days=14)) == 0


def test_the_review_page_keeps_the_input_on_refusal_and_shows_the_records(
    cast, live_release, client
):
    release = live_release(release_type="major")
    page = f"/releases/{release.identifier}/review/"
    client.force_login(cast.rm)
    refused = client.post(page, {**REVIEW, "note": "", "stakeholder_feedback": "Kept text"})
    assert refused.status_code == 400
    assert "Kept text" in refused.content.decode()
    assert client.post(page, REVIEW).status_code == 302
    shown = client.get(page).content.decode()
    assert "The threads are content." in shown
    assert "Add an improvement action" in shown
    section = client.get(page, headers={"HX-Request": "true"}).content.decode()
    assert section.startswith('<section id="review"')
    client.force_login(cast.cust)
    read = client.get(page).content.decode()
    assert "The threads are content." in read
    assert "Record the review" not in read


def test_a_failed_installation_owes_a_review_once_it_goes_live(cast, installed_release):
    """RM.6.3 failed, not rolled back: the reason stands, but nothing is owed before
    go-live; the schedule compares the plan with the day it went live (RM.6.5)."""
    release = installed_release(successful=False)
    state = cast.ok(cast.api(cast.rm).get(review_url(release)))
    assert state["reasons"] == ["its installation failed"]
    assert (state["required"], state["owed"]) == (True, False)
    assert state["schedule"]["actual"] is None
    assert state["schedule"]["planned"]


def test_the_review_page_asks_as_many_queries_for_many_actions_and_lessons(
    cast, live_release, client
):
    release = live_release(release_type="major")
    services.write_review(release, by=cast.rm, note="Reviewed")
    page = f"/releases/{release.identifier}/review/"
    client.force_login(cast.rm)

    def counted():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page).status_code == 200
            cast.ok(cast.api(cast.rm).get(review_url(release)))
        return len(queries)

    def add(n):
        due = timezone.localdate() + datetime.timedelta(days=n)
        services.add_action(release, by=cast.rm, title=f"Act {n}", owner=cast.dc, due_date=due)
        add_lesson(release, by=cast.rm, what_happened=f"Lesson {n}", next_time="Rehearse")

    add(1)
    few = counted()
    for n in range(2, 6):
        add(n)
    assert counted() == few
    assert "Act 5" in client.get(page).content.decode()
