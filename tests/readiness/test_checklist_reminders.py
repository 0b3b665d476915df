"""The Move2Run items owed, reminded before and on their due date with a personal link
to confirm them, and escalated past it (issue 16 points 1 and 3): once per item, kind
and day however often the beat job runs."""

import datetime
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from raci import deputies
from readiness import reminders
from readiness.links import PURPOSE
from readiness.models import ChecklistItem, ItemReminder
from readiness.tasks import remind_checklist_items_task
from releasemgmt.accounts.models import PersonalLink
from releasemgmt.audit.models import AuditEntry
from releases.models import Release

pytestmark = pytest.mark.django_db

ONE_DAY = datetime.timedelta(days=1)
#: the path of a personal link in a mail
LINK = re.compile(r"https?://[^/\s]+(/account/links/[^/\s]+/)")
Kind = ItemReminder.Kind


@pytest.fixture
def owner(make_user):
    return make_user("amelia", "ITSM Application Manager", first_name="Amelia")


@pytest.fixture
def item(make_release, owner):
    """The high item of a minor release the application manager owns, due five days
    before the installation."""
    release = make_release()
    return ChecklistItem.objects.select_related("release").get(
        release=release, title__contains="Runbook updated"
    )


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """The beat job for a day, its mails sent."""

    def running(day) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return reminders.remind_checklist_items(today=day)

    return running


def sent(item, kind=None) -> list[ItemReminder]:
    found = ItemReminder.objects.filter(item=item).select_related("communication")
    return list(found.filter(kind=kind) if kind else found)


def addressees(reminder) -> set[str]:
    return set(reminder.communication.recipients.values_list("user__username", flat=True))


def audited(item, action) -> int:
    ids = [str(r.pk) for r in sent(item)]
    found = AuditEntry.objects.filter(object_type="readiness.itemreminder", object_id__in=ids)
    return found.filter(action=action).count()


def mails_about(item, user) -> list:
    return [m for m in mail.outbox if user.email in m.to and item.title in m.subject]


def test_reminded_before_and_on_the_day_each_owner_with_a_personal_link(item, owner, run):
    due = item.due_date
    run(due - 3 * ONE_DAY)
    assert sent(item) == []
    run(due - 2 * ONE_DAY)
    [before] = sent(item, Kind.BEFORE)
    assert addressees(before) == {"amelia"}
    comm = before.communication
    assert (comm.activity, comm.personal_purpose, comm.personal_target_id) == (
        "RM.6.2",
        PURPOSE,
        item.pk,
    )
    assert comm.subject.startswith(f"[{item.release.identifier}] Due on {due:%Y-%m-%d}")
    assert "high priority" in comm.subject
    assert "holds the go-live (RM.6.2)" in comm.body
    assert f"/releases/{item.release.identifier}/checklist/" in comm.body
    run(due - ONE_DAY)
    assert len(sent(item, Kind.BEFORE)) == 1  # once for this due date

    mail.outbox.clear()
    run(due)
    [on_the_day] = sent(item, Kind.DUE)
    assert addressees(on_the_day) == {"amelia"}
    assert "Due today" in on_the_day.communication.subject
    [message] = mails_about(item, owner)
    [path] = LINK.findall(message.body)
    # the day's link supersedes the one mailed before
    current = PersonalLink.objects.get(user=owner, superseded_at__isnull=True)
    assert current.target == item

    client = Client()
    client.force_login(owner)
    page = client.get(path).content.decode()
    assert "Runbook updated" in page
    item.refresh_from_db()
    assert item.status == ChecklistItem.Status.OPEN  # a link never acts on GET
    response = client.post(path, {"evidence_note": "Runbook V3 in the wiki"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.settled_by, item.evidence_note) == (
        "done",
        owner,
        "Runbook V3 in the wiki",
    )
    assert audited(item, "reminded") == 2


def test_the_job_run_twice_sends_one_mail(item, owner, run):
    mail.outbox.clear()
    assert run(item.due_date) >= 1
    assert run(item.due_date) == 0
    assert len(mails_about(item, owner)) == 1
    assert len(sent(item)) == 1


def test_escalated_past_due_to_the_release_manager_and_rm_6_2_s_accountable(item, owner, cast, run):
    due = item.due_date
    run(due + ONE_DAY)
    [escalation] = sent(item, Kind.ESCALATION)
    assert addressees(escalation) == {cast.rm.username, cast.dc.username}
    comm = escalation.communication
    assert comm.personal_purpose == ""  # they are told, they do not confirm
    assert comm.subject.startswith(f"[{item.release.identifier}] Late since {due:%Y-%m-%d}")
    assert "1 day ago" in comm.body
    assert "Amelia" in comm.body  # who owes it
    assert "amelia" not in addressees(escalation)
    run(due + 2 * ONE_DAY)
    assert len(sent(item, Kind.ESCALATION)) == 1
    run(due + 8 * ONE_DAY)  # a week on and still open: told again
    assert len(sent(item, Kind.ESCALATION)) == 2
    assert audited(item, "escalated") == 2


def test_nothing_once_the_item_is_done(item, owner, run):
    from readiness import services

    services.confirm_item(item.release, item.pk, by=owner, evidence_note="Done")
    run(item.due_date - ONE_DAY)
    run(item.due_date)
    run(item.due_date + ONE_DAY)
    assert sent(item) == []


def test_nothing_for_a_cancelled_release(item, owner, run):
    Release.objects.filter(pk=item.release_id).update(stage="cancelled")
    run(item.due_date)
    run(item.due_date + ONE_DAY)
    assert sent(item) == []


def test_the_deputy_of_an_owner_is_copied_with_a_link_of_their_own(item, owner, make_user, run):
    olga = make_user("olga")
    today = timezone.localdate()
    deputies.name_deputy(by=owner, deputy=olga, starts=today, ends=today + 3 * ONE_DAY)
    mail.outbox.clear()
    run(item.due_date)
    [reminder] = sent(item, Kind.DUE)
    assert addressees(reminder) == {"amelia", "olga"}
    [to_olga] = mails_about(item, olga)
    [to_owner] = mails_about(item, owner)
    assert LINK.findall(to_olga.body) != LINK.findall(to_owner.body)
    assert PersonalLink.objects.get(user=olga, purpose=PURPOSE).target == item


def test_every_owed_item_is_reminded_and_the_mail_says_its_priority(item, owner, cast, run):
    low = ChecklistItem.objects.get(release=item.release, priority="low")
    run(low.due_date)
    [reminder] = sent(low, Kind.DUE)
    assert "low priority" in reminder.communication.subject
    assert "does not hold the go-live" in reminder.communication.body


def test_the_beat_job_is_scheduled_and_runs_for_a_given_day(settings, item, owner):
    schedule = settings.CELERY_BEAT_SCHEDULE["remind-checklist-items"]
    assert schedule["task"] == remind_checklist_items_task.name
    day = item.due_date.isoformat()
    assert remind_checklist_items_task.delay(today=day).get() >= 1
    assert remind_checklist_items_task.delay(today=day).get() == 0
