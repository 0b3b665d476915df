"""Reminders of the Move2Run items owed, and their escalation past due (issue 16 point 3;
seed 002 section 7.2). The same rules as the activities' and the decisions'
(``deployments.services.reminders.kind_owed``, the application's due policy): the
holders of the item's owner party on the release, and their deputies, are mailed once
within the policy's ``remind_days_before`` days of the item's due date and once on the
day, each copy with a personal link to confirm the item done (``readiness.links``).
Past it, the release manager and the accountable party of RM.6.2, the go-live the open
high and medium items hold and the party that may waive one, are told (no link: they
do not confirm it), again every ``settings.ESCALATE_EVERY_DAYS`` while it stays open.

Every item still owed is reminded: open, or carried into hypercare (its owner still
confirms it), on a release neither closed nor cancelled; the mail says its priority.
The ``ItemReminder`` row, unique per item, kind and day, is written in the transaction
that queues the mail: a run twice, or again after its worker died, sends nothing twice.
The beat job is ``readiness.tasks.remind_checklist_items_task``."""

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from deployments.services import reminders as due_reminders
from releasemgmt.audit import services as audit
from releasemgmt.notifications import services as outbox
from releasemgmt.notifications.models import Communication
from releases.communications import holders, render_mail
from releases.due_dates import DuePolicy, policies_of
from releases.models import ReleasePolicy

from .links import PURPOSE
from .models import ChecklistItem, ItemReminder, Priority
from .services import FINISHED

Kind = ItemReminder.Kind
#: the activity the items gate: the go-live readiness check of the installation
GATED = "RM.6.2"
#: the states of an item still owed
OWED = (ChecklistItem.Status.OPEN, ChecklistItem.Status.CARRIED)


def owed_items(today: datetime.date) -> list[tuple[ChecklistItem, DuePolicy]]:
    """Every item still owed of a release neither closed nor cancelled whose due date is
    near enough to be reminded of (or past), with its application's due policy."""
    horizon = max(
        settings.DUE_DATES["remind_days_before"],
        ReleasePolicy.objects.aggregate(days=Max("remind_days_before"))["days"] or 0,
    )
    items = list(
        ChecklistItem.objects.filter(
            status__in=OWED, due_date__lte=today + datetime.timedelta(days=horizon)
        )
        .exclude(release__stage__in=FINISHED)
        .select_related("release__application", "owner_party")
        .order_by("due_date", "release_id", "position", "id")
    )
    policies = policies_of(i.release.application_id for i in items)
    return [(i, policies[i.release.application_id]) for i in items]


def owing(item: ChecklistItem) -> list:
    """Who is reminded: the holders of the item's owner party on the release (and the
    deputy of each while one stands in), who may confirm it."""
    return holders(item.release, [item.owner_party])


def accountable(item: ChecklistItem, policy: DuePolicy) -> list:
    """Who is told past the due date: the holders on the release of the accountable
    party of RM.6.2 (the go-live the item holds; it may waive it or carry it into
    hypercare) and the release manager (RM.1.1): the same as for RM.6.2 itself."""
    step = due_reminders.Step(
        release=item.release,
        activity=GATED,
        what=item.title,
        due_date=item.due_date,
        policy=policy,
    )
    return due_reminders.accountable(step)


def _name(user) -> str:
    return user.get_full_name() or user.username


def _mail(item: ChecklistItem, kind: str, today: datetime.date, to_users) -> Communication:
    link = reverse("readiness:checklist", args=[item.release.identifier])
    context = {
        "release": item.release,
        "item": item,
        "priority": item.get_priority_display(),
        "holds_go_live": item.priority != Priority.LOW,
        "carried": item.status == ChecklistItem.Status.CARRIED,
        "due_date": item.due_date,
        "kind": kind,
        "link": link,
    }
    if kind == Kind.ESCALATION:
        context |= {
            "days_late": (today - item.due_date).days,
            "owing": [_name(u) for u in owing(item)],
        }
        mail = "checklist_item_escalation"
    else:
        mail = "checklist_item_reminder"
    subject, body = render_mail(mail, context)
    return outbox.post(
        release=item.release,
        activity=GATED,
        kind=Communication.Kind.PROCESS,
        interface="",
        subject=f"[{item.release.identifier}] {subject}",
        body=body,
        link=link,
        by=None,
        to_users=to_users,
        # each addressee's copy confirms the item from the mail (issue 16 point 1); the
        # accountable told of a late item do not confirm it
        personal=None if kind == Kind.ESCALATION else (PURPOSE, item),
    )


def remind(item: ChecklistItem, policy: DuePolicy, kind: str, today: datetime.date) -> bool:
    """Send one reminder (or escalation) of the item for today, unless it went already:
    the unique row and the outbox's mail are one transaction. Whether it was sent."""
    to_users = accountable(item, policy) if kind == Kind.ESCALATION else owing(item)
    if not to_users:
        return False
    with transaction.atomic():
        reminder, created = ItemReminder.objects.get_or_create(
            item=item, kind=kind, day=today, defaults={"due_date": item.due_date}
        )
        if not created:
            return False
        reminder.communication = _mail(item, kind, today, to_users)
        reminder.save(update_fields=["communication"])
        audit.record(
            actor=None,
            action="escalated" if kind == Kind.ESCALATION else "reminded",
            obj=reminder,
            release=item.release,
            after={
                "item": item.title,
                "priority": item.priority,
                "due_date": item.due_date.isoformat(),
                "to": sorted(u.username for u in to_users),
            },
        )
    return True


def remind_checklist_items(today: datetime.date | None = None) -> int:
    """The beat job: every item owed gets what is owed of it today; how many mails were
    queued."""
    today = today or timezone.localdate()
    sent = 0
    for item, policy in owed_items(today):
        kind = due_reminders.kind_owed(item.due_date, today, policy, item.reminders.all())
        if kind and remind(item, policy, kind, today):
            sent += 1
    return sent
