"""Reads of the definitive software library: an application's versions with what the DSL
holds of each, in a constant number of queries whatever the page; and of configuration
management: the configuration manager's tasks, one task with its proposals and each CI's
history, a release's baselines (fixed queries each)."""

from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404

from raci.permissions import visible_releases
from releases.models import Release

from .configuration import latest_baseline, release_baseline
from .environment_selectors import visible_release_ids
from .models import (
    ArchiveMedium,
    Baseline,
    CIStatusChange,
    CITask,
    Component,
    ConfigurationItem,
    Document,
    IntegrityFinding,
    ProposedStatusChange,
)

#: versions a page of the DSL shows, each with its files, findings, archive and media
VERSIONS_PER_PAGE = 10


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


# --- configuration management ---------------------------------------------------------


def _tasks(user, status):
    releases = visible_releases(user, Release.objects.all()).values("pk")
    tasks = CITask.objects.filter(release__in=releases)
    return tasks.filter(status=status) if status else tasks


def ci_tasks(user, *, status=None):
    """The CI tasks of the releases the user may see, newest first, with their count of
    proposals (a count per task, so that the newest page is read from the index on status
    and date instead of grouping every task first); the caller reads a page of them."""
    return (
        _tasks(user, status)
        .select_related("release__application", "confirmed_by")
        .annotate(
            proposal_count=Coalesce(
                Subquery(
                    ProposedStatusChange.objects.filter(task=OuterRef("pk"))
                    .order_by()
                    .values("task")
                    .annotate(n=Count("pk"))
                    .values("n")
                ),
                0,
            )
        )
        .order_by("-created_at", "-pk")
    )


def ci_task_count(user, up_to: int, *, status=None) -> int:
    """How many tasks ``ci_tasks`` lists, counted up to ``up_to`` and one more (the
    pager's bound, ``releasemgmt.paging``): a configuration manager's tasks grow with
    every release closed."""
    return _tasks(user, status).order_by().values("pk")[: up_to + 1].count()


def ci_task_or_404(user, pk) -> CITask:
    """One task with its proposals and each CI's history (404 unless its release is
    visible to the user)."""
    releases = visible_releases(user, Release.objects.all()).values("pk")
    history = CIStatusChange.objects.select_related("release", "changed_by")
    task = (
        CITask.objects.filter(pk=pk, release__in=releases)
        .select_related("release__application", "confirmed_by")
        .prefetch_related(
            Prefetch(
                "proposals",
                ProposedStatusChange.objects.select_related("item").prefetch_related(
                    Prefetch("item__history", history)
                ),
            )
        )
        .first()
    )
    if task is None:
        raise Http404("No such CI task.")
    _show_releases(user, [h for p in task.proposals.all() for h in p.item.history.all()])
    return task


def _show_releases(user, changes):
    """Each status change with ``release_identifier`` where the user may see its release;
    the reason, which belongs to that release, blanked where not."""
    shown = visible_release_ids(user, [c.release_id for c in changes])
    for change in changes:
        change.release_identifier = shown.get(change.release_id)
        if change.release_id and not change.release_identifier:
            change.reason = ""


#: configuration items per page of an application's list
ITEMS_PER_PAGE = 50


def configuration_items(application, status=None):
    """The application's configuration items (the application at each version and its
    components), optionally of one status. Names and versions are the application's
    master data, like its environments' versions; which release delivered each is shown
    only where the reader may see that release (``with_release_shown``)."""
    items = ConfigurationItem.objects.filter(application=application).select_related("application")
    if status:
        items = items.filter(status=status)
    return items.order_by("kind", "name", "version", "pk")


def configuration_item_page(user, application, *, status=None, number=1):
    page = Paginator(configuration_items(application, status), ITEMS_PER_PAGE).get_page(number)
    page.object_list = with_release_shown(user, page.object_list)
    return page


def with_release_shown(user, items):
    """``items`` as a list, each with ``release_identifier`` where the user may see the
    release that delivered it (one query)."""
    items = list(items)
    shown = visible_release_ids(user, [i.release_id for i in items])
    for item in items:
        item.release_identifier = shown.get(item.release_id)
    return items


def configuration_item_or_404(user, pk) -> ConfigurationItem:
    """One CI with its status history (status accounting, seed 003) and the production
    baselines that held it, newest first; releases named where the user may see them."""
    item = ConfigurationItem.objects.select_related("application").filter(pk=pk).first()
    if item is None:
        raise Http404("No such configuration item.")
    item.changes = list(
        CIStatusChange.objects.filter(item=item)
        .select_related("changed_by")
        .order_by("-changed_at", "-pk")
    )
    item.baselines = list(
        Baseline.objects.filter(
            application_id=item.application_id,
            items__name=item.name,
            items__version=item.version,
        )
        .select_related("recorded_by")
        .order_by("-recorded_at", "-pk")[:BASELINES_SHOWN]
        if item.kind == ConfigurationItem.Kind.COMPONENT
        else []
    )
    shown = visible_release_ids(user, [item.release_id] + [b.release_id for b in item.baselines])
    item.release_identifier = shown.get(item.release_id)
    for baseline in item.baselines:
        baseline.release_identifier = shown.get(baseline.release_id)
    _show_releases(user, item.changes)
    return item


#: the production baselines shown on a CI's page
BASELINES_SHOWN = 20


def baseline_records(release) -> dict:
    """The release's baseline (RM.6.5) and the one before it, which the rollback plan
    goes back to; before the installation, the application's newest baseline is the
    one a rollback would restore."""
    own = release_baseline(release)
    previous = own.previous if own is not None else latest_baseline(release.application)
    ids = [b.pk for b in (own, previous) if b is not None]
    loaded = {
        b.pk: b
        for b in Baseline.objects.filter(pk__in=ids)
        .select_related("release", "recorded_by")
        .prefetch_related("items")
    }
    return {
        "baseline": loaded.get(own.pk) if own else None,
        "previous_baseline": loaded.get(previous.pk) if previous else None,
    }
