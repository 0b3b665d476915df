"""The dated plan of a release: its milestones (delivery, kick-off, pSAT, SAT,
installation, conformance testing), the baseline taken when the release plan is published
(RM.1.4) and every re-plan since, with who and why. RM.1.1's two dates are the delivery
and installation milestones by the day; a window planned to the hour refines them."""

from datetime import datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from raci import permissions as raci
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict

from . import signals
from .models import Milestone, MilestoneChange, Release, Window

Kind = Milestone.Kind
#: the milestones RM.1.1's dates hold, and the release field of each
HEADLINE = {Kind.DELIVERY: "planned_delivery_date", Kind.INSTALLATION: "planned_installation_date"}
#: who plans a milestone: the release manager (RM.1.1) any; the deployment coordinator
#: (RM.3.1) the ones of the deployment: kick-off, tests, installation; the conformance
#: testing also the campaign coordinator (``may_plan``)
PLANNERS = {
    Kind.DELIVERY: ("RM.1.1",),
    Kind.KICKOFF: ("RM.1.1", "RM.3.1"),
    Kind.PSAT: ("RM.1.1", "RM.3.1"),
    Kind.SAT: ("RM.1.1", "RM.3.1"),
    Kind.INSTALLATION: ("RM.1.1", "RM.3.1"),
    Kind.CONFORMANCE: ("RM.1.1", "RM.7.1"),
}
EARLIEST, LATEST = 2000, 2199


def whole_day(day) -> tuple[datetime, datetime]:
    """The day, midnight to midnight where the service runs."""
    start = datetime.combine(day, time(), timezone.get_current_timezone())
    return start, start + timedelta(days=1)


def place_headline_milestones(release) -> None:
    """RM.1.1: the delivery and installation milestones, by the day."""
    for kind, field in HEADLINE.items():
        starts_at, ends_at = whole_day(getattr(release, field))
        # one by one: the rooms above hear of each (the KPIs' overlapping installations)
        Milestone.objects.create(
            release=release, kind=kind, starts_at=starts_at, ends_at=ends_at, all_day=True
        )


def _moved(milestone, day) -> tuple[datetime, datetime]:
    """The milestone's window on another day: the whole day, or the same hours."""
    if milestone.all_day:
        return whole_day(day)
    hours = timezone.localtime(milestone.starts_at).time()
    start = timezone.make_aware(datetime.combine(day, hours))
    return start, start + (milestone.ends_at - milestone.starts_at)


def _change(milestone, starts_at, ends_at, *, by, reason: str) -> bool:
    """Move a milestone, keeping the re-plan; False when nothing moved."""
    if (milestone.starts_at, milestone.ends_at) == (starts_at, ends_at):
        return False
    MilestoneChange.objects.create(
        milestone=milestone,
        starts_before=milestone.starts_at,
        ends_before=milestone.ends_at,
        starts_after=starts_at,
        ends_after=ends_at,
        reason=reason,
        changed_by=by,
    )
    milestone.starts_at, milestone.ends_at = starts_at, ends_at
    milestone.save(update_fields=["starts_at", "ends_at", "all_day"])
    return True


def follow_planned_dates(release, *, by, reason: str = "") -> None:
    """RM.1.1 revised: the delivery and installation milestones follow the dates."""
    milestones = {m.kind: m for m in release.milestones.filter(kind__in=list(HEADLINE))}
    for kind, field in HEADLINE.items():
        day = getattr(release, field)
        milestone = milestones.get(kind)
        if milestone is None:
            start, end = whole_day(day)
            Milestone.objects.create(release=release, kind=kind, starts_at=start, ends_at=end)
        elif timezone.localtime(milestone.starts_at).date() != day:
            _change(milestone, *_moved(milestone, day), by=by, reason=reason)


def may_plan(user, release, kind: str) -> bool:
    """Who plans a milestone (``PLANNERS``); the conformance testing also the campaign
    coordinator, who runs the CT campaign."""
    if kind == Kind.CONFORMANCE and raci.may_plan_conformance(user, release):
        return True
    return any(raci.may_perform(user, release, code) for code in PLANNERS.get(kind, ()))


def plannable_kinds(user, release) -> list[str]:
    """The milestones this user may plan on the release, in the order of the plan."""
    return [kind for kind in Kind.values if may_plan(user, release, kind)]


def _check_window(starts_at, ends_at) -> dict:
    errors = {}
    for name, value in (("starts_at", starts_at), ("ends_at", ends_at)):
        if not isinstance(value, datetime) or timezone.is_naive(value):
            errors[name] = "Give a date and time with its time zone."
        elif not EARLIEST <= value.year <= LATEST:
            errors[name] = f"Give a date between {EARLIEST} and {LATEST}."
    if not errors and ends_at <= starts_at:
        errors["ends_at"] = "The end comes after the start."
    return errors


@transaction.atomic
def plan_milestone(release, kind: str, *, by, starts_at, ends_at, reason: str = "") -> Milestone:
    """Plan (or re-plan) a milestone to the hour. After the release plan is published,
    a re-plan says why. RM.1.1's dates follow the delivery and installation windows."""
    release = Release.objects.select_for_update().get(pk=release.pk)
    if not release.is_open:
        raise Conflict(f"{release.identifier} is {release.get_stage_display().lower()}.")
    if kind not in Kind.values:
        raise ValidationError({"kind": "One of: " + ", ".join(Kind.values) + "."})
    if not may_plan(by, release, kind):
        who = " or ".join(PLANNERS[kind])
        also = " (or an ITSM Campaign Coordinator)" if kind == Kind.CONFORMANCE else ""
        raise PermissionDenied(
            f"Only a party Responsible or Accountable for {who}{also} "
            f"plans the {Kind(kind).label.lower()} of {release.identifier}."
        )
    errors = _check_window(starts_at, ends_at)
    if not isinstance(reason, str):
        errors["reason"] = "Give text."
    if errors:
        raise ValidationError(errors)
    milestone = release.milestones.filter(kind=kind).first()
    published = release.milestones.filter(baseline_starts_at__isnull=False).exists()
    if milestone and published and not reason.strip():
        raise ValidationError({"reason": "The release plan is published: say why it moves."})
    if kind in HEADLINE:
        day = timezone.localtime(starts_at).date()
        dates = {f: getattr(release, f) for f in HEADLINE.values()} | {HEADLINE[kind]: day}
        if dates["planned_installation_date"] < dates["planned_delivery_date"]:
            raise ValidationError({"starts_at": "The installation comes after the delivery."})
    if milestone is None:
        milestone = Milestone.objects.create(
            release=release, kind=kind, starts_at=starts_at, ends_at=ends_at, all_day=False
        )
        before = None
    else:
        before = (milestone.starts_at, milestone.ends_at)
        milestone.all_day = False
        if not _change(milestone, starts_at, ends_at, by=by, reason=reason.strip()):
            milestone.save(update_fields=["all_day"])
    audit.record(
        actor=by,
        action="milestone_planned",
        obj=milestone,
        release=release,
        before={"window": before} if before else {},
        after={"kind": kind, "window": (starts_at, ends_at), "reason": reason.strip()},
    )
    if kind in HEADLINE:
        _follow_headline_date(release, kind, timezone.localtime(starts_at).date(), by=by)
    return milestone


def _follow_headline_date(release, kind, day, *, by) -> None:
    field = HEADLINE[kind]
    before = getattr(release, field)
    if before == day:
        return
    Release.objects.filter(pk=release.pk).update(**{field: day})
    setattr(release, field, day)
    audit.record(
        actor=by,
        action="planning_revised",
        obj=release,
        release=release,
        before={field: before},
        after={field: day},
    )
    if kind == Kind.INSTALLATION:
        signals.installation_date_moved.send(sender=Release, release=release, before=before, by=by)


def take_baseline(release) -> int:
    """RM.1.4: the plan as published is the baseline late releases are measured against
    (seed 002). Taken once; re-plans afterwards are changes against it."""
    return release.milestones.filter(baseline_starts_at__isnull=True).update(
        baseline_starts_at=F("starts_at"), baseline_ends_at=F("ends_at")
    )


# --- blackout and maintenance windows ------------------------------------------------

WINDOW_FIELDS = (
    "kind",
    "title",
    "reason",
    "starts_at",
    "ends_at",
    "repeats_weekly",
    "repeat_until",
    "application",
    "business_thread",
)


def _window_errors(values: dict) -> dict:
    errors = _check_window(values.get("starts_at"), values.get("ends_at"))
    if values.get("kind") not in Window.Kind.values:
        errors["kind"] = "blackout or maintenance."
    title = values.get("title")
    if not isinstance(title, str) or not title.strip():
        errors["title"] = "Give the window a title."
    elif len(title) > Window._meta.get_field("title").max_length:
        errors["title"] = "At most 200 characters."
    reason = values.get("reason", "")
    if not isinstance(reason, str) or len(reason) > 100_000:
        errors["reason"] = "Give text (at most 100,000 characters)."
    if values.get("kind") == Window.Kind.MAINTENANCE:
        if values.get("application") is None:
            errors["application"] = "A maintenance window belongs to an application."
        if values.get("business_thread") is not None:
            errors["business_thread"] = "A maintenance window belongs to an application."
    if values.get("application") is not None and values.get("business_thread") is not None:
        errors["business_thread"] = "A blackout holds for an application or a thread, not both."
    if values.get("repeats_weekly"):
        if (
            "starts_at" not in errors
            and "ends_at" not in errors
            and (values["ends_at"] - values["starts_at"] > timedelta(days=7))
        ):
            errors["ends_at"] = "A window repeated weekly lasts a week at most."
        until = values.get("repeat_until")
        if until is not None and "starts_at" not in errors and until < values["starts_at"].date():
            errors["repeat_until"] = "The repetition ends after the first window."
    elif values.get("repeat_until") is not None:
        errors["repeat_until"] = "Only a window repeated weekly has an end date."
    thread = values.get("business_thread")
    if thread is not None and thread.kind != thread.Kind.BUSINESS_THREAD:
        errors["business_thread"] = "Only a DG TAXUD business thread."
    return errors


@transaction.atomic
def save_window(window=None, *, by, **values) -> Window:
    """Record or change a blackout or maintenance window (the release manager)."""
    if not raci.may_formalise(by):
        raise PermissionDenied(
            "Only an ITSM Release Manager manages blackout and maintenance windows."
        )
    unknown = set(values) - set(WINDOW_FIELDS)
    if unknown:
        raise ValidationError({f: "This field cannot be set." for f in sorted(unknown)})
    current = {f: getattr(window, f) for f in WINDOW_FIELDS} if window else {}
    merged = {"reason": "", "repeats_weekly": False, "repeat_until": None} | current | values
    errors = _window_errors(merged)
    if errors:
        raise ValidationError(errors)
    before = _window_snapshot(window) if window else {}
    window = window or Window(created_by=by)
    for field, value in merged.items():
        setattr(window, field, value)
    window.save()
    audit.record(
        actor=by,
        action="window_saved",
        obj=window,
        before=before,
        after=_window_snapshot(window),
    )
    return window


def _window_snapshot(window) -> dict:
    return {f: getattr(window, f) for f in WINDOW_FIELDS}


@transaction.atomic
def remove_window(window, *, by) -> None:
    if not raci.may_formalise(by):
        raise PermissionDenied(
            "Only an ITSM Release Manager manages blackout and maintenance windows."
        )
    audit.record(actor=by, action="window_removed", obj=window, before=_window_snapshot(window))
    window.delete()


def occurrences(window, start, end) -> list[tuple[datetime, datetime]]:
    """The times ``window`` holds that meet [start, end): once, or every week (the same
    local hours, across a change of summer time) until its end date."""
    if not window.repeats_weekly:
        return (
            [(window.starts_at, window.ends_at)]
            if window.starts_at < end and window.ends_at > start
            else []
        )
    first = timezone.localtime(window.starts_at)
    length = window.ends_at - window.starts_at
    weeks = max(0, (start - window.ends_at).days // 7)
    found = []
    while True:
        day = first.date() + timedelta(weeks=weeks)
        if window.repeat_until and day > window.repeat_until:
            break
        s = timezone.make_aware(datetime.combine(day, first.time()))
        if s >= end:
            break
        if s + length > start:
            found.append((s, s + length))
        weeks += 1
    return found
