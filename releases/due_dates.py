"""When each activity a release owes is due (issue 16 point 3): derived from what the
release already knows, its plan (the milestones of RM.1.1, re-planned since) and the
policy (the application's ``ReleasePolicy``, else the site's ``settings.DUE_DATES``).
Nothing is stored: a re-plan moves the due dates with it.

The rules, per activity (``RULES``): an activity that makes a milestone happen is due
when the milestone ends (RM.2.2 the delivery, RM.3.2 the kick-off, RM.6.3 the
installation, RM.7.2 the conformance testing); the decisions after pSAT and SAT (RM.4.1,
RM.4.2) the policy's working days to decide after the test ends; everything else of a
stage by the next milestone the stage prepares: RM.1 before the delivery (the plan is
published before anything arrives, RM.1.4), the rest of RM.2 and RM.3.1 before the
kick-off, RM.3.3 before pSAT, RM.5 the policy's lead days before the installation
(RM.5.1 plan approved, RM.5.2 authorised), RM.6.1 and RM.6.2 on the installation's
first day, what follows the installation (RM.6.5 to RM.6.7 and the
go-ahead of conformance testing, RM.7.1) the policy's working days after it. The
rollback (RM.6.4) has none of its own: it is owed only after a failed installation, and
the threads' validation of it is due on the day of the report (``deployments.due_dates``). A
milestone not planned falls back to the next one (``FALLBACK``), the delivery and the
installation to the release's own dates."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone

from .models import Milestone, ReleasePolicy

Kind = Milestone.Kind
START, END = "start", "end"
#: what the policy adds to the milestone's day
DECIDE, LEAD, AFTER = "decide", "lead", "after"

#: activity -> (the milestone it is due by, its first or last day, the policy's offset)
RULES = {
    "RM.1.1": (Kind.DELIVERY, START, None),
    "RM.1.2": (Kind.DELIVERY, START, None),
    "RM.1.3": (Kind.DELIVERY, START, None),
    "RM.1.4": (Kind.DELIVERY, START, None),
    "RM.2.1": (Kind.KICKOFF, START, None),
    "RM.2.2": (Kind.DELIVERY, END, None),
    "RM.2.3": (Kind.KICKOFF, START, None),
    "RM.2.4": (Kind.KICKOFF, START, None),
    "RM.3.1": (Kind.KICKOFF, START, None),
    "RM.3.2": (Kind.KICKOFF, END, None),
    "RM.3.3": (Kind.PSAT, START, None),
    "RM.4.1": (Kind.PSAT, END, DECIDE),
    "RM.4.2": (Kind.SAT, END, DECIDE),
    "RM.5.1": (Kind.INSTALLATION, START, LEAD),
    "RM.5.2": (Kind.INSTALLATION, START, LEAD),
    "RM.6.1": (Kind.INSTALLATION, START, None),
    "RM.6.2": (Kind.INSTALLATION, START, None),
    "RM.6.3": (Kind.INSTALLATION, END, None),
    "RM.6.5": (Kind.INSTALLATION, END, AFTER),
    "RM.6.6": (Kind.INSTALLATION, END, AFTER),
    "RM.6.7": (Kind.INSTALLATION, END, AFTER),
    "RM.7.1": (Kind.INSTALLATION, END, AFTER),
    "RM.7.2": (Kind.CONFORMANCE, END, None),
}
#: a milestone not planned: the one that stands in for it
FALLBACK = {
    Kind.KICKOFF: Kind.PSAT,
    Kind.PSAT: Kind.SAT,
    Kind.SAT: Kind.INSTALLATION,
    Kind.CONFORMANCE: Kind.INSTALLATION,
}


@dataclass(frozen=True)
class DuePolicy:
    """The offsets of one application's due dates, in days."""

    decision_days: int
    authorisation_lead_days: int
    after_installation_days: int
    remind_days_before: int


FIELDS = tuple(DuePolicy.__dataclass_fields__)


def due_policy(policy: ReleasePolicy | dict | None) -> DuePolicy:
    """The application's offsets, each empty one the site's default; ``policy`` is the
    application's, or its offsets read as values ({field: days or None})."""
    if policy is None:
        policy = {}
    elif not isinstance(policy, dict):
        policy = {field: getattr(policy, field) for field in FIELDS}
    values = {}
    for field in FIELDS:
        own = policy.get(field)
        values[field] = settings.DUE_DATES[field] if own is None else own
    return DuePolicy(**values)


def loaded_policy(application) -> DuePolicy:
    """The offsets of an application whose ``policy`` was selected with it (a missing
    policy is the site's defaults)."""
    try:
        return due_policy(application.policy)
    except ReleasePolicy.DoesNotExist:
        return due_policy(None)


def add_working_days(day: datetime.date, days: int) -> datetime.date:
    """``days`` working days (Monday to Friday) after ``day``; 0 is the day itself, moved
    to the next working day if it falls on a weekend."""
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    while days > 0:
        day += datetime.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def local_day(moment) -> datetime.date:
    return timezone.localdate(moment) if isinstance(moment, datetime.datetime) else moment


def milestone_day(release, milestones: dict, kind, edge: str) -> datetime.date:
    """The first or last planned day of milestone ``kind``, or of the one standing in."""
    while True:
        milestone = milestones.get(kind)
        if milestone is not None:
            moment = milestone.starts_at if edge == START else milestone.ends_at
            if edge == END and not milestone.all_day:
                return local_day(moment)
            # an all-day milestone ends at midnight after its last day
            return local_day(moment - datetime.timedelta(seconds=1) if edge == END else moment)
        if kind == Kind.DELIVERY:
            return release.planned_delivery_date
        if kind == Kind.INSTALLATION:
            return release.planned_installation_date
        kind = FALLBACK[kind]


def with_policy(day: datetime.date, offset, policy: DuePolicy) -> datetime.date:
    if offset == DECIDE:
        return add_working_days(day, policy.decision_days)
    if offset == LEAD:
        return day - datetime.timedelta(days=policy.authorisation_lead_days)
    if offset == AFTER:
        return add_working_days(day, policy.after_installation_days)
    return day


def activity_due(release, code: str, milestones: dict, policy: DuePolicy) -> datetime.date | None:
    """When activity ``code`` of the release is due (``RULES``); ``milestones`` maps the
    release's milestone kinds to their records. None for an activity without a rule."""
    rule = RULES.get(code)
    if rule is None:
        return None
    kind, edge, offset = rule
    return with_policy(milestone_day(release, milestones, kind, edge), offset, policy)


def lateness(due: datetime.date | None, today: datetime.date | None = None) -> str:
    """ "late" past the due date, "today" on it, "" otherwise."""
    if due is None:
        return ""
    today = today or timezone.localdate()
    return "late" if due < today else "today" if due == today else ""


@dataclass(frozen=True, slots=True)
class PlannedDates:
    """A milestone's dates, as ``milestone_day`` reads them."""

    starts_at: datetime.datetime
    ends_at: datetime.datetime
    all_day: bool


def milestones_of(release_ids, kinds=None) -> dict:
    """{release id: {kind: PlannedDates}} of these releases (of these kinds only, when
    given), in one query. Their dates alone: a start page's 21 activities waiting had
    the ORM make 84 milestones of every field (issue 17)."""
    found = {}
    milestones = Milestone.objects.filter(release_id__in=set(release_ids)).order_by()
    if kinds is not None:
        milestones = milestones.filter(kind__in=kinds)
    rows = milestones.values_list("release_id", "kind", "starts_at", "ends_at", "all_day")
    for release_id, kind, starts_at, ends_at, all_day in rows:
        found.setdefault(release_id, {})[kind] = PlannedDates(starts_at, ends_at, all_day)
    return found


def policies_of(application_ids) -> dict:
    """{application id: DuePolicy} of these applications, in one query."""
    application_ids = set(application_ids)
    policies = {
        p["application_id"]: p
        for p in ReleasePolicy.objects.filter(application_id__in=application_ids)
        .order_by()
        .values("application_id", *FIELDS)
    }
    return {a: due_policy(policies.get(a)) for a in application_ids}


def with_due_dates(records, today: datetime.date | None = None, milestones=None) -> list:
    """The activity records (with their release and activity), each given ``due_date``
    and ``lateness``, sorted by due date, the undated last: two queries for any number
    (one, given their releases' ``milestones`` as ``milestones_of`` reads them)."""
    records = list(records)
    if milestones is None:
        milestones = milestones_of(r.release_id for r in records)
    policies = policies_of(r.release.application_id for r in records)
    today = today or timezone.localdate()
    for record in records:
        record.due_date = activity_due(
            record.release,
            record.activity.code,
            milestones.get(record.release_id, {}),
            policies[record.release.application_id],
        )
        record.lateness = lateness(record.due_date, today)
    return sorted(records, key=lambda r: (r.due_date is None, r.due_date or today))
