"""Reads of the definitive software library: an application's versions with what the DSL
holds of each, in a constant number of queries whatever the page."""

from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404

from raci.permissions import visible_releases
from releases.models import Release

from .models import ArchiveMedium, Component, Document, IntegrityFinding

VERSIONS_PER_PAGE = 20


def library_versions(user, application):
    """The application's versions the user may see, newest first, with their components,
    documents (and who stored them), archive, media and integrity findings prefetched."""
    releases = visible_releases(user, Release.objects.filter(application=application))
    return (
        releases.select_related("dsl_archive")
        .prefetch_related(
            Prefetch("components", Component.objects.select_related("uploaded_by")),
            Prefetch("documents", Document.objects.select_related("uploaded_by")),
            Prefetch("dsl_archive__media", ArchiveMedium.objects.select_related("recorded_by")),
            Prefetch("integrity_findings", IntegrityFinding.objects.all()),
        )
        .order_by("-created_at", "-id")
    )


def library_page(user, application, number):
    """One page of the application's versions (an application may have hundreds)."""
    page = Paginator(library_versions(user, application), VERSIONS_PER_PAGE).get_page(number)
    page.object_list = list(page.object_list)
    for release in page.object_list:
        release.dsl_state = version_state(release)
    return page


def version_state(release) -> str:
    """live (its documentation in the DSL), archived (moved to the archive, still
    stored) or purged (on two media, gone from storage, metadata kept)."""
    archive = getattr(release, "dsl_archive", None)
    return archive.state if archive else "live"


def version_or_404(user, application, identifier) -> Release:
    """One version of the application, if the user may see it; else 404."""
    release = (
        visible_releases(user, Release.objects.filter(application=application))
        .filter(identifier=identifier)
        .select_related("application")
        .first()
    )
    if release is None:
        raise Http404("No such version.")
    return release
