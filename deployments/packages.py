"""Reads of release packages, each a fixed number of queries: the packages a user may see
(those holding at least one release they may see; the release managers, who make them,
every one), and a package's releases side by side with their stage and milestones."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404

from raci import permissions as raci
from releases.models import ActivityRecord, Milestone, Release

from .models import PackageMember, ReleasePackage
from .services.packages import not_authorised


def _visible(user):
    return raci.visible_releases(user, Release.objects.all())


def _sees_release(user) -> Q:
    """A filter of the package members whose release the user may see, asked per member
    (``raci.sees_release_of``): a package holds a handful of releases, where the set of
    every release a thread sees is 19,000 at 100,000 releases (issue 17)."""
    if raci.sees_all_releases(user):
        return Q()
    return raci.sees_release_of(user, "release_id")


def visible_packages(user):
    """The packages holding a release the user may see; every package for those who see
    every release (ITSM staff) or make packages (the release managers)."""
    packages = ReleasePackage.objects.all()
    if raci.sees_all_releases(user) or raci.may_formalise(user):
        return packages
    members = PackageMember.objects.filter(_sees_release(user), package=OuterRef("pk"))
    return packages.filter(Exists(members))


def package_list(user):
    """The list's packages, newest installation first, with their owner."""
    return (
        visible_packages(user)
        .select_related("owner")
        .order_by("-installation_starts_at", "reference")
    )


def with_release_counts(user, packages) -> list:
    """``packages`` (a page of ``package_list``) as a list, each with ``release_count``,
    how many of its releases the user may see: one query for the page, where counting
    in the list's own query grouped every package the user sees before taking a page
    (a thread's list at 100,000 releases: 31 ms; issue 17)."""
    rows = list(packages)
    counts = dict(
        PackageMember.objects.filter(_sees_release(user), package__in=[p.pk for p in rows])
        .values("package_id")
        .annotate(releases=Count("release_id", distinct=True))
        .values_list("package_id", "releases")
    )
    for package in rows:
        package.release_count = counts.get(package.pk, 0)
    return rows


def visible_package_or_404(user, pk) -> ReleasePackage:
    return get_object_or_404(visible_packages(user).select_related("owner"), pk=pk)


#: the milestones of the package page's columns, in the order of the plan
KINDS = list(Milestone.Kind)


#: what a package's page and API show of each of its releases
PACKAGE_RELEASE_FIELDS = (
    "identifier",
    "name",
    "stage",
    "planned_installation_date",
    "application__code",
)


def package_releases(user, package) -> list[Release]:
    """The package's releases the user may see, with their application, stage and each
    milestone planned and actual (``plan``: kind -> milestone with ``actual_at``), in
    three queries whatever their number."""
    # read with what the page and the API show (``PACKAGE_RELEASE_FIELDS``, the stage
    # among them, which django-fsm reads as a release is made) and their milestones'
    # kind and start: read whole, they and the releases offered to add made most of the
    # page's time (issue 17)
    planned = Milestone.objects.only("release", "kind", "starts_at")
    releases = list(
        _visible(user)
        .filter(package_member__package=package)
        .select_related("application")
        .only(*PACKAGE_RELEASE_FIELDS)
        .prefetch_related(Prefetch("milestones", planned, to_attr="planned"))
        .order_by("application__code", "identifier")
    )
    done = {}
    for release_id, code, at in ActivityRecord.objects.filter(
        release__in=[r.pk for r in releases],
        activity__code__in=list(Milestone.ACTIVITY.values()),
        status=ActivityRecord.Status.DONE,
    ).values_list("release_id", "activity__code", "performed_at"):
        done[(release_id, code)] = at
    for release in releases:
        by_kind = {m.kind: m for m in release.planned}
        release.columns = []
        for kind in KINDS:
            milestone = by_kind.get(kind)
            if milestone is not None:
                milestone.actual_at = done.get((release.pk, Milestone.ACTIVITY[kind]))
            release.columns.append(milestone)
    return releases


def authorisation(user, package) -> dict:
    """Whether the package may be installed (each release authorised, RM.5.2) and which
    of the releases still wait, those the user may see named, the others counted."""
    waiting = not_authorised(package)
    seen = set(_visible(user).filter(identifier__in=waiting).values_list("identifier", flat=True))
    return {
        "authorised": not waiting,
        "waiting": [i for i in waiting if i in seen],
        "waiting_unseen": len([i for i in waiting if i not in seen]),
    }


def candidate_releases(user, package):
    """Open releases in no package, that the user may add, the earliest installation
    first: read in the order of the open releases' index, each asked whether a package
    holds it, until the page is full. Their identifier, name and application's code,
    as the page offers them."""
    return (
        _visible(user)
        .exclude(Exists(PackageMember.objects.filter(release=OuterRef("pk"))))
        .exclude(stage__in=["closed", "cancelled", "conformance", "rolled_back"])
        .order_by("planned_installation_date", "id")
        .values("identifier", "name", "application__code")
    )
