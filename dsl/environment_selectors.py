"""Reads of the environments: an application's side by side with what each runs now,
and one environment's timeline. A fixed number of queries whatever their size; a
release's identifier is shown only to whoever may see that release."""

from django.db.models import OuterRef, Subquery

from raci import permissions
from releases.models import Release

from .models import Environment, InstalledVersion


def _latest(field):
    return Subquery(
        InstalledVersion.objects.filter(environment=OuterRef("pk"))
        .order_by("-installed_at", "-id")
        .values(field)[:1]
    )


def environments_of(application):
    """The application's environments with their owners and the newest line of each
    timeline (current_version, current_release_id, current_since, current_activity)."""
    return (
        Environment.objects.filter(application=application)
        .select_related("owner_user", "owner_party")
        .annotate(
            current_version=_latest("version"),
            current_release_id=_latest("release_id"),
            current_since=_latest("installed_at"),
            current_activity=_latest("activity"),
        )
    )


def visible_release_ids(user, ids) -> dict[int, str]:
    """Of the release ids given, those the user may see, with their identifiers (one
    query)."""
    ids = {i for i in ids if i}
    if not ids:
        return {}
    releases = permissions.visible_releases(user, Release.objects.filter(pk__in=ids))
    return dict(releases.values_list("pk", "identifier"))


def with_releases_shown(user, environments):
    """``environments`` as a list, each with ``current_release`` (identifier or None)."""
    environments = list(environments)
    shown = visible_release_ids(user, [e.current_release_id for e in environments])
    for env in environments:
        env.current_release = shown.get(env.current_release_id)
    return environments


def timeline(user, environment, limit=500):
    """The environment's timeline, newest first, each line with ``release_identifier``
    where the user may see the release."""
    lines = list(
        InstalledVersion.objects.filter(environment=environment)
        .select_related("recorded_by")
        .order_by("-installed_at", "-id")[:limit]
    )
    shown = visible_release_ids(user, [line.release_id for line in lines])
    for line in lines:
        line.release_identifier = shown.get(line.release_id)
    return lines


def environment(application, slug):
    return (
        Environment.objects.select_related("application", "owner_user", "owner_party")
        .filter(application=application, slug=slug)
        .first()
    )
