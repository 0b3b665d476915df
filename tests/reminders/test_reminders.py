"""Reminders before and on the due date, the escalation past it (issue 16 point 3): once
per step, kind and day however often the beat job runs."""

import datetime

import pytest

from deployments.models import Reminder
from deployments.services import decision_requests, reminders
from deployments.tasks import remind_due_steps_task
from releasemgmt.audit.models import AuditEntry
from releasemgmt.notifications.models import Communication
from tests.lifecycle import upload

ONE_DAY = datetime.timedelta(days=1)


@pytest.fixture
def psat_owed(cast, release_at):
    """A release in acceptance whose pSAT report waits for A3/Cust's GO or NOGO."""
    release = release_at("acceptance")
    report = {"kind": "psat", "file": upload("psat.pdf")}
    cast.ok(cast.act(cast.dc, release, "submit-test-report", report), 201)
    return release


def steps_of(release) -> dict:
    return {s.key: s for s in reminders.owed_steps() if s.release.pk == release.pk}


def decision_key(release) -> str:
    return next(k for k in steps_of(release) if k.startswith("decision:"))


def sent(release, key, kind=None) -> list[Reminder]:
    found = Reminder.objects.filter(release=release, step=key).select_related("communication")
    return list(found.filter(kind=kind) if kind else found)


def addressees(reminder) -> set[str]:
    return set(reminder.communication.recipients.values_list("user__username", flat=True))


def test_every_owed_step_has_its_due_date(cast, psat_owed):
    steps = steps_of(psat_owed)
    assert "RM.4.1" in steps  # the coordinator's activity
    step = steps[decision_key(psat_owed)]
    assert (step.activity, step.decision, step.thread.slug) == ("RM.4.1", "psat", "a3-cust")
    assert reminders.owing(step) == [cast.cust]
    assert {u.username for u in reminders.accountable(step)} == {cast.rm.username}
    assert reminders.owing(steps["RM.4.1"]) == [cast.dc]


def test_reminded_before_and_on_the_day_escalated_after_never_twice_a_day(cast, psat_owed):
    key = decision_key(psat_owed)
    due = steps_of(psat_owed)[key].due_date

    def run(day):
        reminders.remind_due_steps(today=day)
        reminders.remind_due_steps(today=day)  # the same day again: nothing more

    run(due - 3 * ONE_DAY)
    assert sent(psat_owed, key) == []
    run(due - 2 * ONE_DAY)
    [before] = sent(psat_owed, key, Reminder.Kind.BEFORE)
    assert addressees(before) == {"cust"}
    assert before.communication.activity == "RM.4.1"
    assert before.communication.kind == Communication.Kind.PROCESS
    assert "Due on" in before.communication.subject
    assert f"/releases/{psat_owed.identifier}/decisions/psat/" in before.communication.body
    run(due - ONE_DAY)
    assert len(sent(psat_owed, key, Reminder.Kind.BEFORE)) == 1  # once for this due date

    run(due)
    [on_the_day] = sent(psat_owed, key, Reminder.Kind.DUE)
    assert addressees(on_the_day) == {"cust"}
    assert "Due today" in on_the_day.communication.subject

    run(due + ONE_DAY)
    [escalation] = sent(psat_owed, key, Reminder.Kind.ESCALATION)
    assert addressees(escalation) == {cast.rm.username}
    assert "Late since" in escalation.communication.subject
    assert "Carla Cust" not in escalation.communication.body  # the thread is named
    assert "DG TAXUD A3/Cust" in escalation.communication.body
    run(due + 2 * ONE_DAY)
    assert len(sent(psat_owed, key, Reminder.Kind.ESCALATION)) == 1
    run(due + 8 * ONE_DAY)  # a week on and still late: told again
    assert len(sent(psat_owed, key, Reminder.Kind.ESCALATION)) == 2
    assert AuditEntry.objects.filter(release=psat_owed, action="escalated").exists()


def test_the_activity_reminds_its_responsible_and_escalates_to_its_accountable(cast, psat_owed):
    due = steps_of(psat_owed)["RM.4.1"].due_date
    reminders.remind_due_steps(today=due)
    [on_the_day] = sent(psat_owed, "RM.4.1")
    assert addressees(on_the_day) == {cast.dc.username}
    assert on_the_day.communication.link.endswith("/activities/RM.4.1/")
    reminders.remind_due_steps(today=due + ONE_DAY)
    [escalation] = sent(psat_owed, "RM.4.1", Reminder.Kind.ESCALATION)
    assert addressees(escalation) == {cast.rm.username}


def test_no_reminder_once_the_thread_has_decided(cast, psat_owed):
    key = decision_key(psat_owed)
    due = steps_of(psat_owed)[key].due_date
    cast.ok(cast.decide(cast.cust, psat_owed, "psat"), 201)
    reminders.remind_due_steps(today=due)
    assert sent(psat_owed, key) == []


def test_the_beat_job_is_scheduled_and_runs_for_a_given_day(settings, cast, psat_owed):
    schedule = settings.CELERY_BEAT_SCHEDULE["remind-due-steps"]
    assert schedule["task"] == remind_due_steps_task.name
    due = steps_of(psat_owed)[decision_key(psat_owed)].due_date
    assert remind_due_steps_task.delay(today=due.isoformat()).get() >= 1
    assert remind_due_steps_task.delay(today=due.isoformat()).get() == 0


def test_a_decision_reminder_carries_the_link_and_reply_address_of_its_request(cast, psat_owed):
    """Reminded of a GO/NOGO, the thread decides from the reminder as from the request
    mail: the same request's personal link and reply address (issue 16 points 1 and 2)."""
    key = decision_key(psat_owed)
    step = steps_of(psat_owed)[key]
    reminders.remind_due_steps(today=step.due_date)
    [reminder] = sent(psat_owed, key)
    request = decision_requests.request_for(psat_owed, "psat")
    assert reminder.communication.personal_purpose == decision_requests.PURPOSE
    assert reminder.communication.personal_target_id == request.pk
    assert reminder.communication.reply_to == decision_requests.reply_address(request)


def test_an_activity_reminder_carries_the_personal_link_its_room_registers(cast, psat_owed):
    """The seam for the activities' links: a purpose registered for an activity code is
    attached to its reminders."""
    steps = steps_of(psat_owed)
    key = next(k for k, s in steps.items() if not s.decision)
    step = steps[key]
    saved = dict(reminders.PERSONAL_LINKS)
    try:
        reminders.register_personal_link(step.activity)(lambda s: ("decide", s.release))
        reminders.remind_due_steps(today=step.due_date)
    finally:
        reminders.PERSONAL_LINKS.clear()
        reminders.PERSONAL_LINKS.update(saved)
    [reminder] = sent(psat_owed, key)
    assert reminder.communication.personal_purpose == "decide"
    assert reminder.communication.personal_target_id == psat_owed.pk
