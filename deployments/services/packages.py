"""Release packages (seed 001, 3.1; issue 12, point 6): the release manager groups
releases tested and deployed together, gives them one installation window (their
installation milestones follow it, through ``releases.planning`` so that the re-plans
are kept), and none of them goes live (RM.6.2) until each is authorised (RM.5.2)."""

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, Min, OuterRef, Q, Subquery

from raci import permissions as raci
from raci.permissions import Parties
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releases import planning
from releases.models import ActivityRecord, Milestone, Release, Stage

from ..models import PackageMember, ReleasePackage

MANAGED_BY = "Only an ITSM Release Manager manages release packages."
FIELDS = ("reference", "name", "description", "owner")
#: stages after the go-live: a release there is installed
AFTER_GO_LIVE = (Stage.CONFORMANCE, Stage.CLOSED, Stage.ROLLED_BACK)
EARLIEST, LATEST = planning.EARLIEST, planning.LATEST


def refresh_spans(package_ids=None) -> None:
    """Work out again the span of these packages' installations (their ids; None: every
    package), under the packages' row locks taken first: two refreshes of one package
    run one after the other, the second reading what the first committed. Run after the
    change that asks for it is committed (``deployments.receivers``)."""
    packages = ReleasePackage.objects.all()
    if package_ids is not None:
        packages = packages.filter(pk__in=package_ids)
    with transaction.atomic():
        list(packages.select_for_update().order_by("pk").values_list("pk", flat=True))
        installations = (
            Milestone.objects.filter(
                kind=Milestone.Kind.INSTALLATION,
                release__package_member__package=OuterRef("pk"),
            )
            .order_by()
            .values("release__package_member__package")
        )
        packages.update(
            first_installation_at=Subquery(
                installations.annotate(first=Min("starts_at")).values("first")
            ),
            last_installation_at=Subquery(
                installations.annotate(last=Max("ends_at")).values("last")
            ),
        )


def _require_manager(user) -> None:
    if not raci.may_formalise(user):
        raise PermissionDenied(MANAGED_BY)


def installed(release_ids) -> list[str]:
    """The releases (by id) already installed: gone live (RM.6.2) or past it."""
    return sorted(
        Release.objects.filter(pk__in=list(release_ids))
        .filter(
            Q(stage__in=AFTER_GO_LIVE)
            | Q(
                activity_records__activity__code="RM.6.2",
                activity_records__status=ActivityRecord.Status.DONE,
            )
        )
        .values_list("identifier", flat=True)
        .distinct()
    )


def not_authorised(package) -> list[str]:
    """The package's releases whose installation is not yet authorised (RM.5.2), a
    cancelled one aside (it will not be installed)."""
    # asked of each member's own record (an index lookup), not of every RM.5.2 ever done
    authorised = ActivityRecord.objects.filter(
        release=OuterRef("pk"), activity__code="RM.5.2", status=ActivityRecord.Status.DONE
    )
    return sorted(
        Release.objects.filter(package_member__package=package)
        .exclude(stage=Stage.CANCELLED)
        .exclude(Exists(authorised))
        .values_list("identifier", flat=True)
    )


def require_package_authorised(release) -> None:
    """RM.6.2: a release of a package goes live only when each release of the package is
    authorised for installation (RM.5.2); 409 naming those that are not."""
    member = PackageMember.objects.filter(release=release).select_related("package").first()
    if member is None:
        return
    missing = [i for i in not_authorised(member.package) if i != release.identifier]
    if missing:
        raise Conflict(
            f"{release.identifier} is installed with package {member.package.reference}: "
            "each of its releases must first be authorised for installation (RM.5.2).",
            missing=missing,
        )


def _snapshot(package) -> dict:
    return {
        "reference": package.reference,
        "name": package.name,
        "description": package.description,
        "owner": package.owner.username if package.owner_id else None,
        "installation_starts_at": package.installation_starts_at,
        "installation_ends_at": package.installation_ends_at,
    }


def _errors(values: dict, package) -> dict:
    errors = {}
    reference = values.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        errors["reference"] = "Give the package a reference."
    elif len(reference) > 40:
        errors["reference"] = "At most 40 characters."
    elif (
        ReleasePackage.objects.filter(reference=reference.strip())
        .exclude(pk=getattr(package, "pk", None))
        .exists()
    ):
        errors["reference"] = "Another package has this reference."
    name = values.get("name")
    if not isinstance(name, str) or not name.strip():
        errors["name"] = "Give the package a name."
    elif len(name) > 200:
        errors["name"] = "At most 200 characters."
    description = values.get("description", "")
    if not isinstance(description, str) or len(description) > 100_000:
        errors["description"] = "Give text (at most 100,000 characters)."
    owner = values.get("owner")
    if not isinstance(owner, get_user_model()) or not raci.holds_party(
        owner, Parties.RELEASE_MANAGER
    ):
        errors["owner"] = "The owner is an ITSM Release Manager."
    starts, ends = values.get("installation_starts_at"), values.get("installation_ends_at")
    if (starts is None) != (ends is None):
        errors["installation_ends_at" if ends is None else "installation_starts_at"] = (
            "Give both the start and the end of the installation window, or neither."
        )
    elif starts is not None:
        for name_, value in (("installation_starts_at", starts), ("installation_ends_at", ends)):
            if not EARLIEST <= value.year <= LATEST:
                errors[name_] = f"Give a date between {EARLIEST} and {LATEST}."
        if not errors.get("installation_ends_at") and ends <= starts:
            errors["installation_ends_at"] = "The end comes after the start."
    return errors


def _follow_window(package, release, *, by, reason: str) -> None:
    """The release's installation milestone takes the package's window (a re-plan kept
    with its reason); a refusal names the release."""
    if not package.has_window or not release.is_open:
        return
    why = reason.strip() or f"Installation window of package {package.reference}."
    try:
        planning.plan_milestone(
            release,
            Milestone.Kind.INSTALLATION,
            by=by,
            starts_at=package.installation_starts_at,
            ends_at=package.installation_ends_at,
            reason=why,
        )
    except ValidationError as exc:
        messages = " ".join(exc.messages)
        raise ValidationError(
            {"installation_starts_at": f"{release.identifier}: {messages}"}
        ) from exc
    except PermissionDenied as exc:
        raise PermissionDenied(f"{release.identifier}: {exc}") from exc


@transaction.atomic
def save_package(package=None, *, by, reason: str = "", **values) -> ReleasePackage:
    """Create or change a package (the release manager). A new installation window moves
    the installation milestone of each of its open releases (``releases.planning``), so
    each keeps its re-plan; refused (409) once one of them is installed."""
    _require_manager(by)
    unknown = set(values) - {*FIELDS, "installation_starts_at", "installation_ends_at"}
    if unknown:
        raise ValidationError({f: "This field cannot be set." for f in sorted(unknown)})
    if not isinstance(reason, str) or len(reason) > 100_000:
        raise ValidationError({"reason": "Give text (at most 100,000 characters)."})
    if package is not None:
        package = ReleasePackage.objects.select_for_update().get(pk=package.pk)
    current = _snapshot(package) | {"owner": package.owner} if package else {}
    merged = (
        {"description": "", "owner": by, "installation_starts_at": None}
        | {"installation_ends_at": None}
        | current
        | values
    )
    errors = _errors(merged, package)
    if errors:
        raise ValidationError(errors)
    before = _snapshot(package) if package else {}
    window_moved = package is None or (
        package.installation_starts_at,
        package.installation_ends_at,
    ) != (merged["installation_starts_at"], merged["installation_ends_at"])
    releases = list(_locked_releases(package)) if package else []
    if package and window_moved:
        done = installed(r.pk for r in releases)
        if done:
            raise Conflict(
                "The installation window of a package with an installed release stays.",
                missing=done,
            )
    package = package or ReleasePackage(created_by=by)
    for field, value in merged.items():
        setattr(package, field, value.strip() if field in ("reference", "name") else value)
    package.save()
    if window_moved:
        for release in releases:
            _follow_window(package, release, by=by, reason=reason)
    audit.record(
        actor=by,
        action="package_saved",
        obj=package,
        before=before,
        after=_snapshot(package) | ({"reason": reason.strip()} if reason.strip() else {}),
    )
    return package


def _locked_releases(package):
    """The package's releases, locked in one order (no deadlock between two writers)."""
    return (
        Release.objects.select_for_update().filter(package_member__package=package).order_by("pk")
    )


@transaction.atomic
def add_release(package, release, *, by) -> PackageMember:
    """Put a release in the package: an open one, in no other package, while none of
    the package's releases is installed; it takes the package's installation window."""
    _require_manager(by)
    package = ReleasePackage.objects.select_for_update().get(pk=package.pk)
    release = Release.objects.select_for_update().get(pk=release.pk)
    if not raci.may_view(by, release):
        raise ValidationError({"release": "No such release."})
    other = PackageMember.objects.filter(release=release).select_related("package").first()
    if other is not None:
        where = "this package" if other.package_id == package.pk else other.package.reference
        raise Conflict(f"{release.identifier} is already in {where}.", missing=[where])
    if not release.is_open:
        raise Conflict(f"{release.identifier} is {release.get_stage_display().lower()}.")
    done = installed([*(r.pk for r in _locked_releases(package)), release.pk])
    if done:
        raise Conflict("A package with an installed release takes no other.", missing=done)
    member = PackageMember.objects.create(package=package, release=release, added_by=by)
    _follow_window(package, release, by=by, reason="")
    audit.record(
        actor=by,
        action="package_release_added",
        obj=package,
        release=release,
        after={"release": release.identifier},
    )
    return member


@transaction.atomic
def remove_release(package, release, *, by) -> None:
    """Take a release out of the package while none of its releases is installed; its
    milestones stay as they are."""
    _require_manager(by)
    package = ReleasePackage.objects.select_for_update().get(pk=package.pk)
    releases = list(_locked_releases(package))
    member = PackageMember.objects.filter(package=package, release=release).first()
    if member is None:
        raise ValidationError({"release": f"{release.identifier} is not in this package."})
    done = installed(r.pk for r in releases)
    if done:
        raise Conflict("A package with an installed release keeps its releases.", missing=done)
    member.delete()
    audit.record(
        actor=by,
        action="package_release_removed",
        obj=package,
        release=release,
        before={"release": release.identifier},
    )
