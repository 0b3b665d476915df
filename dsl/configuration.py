"""Configuration management (seed 003, RM.6.5 and RM.6.7): the baseline production runs
after each successful installation, the comparison of production with the DSL, and the
configuration items whose status the configuration manager confirms at the closure."""

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from raci import permissions
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict

from .models import (
    Baseline,
    BaselineItem,
    CIStatus,
    CIStatusChange,
    CITask,
    Component,
    ConfigurationItem,
    ProposedStatusChange,
)

#: a manifest of installed components is read by people: a few hundred lines at most
MANIFEST_MAX_LINES = 500
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Installed:
    """One component as production runs it."""

    name: str
    version: str
    sha256: str


def parse_manifest(text: str) -> list[Installed]:
    """The installed components as application management reports them, one per line:
    ``name version sha256``. Raises ValidationError on ``installed`` naming the line."""
    rows, seen = [], set()
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MANIFEST_MAX_LINES:
        raise ValidationError({"installed": f"At most {MANIFEST_MAX_LINES} components."})
    for number, line in enumerate(lines, start=1):
        parts = line.split()
        if len(parts) != 3:
            raise ValidationError(
                {"installed": f"Line {number}: write 'name version sha256', separated by spaces."}
            )
        name, version, sha256 = parts[0], parts[1], parts[2].lower()
        if len(name) > 200 or len(version) > 40:
            raise ValidationError(
                {"installed": f"Line {number}: a name has at most 200, a version 40 characters."}
            )
        if not _SHA256.fullmatch(sha256):
            raise ValidationError(
                {"installed": f"Line {number}: the SHA-256 is 64 hexadecimal digits."}
            )
        if name in seen:
            raise ValidationError({"installed": f"Line {number}: {name} is named twice."})
        seen.add(name)
        rows.append(Installed(name, version, sha256))
    return rows


def latest_baseline(application, *, before=None) -> Baseline | None:
    """The newest baseline of the application (the last known good state)."""
    baselines = Baseline.objects.filter(application=application)
    if before is not None:
        baselines = baselines.exclude(pk=before.pk).filter(recorded_at__lte=before.recorded_at)
    return baselines.order_by("-recorded_at", "-pk").first()


def release_baseline(release) -> Baseline | None:
    """The baseline the release's own production installation recorded (RM.6.5)."""
    return Baseline.objects.filter(release=release).order_by("-recorded_at", "-pk").first()


def _register(application, *, kind, name, version, release, by, status, reason):
    """The CI of ``name version``: registered (status and its first history entry) when
    it is new; moved on to ``status`` when it is further along the lifecycle (planned, in
    test, live) than it was; left alone otherwise."""
    item, created = ConfigurationItem.objects.get_or_create(
        application=application,
        kind=kind,
        name=name,
        version=version,
        defaults={"status": status, "release": release},
    )
    if created:
        CIStatusChange.objects.create(
            item=item, to_status=status, reason=reason, release=release, changed_by=by
        )
    elif LIFECYCLE.index(item.status) < LIFECYCLE.index(status):
        _change_status(item, status, reason=reason, release=release, by=by)
    return item


#: the order a CI goes through before it is retired
LIFECYCLE = [CIStatus.PLANNED, CIStatus.IN_TEST, CIStatus.LIVE, CIStatus.RETIRED]


def _change_status(item, status, *, reason, release, by):
    CIStatusChange.objects.create(
        item=item,
        from_status=item.status,
        to_status=status,
        reason=reason,
        release=release,
        changed_by=by,
    )
    item.status = status
    item.save(update_fields=["status", "updated_at"])


def _register_release(release, *, by, status, reason, components=None):
    """The release's application CI and its components' CIs, at ``status``."""
    application = release.application
    _register(
        application,
        kind=ConfigurationItem.Kind.APPLICATION,
        name=application.code,
        version=release.version,
        release=release,
        by=by,
        status=status,
        reason=reason,
    )
    if components is None:
        components = Component.objects.filter(release=release)
    for component in components:
        _register(
            application,
            kind=ConfigurationItem.Kind.COMPONENT,
            name=component.name,
            version=component.version,
            release=release,
            by=by,
            status=status,
            reason=reason,
        )


def register_delivered(component, *, by) -> None:
    """RM.2.3: a component stored in the DSL is a CI, planned (seed 003: a CI is
    identified when it comes under configuration control, before it is tested)."""
    _register_release(
        component.release,
        by=by,
        status=CIStatus.PLANNED,
        reason="Delivered to the DSL (RM.2.3).",
        components=[component],
    )


def register_in_test(release, *, by) -> None:
    """RM.3.3: the release accepted in its test environments: its CIs are in test."""
    _register_release(
        release,
        by=by,
        status=CIStatus.IN_TEST,
        reason="Accepted in the SAT environment (RM.3.3).",
    )


@transaction.atomic
def record_baseline(release, *, by, installed=None) -> Baseline:
    """RM.6.5: what production runs now. ``installed`` lists the components as
    application management reports them installed; without it, the release's components
    as the DSL holds them. Components of the previous baseline that the release does not
    touch stay as they were. The release's CIs are registered."""
    previous = latest_baseline(release.application)
    if installed is None:
        installed = [
            Installed(c.name, c.version, c.sha256)
            for c in Component.objects.filter(release=release).order_by("name", "version")
        ]
    rows = {i.name: i for i in installed}
    if previous is not None:
        for item in previous.items.all():
            rows.setdefault(item.name, Installed(item.name, item.version, item.sha256))
    baseline = Baseline.objects.create(
        application=release.application, release=release, previous=previous, recorded_by=by
    )
    BaselineItem.objects.bulk_create(
        BaselineItem(baseline=baseline, name=i.name, version=i.version, sha256=i.sha256)
        for i in sorted(rows.values(), key=lambda i: i.name)
    )
    _register_release(
        release,
        by=by,
        status=CIStatus.IN_TEST,
        reason="Installed in production (RM.6.5).",
    )
    audit.record(
        actor=by,
        action="baseline_recorded",
        obj=baseline,
        release=release,
        after={
            "previous": previous.pk if previous else None,
            "components": [f"{i.name} {i.version} {i.sha256}" for i in rows.values()],
        },
    )
    return baseline


# --- RM.6.7: production compared with the DSL -----------------------------------------

MISSING_IN_DSL = "missing in DSL"
MISSING_IN_PRODUCTION = "missing in production"
CHECKSUM_DIFFERS = "checksum differs"
VERSION_DIFFERS = "version differs"


def production_differences(release) -> tuple[Baseline | None, list[dict]]:
    """RM.6.7 "controls that the DSL is properly populated and that versions stored are
    really the same as the versions in production": the application's newest baseline
    (what production runs now) compared, component by component, with the DSL. The
    components of the version in production are those its release delivered; a
    component it did not deliver must be in the DSL at the version production runs.
    Each difference: component, problem, production ('version sha256'), dsl."""
    baseline = latest_baseline(release.application)
    if baseline is None:
        return None, []
    delivered = {c.name: c for c in Component.objects.filter(release=baseline.release_id)}
    running = {i.name: i for i in baseline.items.all()}
    others = {}
    undelivered = [i for name, i in running.items() if name not in delivered]
    if undelivered:
        for c in Component.objects.filter(
            release__application=release.application,
            name__in=[i.name for i in undelivered],
        ):
            others[(c.name, c.version)] = c
    differences = []

    def differ(name, problem, production, dsl):
        differences.append(
            {"component": name, "problem": problem, "production": production, "dsl": dsl}
        )

    def shown(x):
        return f"{x.version} {x.sha256}" if x is not None else ""

    for name in sorted(set(running) | set(delivered)):
        item, component = running.get(name), delivered.get(name)
        if item is None:
            differ(name, MISSING_IN_PRODUCTION, "", shown(component))
        elif component is None:
            stored = others.get((name, item.version))
            if stored is None:
                differ(name, MISSING_IN_DSL, shown(item), "")
            elif stored.sha256 != item.sha256:
                differ(name, CHECKSUM_DIFFERS, shown(item), shown(stored))
        elif component.version != item.version:
            differ(name, VERSION_DIFFERS, shown(item), shown(component))
        elif component.sha256 != item.sha256:
            differ(name, CHECKSUM_DIFFERS, shown(item), shown(component))
    return baseline, differences


def describe(differences) -> list[str]:
    """Each difference in a line: 'ecs-core: checksum differs'."""
    return [f"{d['component']}: {d['problem']}" for d in differences]


# --- RM.6.7: the configuration manager's task ------------------------------------------


@transaction.atomic
def open_ci_task(release, *, by) -> CITask:
    """RM.6.7 reports the end to the configuration manager: a task listing the CI status
    changes the release implies. Installed: the new version's CIs live, the previous
    version's CIs it replaces retired. Rolled back: the release's CIs retired."""
    task, _ = CITask.objects.get_or_create(release=release)
    task.proposals.all().delete()
    proposals = {}
    delivered = Q()
    for name, version in Component.objects.filter(release=release).values_list("name", "version"):
        delivered |= Q(kind=ConfigurationItem.Kind.COMPONENT, name=name, version=version)
    own = list(
        ConfigurationItem.objects.filter(application=release.application).filter(
            Q(
                kind=ConfigurationItem.Kind.APPLICATION,
                name=release.application.code,
                version=release.version,
            )
            | delivered
        )
    )
    own_keys = {(i.kind, i.name, i.version) for i in own}
    installed = release_baseline(release) is not None and not release.rollback_plan_used
    for item in own:
        proposals[item.pk] = (item, CIStatus.LIVE if installed else CIStatus.RETIRED)
    if installed:
        current = release_baseline(release)
        previous = current.previous
        if previous is not None:
            running = {(i.name, i.version) for i in current.items.all()}
            replaced = [
                (i.name, i.version)
                for i in previous.items.all()
                if (i.name, i.version) not in running
            ]
            kept_app = (release.application.code, previous.release.version)
            for item in ConfigurationItem.objects.filter(application=release.application).exclude(
                status=CIStatus.RETIRED
            ):
                if (item.kind, item.name, item.version) in own_keys:
                    continue
                key = (item.name, item.version)
                is_previous_app = (
                    item.kind == ConfigurationItem.Kind.APPLICATION and key == kept_app
                )
                if key in replaced or is_previous_app:
                    proposals[item.pk] = (item, CIStatus.RETIRED)
    ProposedStatusChange.objects.bulk_create(
        ProposedStatusChange(task=task, item=item, from_status=item.status, proposed_status=to)
        for item, to in proposals.values()
    )
    audit.record(
        actor=by,
        action="ci_task_opened",
        obj=task,
        release=release,
        after={"proposals": [f"{i.name} {i.version} -> {to}" for i, to in proposals.values()]},
    )
    return task


def require_configuration_manager(user) -> None:
    if not permissions.may_confirm_ci_changes(user):
        raise PermissionDenied("Only the configuration manager confirms CI status changes.")


@transaction.atomic
def confirm_ci_task(task, *, by, statuses: dict[int, str], note="") -> CITask:
    """The configuration manager confirms each proposed change, or amends it (saying why
    in ``note``): the CIs' statuses change, each with its history entry."""
    require_configuration_manager(by)
    task = CITask.objects.select_for_update().select_related("release").get(pk=task.pk)
    if task.status != CITask.Status.OPEN:
        raise Conflict("These CI status changes are confirmed already.")
    proposals = list(task.proposals.select_related("item").select_for_update(of=("self",)))
    amended = [p for p in proposals if statuses.get(p.pk, p.proposed_status) != p.proposed_status]
    if amended and not note.strip():
        raise ValidationError({"note": "Say why you amend the proposed status changes."})
    release = task.release
    for proposal in proposals:
        to = statuses.get(proposal.pk, proposal.proposed_status)
        proposal.confirmed_status = to
        proposal.save(update_fields=["confirmed_status"])
        item = ConfigurationItem.objects.select_for_update().get(pk=proposal.item_id)
        if item.status != to:
            reason = note.strip() or f"Confirmed at the closure of {release.identifier} (RM.6.7)."
            _change_status(item, to, reason=reason, release=release, by=by)
    task.status = CITask.Status.CONFIRMED
    task.confirmed_by = by
    task.confirmed_at = timezone.now()
    task.note = note
    task.save(update_fields=["status", "confirmed_by", "confirmed_at", "note"])
    audit.record(
        actor=by,
        action="ci_changes_confirmed",
        obj=task,
        release=release,
        after={
            "changes": [
                f"{p.item.name} {p.item.version} -> {p.confirmed_status}" for p in proposals
            ],
            "amended": [f"{p.item.name} {p.item.version}" for p in amended],
            "note": note,
        },
    )
    return task
