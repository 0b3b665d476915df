"""Business rules for releases, called by the web views and the API alike."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from raci import services as raci
from raci.models import Activity, Assignment, Party
from releasemgmt.audit import services as audit

from .models import ActivityRecord, Release

#: Fields of RM.1.1 that a release manager may revise while the release is open.
PLANNING_FIELDS = [
    "name",
    "release_type",
    "planned_delivery_date",
    "planned_installation_date",
    "conformance_testing",
    "description",
]
CONFORMANCE_ACTIVITIES = ("RM.7.1", "RM.7.2")


def _snapshot(release) -> dict:
    return {f: getattr(release, f) for f in ["application", "version", *PLANNING_FIELDS]}


def _check_dates(planned_delivery_date, planned_installation_date) -> None:
    if (
        planned_delivery_date
        and planned_installation_date
        and planned_installation_date < planned_delivery_date
    ):
        raise ValidationError(
            {"planned_installation_date": "The installation cannot be planned before the delivery."}
        )


def _apply_conformance(release) -> None:
    """RM.7 applies only to releases planned with conformance testing."""
    records = ActivityRecord.objects.filter(
        release=release, activity__code__in=CONFORMANCE_ACTIVITIES
    ).exclude(status=ActivityRecord.Status.DONE)
    if release.conformance_testing:
        records.update(status=ActivityRecord.Status.PENDING, comment="")
    else:
        records.update(
            status=ActivityRecord.Status.NOT_APPLICABLE,
            comment="Release planned without conformance testing.",
        )


def mark_done(release, code: str, *, by, outcome: str = "", comment: str = "") -> ActivityRecord:
    """Record that activity ``code`` of the release was performed by ``by``."""
    record = ActivityRecord.objects.select_related("activity").get(
        release=release, activity__code=code
    )
    record.status = ActivityRecord.Status.DONE
    record.performed_by = by
    record.performed_at = timezone.now()
    record.outcome = outcome
    record.comment = comment
    record.save()
    audit.record(
        actor=by,
        action="activity_done",
        obj=record,
        release=release,
        after={"activity": code, "status": record.status, "outcome": outcome},
    )
    return record


@transaction.atomic
def formalise_release(
    *,
    by,
    application,
    version: str,
    name: str,
    release_type: str,
    planned_delivery_date,
    planned_installation_date,
    business_threads=(),
    conformance_testing: bool = False,
    description: str = "",
) -> Release:
    """RM.1.1 Formalise release: a release manager creates a release operation for
    one version of an application; he/she becomes its release manager and the
    affected business threads are recorded (the rest of RM.1.2 follows)."""
    if not raci.holds_party(by, raci.RELEASE_MANAGER):
        raise PermissionDenied("Only an ITSM Release Manager may formalise a release (RM.1.1).")
    _check_dates(planned_delivery_date, planned_installation_date)
    if any(p.kind != Party.Kind.BUSINESS_THREAD for p in business_threads):
        raise ValidationError(
            {"business_threads": "Only DG TAXUD business threads can be affected threads."}
        )
    identifier = f"{application.code.upper()}-{version}"
    if Release.objects.filter(identifier=identifier).exists():
        raise ValidationError({"version": f"Release {identifier} already exists."})

    release = Release.objects.create(
        identifier=identifier,
        name=name,
        application=application,
        version=version,
        release_type=release_type,
        planned_delivery_date=planned_delivery_date,
        planned_installation_date=planned_installation_date,
        conformance_testing=conformance_testing,
        description=description,
        created_by=by,
    )
    ActivityRecord.objects.bulk_create(
        ActivityRecord(release=release, activity=a) for a in Activity.objects.all()
    )
    _apply_conformance(release)
    raci.default_assignments(release, release_manager=by, business_threads=business_threads)
    raci.sync_release_permissions(release)
    audit.record(
        actor=by,
        action="release_formalised",
        obj=release,
        release=release,
        after=_snapshot(release),
    )
    mark_done(release, "RM.1.1", by=by)
    return release


@transaction.atomic
def revise_planning(release, *, by, **changes) -> Release:
    """RM.1.1 again: the release manager revises the planning of an open release."""
    raci.require_perform(by, release, "RM.1.1")
    if not release.is_open:
        raise ValidationError(f"{release.identifier} is {release.get_stage_display().lower()}.")
    unknown = set(changes) - set(PLANNING_FIELDS)
    if unknown:
        raise ValidationError({f: "This field cannot be revised." for f in sorted(unknown)})
    release = Release.objects.select_for_update().get(pk=release.pk)
    before = _snapshot(release)
    for field, value in changes.items():
        setattr(release, field, value)
    _check_dates(release.planned_delivery_date, release.planned_installation_date)
    release.save()
    _apply_conformance(release)
    audit.record(
        actor=by,
        action="planning_revised",
        obj=release,
        release=release,
        before=before,
        after=_snapshot(release),
    )
    return release


@transaction.atomic
def assign_roles(release, *, by, deployment_coordinator, business_threads, developers) -> None:
    """RM.1.2 Assign roles: name the deployment coordinator, the affected business
    thread(s) and the 3rd party developer organisation, then regrant permissions."""
    raci.require_perform(by, release, "RM.1.2")
    errors = {}
    if deployment_coordinator is None or not raci.holds_party(
        deployment_coordinator, raci.DEPLOYMENT_COORDINATOR
    ):
        errors["deployment_coordinator"] = "Choose a user who is an ITSM Deployment Coordinator."
    threads = list(business_threads or [])
    if not threads:
        errors["business_threads"] = "Name at least one affected DG TAXUD business thread."
    elif any(p.kind != Party.Kind.BUSINESS_THREAD for p in threads):
        errors["business_threads"] = "Only DG TAXUD business threads can be affected threads."
    if developers is None:
        errors["developers"] = "Name the 3rd party developer organisation."
    if errors:
        raise ValidationError(errors)
    dev_party = developers.party

    before = raci.assignment_snapshot(release)
    dc_party = Party.objects.get(name=raci.DEPLOYMENT_COORDINATOR)
    Assignment.objects.filter(
        release=release,
        party__in=[dc_party, dev_party, *Party.objects.filter(kind=Party.Kind.BUSINESS_THREAD)],
    ).delete()
    Assignment.objects.bulk_create(
        [
            Assignment(release=release, party=dc_party, user=deployment_coordinator),
            Assignment(release=release, party=dev_party, group=developers.group),
        ]
        + [Assignment(release=release, party=p, group=p.group) for p in threads]
    )
    raci.sync_release_permissions(release)
    audit.record(
        actor=by,
        action="roles_assigned",
        obj=release,
        release=release,
        before=before,
        after=raci.assignment_snapshot(release),
    )
    mark_done(release, "RM.1.2", by=by)
