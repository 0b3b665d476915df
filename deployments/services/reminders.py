"""Reminders before and on the due date, and the escalation past it (issue 16 point 3).

Each step a release owes, an open activity (``releases.due_dates``) or a business
thread's decision (``deployments.due_dates``), is mailed to those who owe it once within
the policy's ``remind_days_before`` days of its due date and once on the day; past it,
the parties accountable for its activity in Table 4-1 (the release manager) are told,
again every ``settings.ESCALATE_EVERY_DAYS`` while it stays late. The ``Reminder`` row,
unique per step, kind and day, is written in the transaction that queues the mail in
the outbox: a job run twice at once, or again after its worker died, sends nothing
twice. The beat job is ``deployments.tasks.remind_due_steps_task``."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from raci.models import Party
from raci.permissions import Parties
from releasemgmt.audit import services as audit
from releasemgmt.notifications import services as outbox
from releasemgmt.notifications.models import Communication
from releases.communications import holders, parties_with, render_mail
from releases.due_dates import DuePolicy, policies_of, with_due_dates
from releases.models import ActivityRecord, Release
from releases.selectors import open_now

from ..models import DECISION_ACTIVITY, Reminder
from ..selectors import decisions_owed_everywhere
from . import decision_requests
from .links import activity_link, decision_link

Kind = Reminder.Kind


@dataclass(frozen=True)
class Step:
    """One thing a release owes now: an activity, or a thread's decision (``decision``
    its kind, ``thread`` the party owing it), with its due date."""

    release: Release
    activity: str
    what: str
    due_date: datetime.date
    policy: DuePolicy
    decision: str = ""
    thread: Party | None = None

    @property
    def key(self) -> str:
        if self.decision:
            return f"decision:{self.decision}:{self.thread.pk}"
        return self.activity

    @property
    def link(self) -> str:
        if self.decision:
            return decision_link(self.release, self.decision)
        return activity_link(self.release, self.activity)


def owed_steps() -> list[Step]:
    """Every step owed now on an open release: the pending activities of the stage it is
    in, and the decisions the business threads owe."""
    records = open_now(ActivityRecord.objects.all()).select_related(
        "release__application", "activity"
    )
    records = with_due_dates(records)
    policies = policies_of(r.release.application_id for r in records)
    steps = [
        Step(
            release=r.release,
            activity=r.activity.code,
            what=f"{r.activity.code} {r.activity.name}",
            due_date=r.due_date,
            policy=policies[r.release.application_id],
        )
        for r in records
        if r.due_date is not None
    ]
    owed = decisions_owed_everywhere()
    policies = policies_of(o["release"].application_id for o in owed)
    steps += [
        Step(
            release=o["release"],
            activity=DECISION_ACTIVITY[o["kind"]],
            what=f"{o['label']} ({DECISION_ACTIVITY[o['kind']]}) for {o['thread'].name}",
            due_date=o["due_date"],
            policy=policies[o["release"].application_id],
            decision=o["kind"],
            thread=o["thread"],
        )
        for o in owed
    ]
    return steps


def owing(step: Step) -> list:
    """Who is reminded of ``step``: the members of the thread owing a decision; the
    holders of the parties responsible (R) for an activity on the release, else of
    those accountable (A). The one place that says it (deputies join through `holders`)."""
    if step.thread is not None:
        return holders(step.release, [step.thread])
    return holders(step.release, parties_with(step.activity, "R")) or holders(
        step.release, parties_with(step.activity, "A")
    )


def accountable(step: Step) -> list:
    """Who is told past the due date: the holders on the release of the parties
    accountable (A) for the step's activity in Table 4-1, and the release manager, who
    is accountable for the release operation as a whole (RM.1.1) when the activity's A
    is another party (RM.5.2, RM.6.x: the deployment coordinator)."""
    told = Party.objects.filter(
        Q(id__in=parties_with(step.activity, "A").values("id")) | Q(name=Parties.RELEASE_MANAGER)
    )
    return holders(step.release, told)


#: decision kind or activity code -> the personal link its reminder carries
PERSONAL_LINKS: dict[str, Callable[[Step], tuple[str, object] | None]] = {}


def register_personal_link(name: str):
    """Decorator: the reminders of decision kind or activity ``name`` carry the personal
    link that ``maker(step)`` names (a purpose and its object, as the request mail's),
    made for each addressee when it is sent."""

    def register(maker):
        PERSONAL_LINKS[name] = maker
        return maker

    return register


def personal_link(step: Step) -> tuple[str, object] | None:
    maker = PERSONAL_LINKS.get(step.decision or step.activity)
    return maker(step) if maker else None


def reminder_kind(step: Step, today: datetime.date) -> str | None:
    """What is owed today for the step, if anything (``kind_owed``)."""
    sent = Reminder.objects.filter(release=step.release, step=step.key)
    return kind_owed(step.due_date, today, step.policy, sent)


def kind_owed(due_date: datetime.date, today: datetime.date, policy: DuePolicy, sent) -> str | None:
    """The rule of every reminder: once within the policy's days before the due date
    (once for that due date), once on the day, and past it an escalation unless one went
    within ``ESCALATE_EVERY_DAYS``. ``sent``: the reminders already sent of the one
    thing owed, rows with a ``kind``, a ``day`` and a ``due_date`` (a Move2Run item's
    reminders keep theirs in ``readiness``)."""
    days = (due_date - today).days
    if 0 < days <= policy.remind_days_before:
        if sent.filter(kind=Kind.BEFORE, due_date=due_date).exists():
            return None
        return Kind.BEFORE
    if days == 0:
        return Kind.DUE
    if days < 0:
        since = today - datetime.timedelta(days=settings.ESCALATE_EVERY_DAYS)
        if sent.filter(kind=Kind.ESCALATION, day__gt=since).exists():
            return None
        return Kind.ESCALATION
    return None


def _mail(step: Step, kind: str, today: datetime.date, to_users, *, mail: str) -> Communication:
    context = {
        "release": step.release,
        "what": step.what,
        "due_date": step.due_date,
        "kind": kind,
        "thread": step.thread,
        "activity": step.activity,
        "link": step.link,
    }
    if kind == Kind.ESCALATION:
        context |= {
            "days_late": (today - step.due_date).days,
            "owing": [u.get_full_name() or u.username for u in owing(step)],
        }
    subject, body = render_mail(mail, context)
    return outbox.post(
        release=step.release,
        activity=step.activity,
        kind=Communication.Kind.PROCESS,
        interface="",
        subject=f"[{step.release.identifier}] {subject}",
        body=body,
        link=step.link,
        by=None,
        to_users=to_users,
        **_asks(step, kind),
    )


def _asks(step: Step, kind: str) -> dict:
    """What lets the reminded act from the mail, as the request mail did: for a thread's
    decision its personal link and reply address (issue 16 points 1 and 2); for an
    activity the personal link its room registered. Nothing on an escalation: the
    accountable are told, they do not decide."""
    if kind == Kind.ESCALATION:
        return {}
    if step.decision:
        return decision_requests.mail_options(step.release, step.decision)
    link = personal_link(step)
    return {"personal": link} if link else {}


def remind(step: Step, kind: str, today: datetime.date) -> bool:
    """Send one reminder (or escalation) of the step for today, unless it went already:
    the unique row and the outbox's mail are one transaction. Whether it was sent."""
    to_users = accountable(step) if kind == Kind.ESCALATION else owing(step)
    if not to_users:
        return False
    with transaction.atomic():
        reminder, created = Reminder.objects.get_or_create(
            release=step.release,
            step=step.key,
            kind=kind,
            day=today,
            defaults={"activity": step.activity, "thread": step.thread, "due_date": step.due_date},
        )
        if not created:
            return False
        if kind == Kind.ESCALATION:
            reminder.communication = _mail(step, kind, today, to_users, mail="due_escalation")
        else:
            reminder.communication = _mail(step, kind, today, to_users, mail="due_reminder")
        reminder.save(update_fields=["communication"])
        audit.record(
            actor=None,
            action="escalated" if kind == Kind.ESCALATION else "reminded",
            obj=reminder,
            release=step.release,
            after={
                "step": step.key,
                "due_date": step.due_date.isoformat(),
                "to": sorted(u.username for u in to_users),
            },
        )
    return True


def remind_due_steps(today: datetime.date | None = None) -> int:
    """The beat job: every step owed now gets what is owed of it today; how many mails
    were queued."""
    today = today or timezone.localdate()
    sent = 0
    for step in owed_steps():
        kind = reminder_kind(step, today)
        if kind and remind(step, kind, today):
            sent += 1
    return sent
