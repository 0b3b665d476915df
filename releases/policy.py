"""The release policy of an application (issue 12 point 7; seed 001 sections 3.2, 3.3):
its rules, checked when a release is formalised or its planning revised (RM.1.1). A
breach is refused or goes ahead with the release manager's reason, as the policy says
per rule; an accepted breach is kept (``PolicyBreach``) and audited.

The version pattern is not a regular expression typed by a user: it is a short pattern
in which N stands for a number, A for letters, and digits, small letters and . - _ +
for themselves (``N.N.N``, ``N.N-rcN``). It compiles to an expression without nested
or adjacent repetition of one class, so matching it takes time linear in the version."""

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from raci import permissions
from raci.release_types import ReleaseType, rule
from releasemgmt.audit import services as audit

from .models import DeploymentOption, OnBreach, PolicyBreach, Release, ReleasePolicy, Window
from .stages import Stage

Rule = PolicyBreach.Rule
TOKENS = {"N": "[0-9]+", "A": "[A-Za-z]+"}
LITERALS = set("0123456789abcdefghijklmnopqrstuvwxyz.-_+")
#: the longest planning rules a policy may set, in days (ten years)
MAX_DAYS = 3650
POLICY_FIELDS = [
    "allowed_types",
    "types_on_breach",
    "version_pattern",
    "version_on_breach",
    "min_days_between",
    "frequency_on_breach",
    "windows",
    "windows_on_breach",
    "lead_days",
    "lead_on_breach",
    "default_deployment_option",
    "hypercare_days",
    "review_every_release",
    "decision_days",
    "authorisation_lead_days",
    "after_installation_days",
    "remind_days_before",
]
#: the rules of due dates and reminders (``releases.due_dates``), in days
DUE_DATE_FIELDS = (
    "decision_days",
    "authorisation_lead_days",
    "after_installation_days",
    "remind_days_before",
)
#: the longest of them (a quarter: longer is no longer a due date)
MAX_DUE_DAYS = 90
ON_BREACH = {
    Rule.TYPES: "types_on_breach",
    Rule.VERSION: "version_on_breach",
    Rule.FREQUENCY: "frequency_on_breach",
    Rule.WINDOWS: "windows_on_breach",
    Rule.LEAD_TIME: "lead_on_breach",
}


@dataclass(frozen=True)
class Breach:
    rule: str
    field: str
    message: str
    refused: bool


def compile_pattern(pattern: str) -> re.Pattern:
    """The expression of a version pattern; ValueError says what is wrong with it."""
    if not pattern:
        raise ValueError("Write a pattern, for example N.N.N.")
    if len(pattern) > ReleasePolicy.PATTERN_MAX_LENGTH:
        raise ValueError(f"At most {ReleasePolicy.PATTERN_MAX_LENGTH} characters.")
    parts = []
    for before, char in zip(" " + pattern, pattern, strict=False):
        if char in TOKENS:
            if before == char:
                raise ValueError(f"Write {char} once for one {('number', 'word')[char == 'A']}.")
            parts.append(TOKENS[char])
        elif char in LITERALS:
            parts.append(re.escape(char))
        else:
            raise ValueError(
                "Use N (a number), A (letters), digits, small letters and . - _ + only."
            )
    return re.compile("".join(parts))


def _local_day(moment) -> datetime.date:
    return timezone.localtime(moment).date()


def window_holds_on(window, day: datetime.date) -> bool:
    """Whether a maintenance window is open on ``day`` (a weekly one on its weekdays
    between its start and its last day)."""
    first, last = _local_day(window.starts_at), _local_day(window.ends_at)
    if not window.repeats_weekly:
        return first <= day <= last
    if day < first or (window.repeat_until and day > window.repeat_until):
        return False
    span = min((last - first).days, 6)
    return (day.weekday() - first.weekday()) % 7 <= span


def policy_of(application) -> ReleasePolicy | None:
    return ReleasePolicy.objects.filter(application=application).prefetch_related("windows").first()


def breaches(
    application,
    *,
    release_type: str,
    version: str,
    planned_installation_date,
    release=None,
    rules=tuple(Rule.values),
) -> list[Breach]:
    """Every rule of the application's policy that the planned release breaks (only
    ``rules``). Lead time, frequency and windows are rules of planned releases: an
    emergency release is not held to them (``TypeRule.planned_ahead``)."""
    policy = policy_of(application)
    if policy is None:
        return []
    found = []

    def breach(name, field, message):
        refused = getattr(policy, ON_BREACH[name]) == OnBreach.REFUSE
        found.append(Breach(name, field, message, refused))

    kind = ReleaseType(release_type) if release_type in ReleaseType.values else None
    if Rule.TYPES in rules and policy.allowed_types and release_type not in policy.allowed_types:
        allowed = ", ".join(ReleaseType(t).label.lower() for t in policy.allowed_types)
        breach(
            Rule.TYPES,
            "release_type",
            f"The policy of {application.code.upper()} takes {allowed} releases.",
        )
    pattern = policy.version_pattern
    if Rule.VERSION in rules and pattern and not compile_pattern(pattern).fullmatch(version or ""):
        breach(Rule.VERSION, "version", f"The policy's versions follow {policy.version_pattern}.")
    if kind is None or not rule(kind).planned_ahead or planned_installation_date is None:
        return found
    day = planned_installation_date
    if Rule.LEAD_TIME in rules and policy.lead_days is not None:
        today = timezone.localdate()
        if (day - today).days < policy.lead_days:
            breach(
                Rule.LEAD_TIME,
                "planned_installation_date",
                f"The policy plans installations {policy.lead_days} day(s) ahead at least; "
                f"{day:%Y-%m-%d} is {(day - today).days} day(s) from today.",
            )
    if Rule.FREQUENCY in rules and policy.min_days_between:
        gap = datetime.timedelta(days=policy.min_days_between)
        near = (
            Release.objects.filter(
                application=application,
                planned_installation_date__gt=day - gap,
                planned_installation_date__lt=day + gap,
            )
            .exclude(stage=Stage.CANCELLED)
            .exclude(pk=getattr(release, "pk", None))
            .order_by("planned_installation_date", "identifier")
            .values_list("identifier", "planned_installation_date")
            .first()
        )
        if near:
            breach(
                Rule.FREQUENCY,
                "planned_installation_date",
                f"The policy installs {application.code.upper()} every "
                f"{policy.min_days_between} day(s) at most often; {near[0]} is installed "
                f"on {near[1]:%Y-%m-%d}.",
            )
    windows = list(policy.windows.all())
    if Rule.WINDOWS in rules and windows and not any(window_holds_on(w, day) for w in windows):
        names = ", ".join(w.title for w in windows)
        breach(
            Rule.WINDOWS,
            "planned_installation_date",
            f"{day:%Y-%m-%d} is in none of the usual maintenance windows ({names}).",
        )
    return found


def revised_breaches(release, before: dict) -> list[Breach]:
    """RM.1.1 revised: the rules the changed fields touch, less the breaches already
    accepted for this release in the same words."""
    rules = set()
    if release.release_type != before["release_type"]:
        rules |= {Rule.TYPES, Rule.LEAD_TIME, Rule.FREQUENCY, Rule.WINDOWS}
    if release.planned_installation_date != before["planned_installation_date"]:
        rules |= {Rule.LEAD_TIME, Rule.FREQUENCY, Rule.WINDOWS}
    if not rules:
        return []
    accepted = set(release.policy_breaches.values_list("rule", "message"))
    return [
        b
        for b in breaches(
            release.application,
            release_type=release.release_type,
            version=release.version,
            planned_installation_date=release.planned_installation_date,
            release=release,
            rules=tuple(rules),
        )
        if (b.rule, b.message) not in accepted
    ]


def enforce(found: list[Breach], *, reason: str, release=None) -> list[Breach]:
    """Refused breaches answer 400 on their fields; the others need a reason (400 on
    ``policy_reason`` naming them). Returns the breaches to accept."""
    refused: dict[str, list[str]] = {}
    for b in found:
        if b.refused:
            refused.setdefault(b.field, []).append(f"{b.message} The policy refuses it.")
    if refused:
        raise ValidationError({f: " ".join(m) for f, m in refused.items()})
    if found and not (reason or "").strip():
        raise ValidationError(
            {
                "policy_reason": "This breaches the application's release policy: "
                + " ".join(b.message for b in found)
                + " Say why it goes ahead."
            }
        )
    return found


def accept(release, found: list[Breach], *, reason: str, by) -> None:
    """Keep the accepted breaches with their reason, and audit them."""
    for b in found:
        row = PolicyBreach.objects.create(
            release=release, rule=b.rule, message=b.message, reason=reason, accepted_by=by
        )
        audit.record(
            actor=by,
            action="policy_breach_accepted",
            obj=row,
            release=release,
            after={"rule": b.rule, "message": b.message, "reason": reason},
        )


# --- managing a policy ----------------------------------------------------------------


def _snapshot(policy) -> dict:
    values = {f: getattr(policy, f) for f in POLICY_FIELDS if f != "windows"}
    values["windows"] = sorted(w.title for w in policy.windows.all()) if policy.pk else []
    return values


def _errors(values: dict, application) -> dict:
    errors = {}
    types = values.get("allowed_types") or []
    if not isinstance(types, list) or any(t not in ReleaseType.values for t in types):
        errors["allowed_types"] = "Any of major, minor, emergency."
    elif len(set(types)) != len(types):
        errors["allowed_types"] = "Name each type once."
    pattern = values.get("version_pattern") or ""
    if pattern:
        try:
            compile_pattern(pattern)
        except ValueError as exc:
            errors["version_pattern"] = str(exc)
    for field in ("min_days_between", "lead_days", "hypercare_days"):
        days = values.get(field)
        if days is not None and not 0 <= days <= MAX_DAYS:
            errors[field] = f"Between 0 and {MAX_DAYS} days."
    for field in DUE_DATE_FIELDS:
        days = values.get(field)
        if days is not None and not 0 <= days <= MAX_DUE_DAYS:
            errors[field] = f"Between 0 and {MAX_DUE_DAYS} days."
    for field in ON_BREACH.values():
        if values.get(field, OnBreach.WARN) not in OnBreach.values:
            errors[field] = "Warn or refuse."
    option = values.get("default_deployment_option") or ""
    if option and option not in DeploymentOption.values:
        errors["default_deployment_option"] = "Big bang, phased, push or pull."
    wrong = [
        w
        for w in values.get("windows") or []
        if w.kind != Window.Kind.MAINTENANCE or w.application_id != application.pk
    ]
    if wrong:
        errors["windows"] = (
            f"Only maintenance windows of {application.code.upper()}: not "
            + ", ".join(w.title for w in wrong)
            + "."
        )
    return errors


@transaction.atomic
def save_policy(application, *, by, **values) -> ReleasePolicy:
    """The release manager (or the process owner) sets an application's policy; audited
    with what it was before."""
    if not permissions.may_manage_policies(by):
        raise PermissionDenied("Only an ITSM Release Manager or a process owner sets a policy.")
    unknown = set(values) - set(POLICY_FIELDS)
    if unknown:
        raise ValidationError({f: "Not a field of a policy." for f in sorted(unknown)})
    errors = _errors(values, application)
    if errors:
        raise ValidationError(errors)
    policy = ReleasePolicy.objects.select_for_update().filter(
        application=application
    ).first() or ReleasePolicy(application=application, updated_by=by)
    before = _snapshot(policy) if policy.pk else {}
    windows = values.pop("windows", None)
    for field, value in values.items():
        setattr(policy, field, "" if value is None and field.endswith("pattern") else value)
    policy.allowed_types = sorted(policy.allowed_types or [], key=ReleaseType.values.index)
    policy.updated_by = by
    policy.save()
    if windows is not None:
        policy.windows.set(windows)
    audit.record(
        actor=by,
        action="policy_saved",
        obj=policy,
        before=before,
        after=_snapshot(policy),
    )
    return policy
