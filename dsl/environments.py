"""Environments of each application and what runs where (issue 13 points 1 and 5).

The configuration manager or the release manager keeps the environments; the process
keeps their timelines: the deployment services call ``record_installation`` when RM.3.3
accepts the testing environment (the SAT environments get the release's version) and
when RM.6.5 publishes a successful installation (production), and ``record_rollback``
when RM.6.4 goes back to the last known good build its rollback plan names."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from releasemgmt.audit import services as audit
from releases.applications import require_master_data
from releases.models import Release

from .models import Environment, InstalledVersion

#: which environments each moment of the process puts a version in
ACCEPTED_ENVIRONMENTS = (Environment.Kind.SAT,)  # RM.3.3
INSTALLED_ENVIRONMENTS = (Environment.Kind.PRODUCTION,)  # RM.6.5, rolled back by RM.6.4

FIELDS = ("slug", "name", "kind", "owner_user", "owner_party", "status", "status_note")


def _snapshot(environment) -> dict:
    return {
        "slug": environment.slug,
        "name": environment.name,
        "kind": environment.kind,
        "owner": str(environment.owner or ""),
        "status": environment.status,
        "status_note": environment.status_note,
    }


@transaction.atomic
def save_environment(application, *, by, environment=None, **values) -> Environment:
    """Create an environment of the application or change it (its status with a note:
    available, booked or down). Its owner is one person or one party, not both."""
    require_master_data(by)
    if values.get("owner_user") and values.get("owner_party"):
        raise ValidationError({"owner_party": "The owner is a person or a party, not both."})
    slug = values.get("slug", getattr(environment, "slug", None))
    clash = Environment.objects.filter(application=application, slug=slug)
    if environment is not None:
        clash = clash.exclude(pk=environment.pk)
    if slug == "new":
        raise ValidationError({"slug": "This name is the page of a new environment."})
    if clash.exists():
        raise ValidationError({"slug": f"{application.code} has an environment {slug} already."})
    if environment is None:
        environment, before = Environment(application=application), None
    else:
        environment = Environment.objects.select_for_update().get(pk=environment.pk)
        before = _snapshot(environment)
    for field in FIELDS:
        if field in values:
            setattr(environment, field, values[field])
    if environment.status == Environment.Status.AVAILABLE and "status_note" not in values:
        environment.status_note = ""
    environment.full_clean(exclude=["application", "owner_user", "owner_party"])
    environment.save()
    audit.record(
        actor=by,
        action="environment_saved" if before else "environment_created",
        obj=environment,
        before=before,
        after=_snapshot(environment),
    )
    return environment


def _record(environment, *, version, release, activity, by, at, note="", rolled_back_at=None):
    line = InstalledVersion.objects.create(
        environment=environment,
        version=version,
        release=release,
        activity=activity,
        installed_at=at,
        recorded_by=by,
        rolled_back_at=rolled_back_at,
        note=note,
    )
    audit.record(
        actor=by,
        action="version_installed",
        obj=line,
        release=release,
        after={"environment": environment.slug, "version": version, "activity": activity},
    )
    return line


def record_installation(release, *, by, activity: str) -> list[InstalledVersion]:
    """RM.3.3 (accepted: the SAT environments) or RM.6.5 (installed: production): the
    release's version now runs in the application's environments of that moment. Runs in
    the caller's transaction, after its own checks of who may do it."""
    kinds = ACCEPTED_ENVIRONMENTS if activity == "RM.3.3" else INSTALLED_ENVIRONMENTS
    now = timezone.now()
    return [
        _record(env, version=release.version, release=release, activity=activity, by=by, at=now)
        for env in Environment.objects.filter(application_id=release.application_id, kind__in=kinds)
    ]


def record_rollback(release, *, by, to_version: str) -> list[InstalledVersion]:
    """RM.6.4: production goes back to the last known good build the rollback plan names.
    The release's own line (written now if its installation had not been recorded) is
    marked rolled back, and the good version becomes the newest line."""
    now = timezone.now()
    good = Release.objects.filter(application_id=release.application_id, version=to_version).first()
    lines = []
    for env in Environment.objects.filter(
        application_id=release.application_id, kind__in=INSTALLED_ENVIRONMENTS
    ):
        rolled = InstalledVersion.objects.filter(
            environment=env, release=release, rolled_back_at__isnull=True
        ).update(rolled_back_at=now)
        if not rolled:
            _record(
                env,
                version=release.version,
                release=release,
                activity="RM.6.2",
                by=by,
                at=now,
                note="Installation failed",
                rolled_back_at=now,
            )
        lines.append(
            _record(
                env,
                version=to_version,
                release=good,
                activity="RM.6.4",
                by=by,
                at=now,
                note=f"Rolled back from {release.version}",
            )
        )
    return lines


@transaction.atomic
def record_version(environment, *, by, version, note="") -> InstalledVersion:
    """The configuration manager records what an environment runs outside a release (its
    state when it is first described, or a change made elsewhere)."""
    require_master_data(by)
    environment = Environment.objects.select_for_update().get(pk=environment.pk)
    release = Release.objects.filter(
        application_id=environment.application_id, version=version
    ).first()
    return _record(
        environment,
        version=version,
        release=release,
        activity="",
        by=by,
        at=timezone.now(),
        note=note,
    )
