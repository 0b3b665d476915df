"""Reads of configuration management: the configuration manager's tasks, one task with
its proposals and each CI's history, a release's baselines (fixed queries each)."""

from django.db.models import Count, Prefetch
from django.http import Http404

from raci.permissions import visible_releases
from releases.models import Release

from .configuration import latest_baseline, release_baseline
from .models import Baseline, CIStatusChange, CITask, ProposedStatusChange

#: how many tasks the list and the start page show
TASKS_SHOWN = 100


def ci_tasks(user, *, status=None, limit=TASKS_SHOWN):
    """The CI tasks of the releases the user may see, newest first, with their count of
    proposals."""
    releases = visible_releases(user, Release.objects.all()).values("pk")
    tasks = CITask.objects.filter(release__in=releases)
    if status:
        tasks = tasks.filter(status=status)
    return (
        tasks.select_related("release__application", "confirmed_by")
        .annotate(proposal_count=Count("proposals"))
        .order_by("-created_at", "-pk")[:limit]
    )


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
    return task


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
