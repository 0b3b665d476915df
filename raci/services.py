"""The permission engine: Table 4-1 x a release's assignments -> guardian object permissions.

Every view and API endpoint asks the questions here, and only here:
``may_perform`` (may this user perform RM.x.y on this release), ``may_view`` and
``visible_releases`` (which releases may this user see, as one query)."""

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q

from releasemgmt.audit import services as audit

from .catalogue import normalise_letters, perform_codename
from .models import (
    Activity,
    Assignment,
    Party,
    RaciCell,
    ReleaseGroupObjectPermission,
    ReleaseUserObjectPermission,
)

VIEW = "view_release"
RELEASE_MANAGER = "ITSM Release Manager"
DEPLOYMENT_COORDINATOR = "ITSM Deployment Coordinator"
PROCESS_OWNER_PERMISSION = "raci.change_racicell"


# --- what a party may do -----------------------------------------------------------


def party_codenames(cells) -> dict[int, set[str]]:
    """Per party id, the permission codenames its cells give: perform for R or A,
    view for any letter."""
    granted: dict[int, set[str]] = {}
    for cell in cells:
        names = granted.setdefault(cell.party_id, set())
        names.add(VIEW)
        if cell.may_perform:
            names.add(perform_codename(cell.activity.code))
    return granted


def _release_permissions() -> dict[str, int]:
    from releases.models import Release

    ct = ContentType.objects.get_for_model(Release)
    return dict(Permission.objects.filter(content_type=ct).values_list("codename", "id"))


# --- granting ----------------------------------------------------------------------


def sync_release_permissions(release) -> tuple[int, int]:
    """Make the release's guardian rows exactly what its assignments and Table 4-1 give.
    Returns (granted, revoked). Called whenever assignments or the matrix change."""
    perm_ids = _release_permissions()
    by_party = party_codenames(RaciCell.objects.select_related("activity"))
    want_user, want_group = set(), set()
    for a in Assignment.objects.filter(release=release):
        for codename in by_party.get(a.party_id, ()):
            if a.user_id:
                want_user.add((a.user_id, perm_ids[codename]))
            else:
                want_group.add((a.group_id, perm_ids[codename]))

    granted = revoked = 0
    for model, holder, want in (
        (ReleaseUserObjectPermission, "user_id", want_user),
        (ReleaseGroupObjectPermission, "group_id", want_group),
    ):
        have = {
            (row[1], row[2]): row[0]
            for row in model.objects.filter(content_object=release).values_list(
                "id", holder, "permission_id"
            )
        }
        stale = [pk for key, pk in have.items() if key not in want]
        if stale:
            revoked += model.objects.filter(id__in=stale).delete()[0]
        missing = [
            model(**{holder: h, "permission_id": p, "content_object": release})
            for (h, p) in want - set(have)
        ]
        model.objects.bulk_create(missing)
        granted += len(missing)
    return granted, revoked


def sync_party_permissions(party_id: int) -> int:
    """Recompute the permissions of every release on which the party is assigned
    (after a change to its column of Table 4-1). Returns the releases touched."""
    from releases.models import Release

    releases = Release.objects.filter(assignments__party_id=party_id).distinct()
    count = 0
    for release in releases.iterator():
        sync_release_permissions(release)
        count += 1
    return count


# --- asking ------------------------------------------------------------------------


def granted_codenames(user, release) -> frozenset[str]:
    """The permission codenames the user holds on the release (one query, cached on
    the user object for the rest of the request)."""
    if not (user.is_authenticated and user.is_active):
        return frozenset()
    cache = user.__dict__.setdefault("_release_perm_cache", {})
    if release.pk not in cache:
        mine = ReleaseUserObjectPermission.objects.filter(
            user=user, content_object=release
        ).values_list("permission__codename", flat=True)
        groups = ReleaseGroupObjectPermission.objects.filter(
            group__user=user, content_object=release
        ).values_list("permission__codename", flat=True)
        cache[release.pk] = frozenset(mine.union(groups))
    return cache[release.pk]


def may_perform(user, release, code: str) -> bool:
    """May this user perform activity ``code`` (RM.x.y) on this release? True exactly
    when a party the user holds on the release is R or A for it in Table 4-1."""
    return perform_codename(code) in granted_codenames(user, release)


def require_perform(user, release, code: str) -> None:
    if not may_perform(user, release, code):
        activity = Activity.objects.filter(code=code).first()
        label = str(activity) if activity else code
        raise PermissionDenied(
            f"Only a party that is Responsible or Accountable for {label} on "
            f"{release.identifier} may do this."
        )


def sees_all_releases(user) -> bool:
    """ITSM staff see every release; business threads and developers only their own."""
    return user.is_authenticated and user.is_active and user.has_perm("releases.view_release")


def may_view(user, release) -> bool:
    return sees_all_releases(user) or VIEW in granted_codenames(user, release)


def visible_releases(user, queryset=None):
    """The releases this user may see, as one query (subqueries over guardian's
    direct permission tables, no check per row)."""
    from releases.models import Release

    queryset = Release.objects.all() if queryset is None else queryset
    if not (user.is_authenticated and user.is_active):
        return queryset.none()
    if sees_all_releases(user):
        return queryset
    mine = ReleaseUserObjectPermission.objects.filter(user=user, permission__codename=VIEW).values(
        "content_object_id"
    )
    groups = ReleaseGroupObjectPermission.objects.filter(
        group__user=user, permission__codename=VIEW
    ).values("content_object_id")
    return queryset.filter(Q(id__in=mine) | Q(id__in=groups))


def holds_party(user, party_name: str) -> bool:
    return (
        user.is_authenticated
        and user.is_active
        and user.groups.filter(party__name=party_name).exists()
    )


def parties_on_release(user, release) -> list[Party]:
    """The parties this user holds on this release through its assignments."""
    if not user.is_authenticated:
        return []
    return list(
        Party.objects.filter(
            Q(assignments__release=release)
            & (Q(assignments__user=user) | Q(assignments__group__user=user))
        ).distinct()
    )


def matrix() -> tuple[list[Party], list[Activity], dict[tuple[int, int], str]]:
    """Table 4-1 as (parties, activities, {(activity_id, party_id): letters})."""
    parties = list(Party.objects.all())
    activities = list(Activity.objects.all())
    rows = RaciCell.objects.values_list("activity_id", "party_id", "letters")
    cells = {(activity_id, party_id): letters for activity_id, party_id, letters in rows}
    return parties, activities, cells


def raci_rows():
    """Table 4-1 from the database, in exactly the columns of spec/rm_raci.csv."""
    parties, activities, cells = matrix()
    yield ["activity", "name", *[p.name for p in parties]]
    for a in activities:
        yield [a.code, a.name, *[cells.get((a.id, p.id), "") for p in parties]]


def letters_for(parties, cells) -> dict[int, str]:
    """Per activity id, the union of the letters the given parties hold."""
    party_ids = {p.id for p in parties}
    merged: dict[int, set[str]] = {}
    for (activity_id, party_id), letters in cells.items():
        if party_id in party_ids:
            merged.setdefault(activity_id, set()).update(letters)
    return {a: normalise_letters("".join(s)) for a, s in merged.items()}


# --- changing the matrix -----------------------------------------------------------


def matrix_history():
    """Every change a process owner made to Table 4-1, newest first (from the audit log)."""
    from releasemgmt.audit.models import AuditEntry

    return AuditEntry.objects.filter(action="raci_changed").select_related("actor")


@transaction.atomic
def set_raci_cell(*, by, activity: Activity, party: Party, letters: str) -> RaciCell | None:
    """A process owner changes one cell of Table 4-1; the history is the audit log and
    every release the party is assigned to gets its permissions recomputed."""
    if not by.has_perm(PROCESS_OWNER_PERMISSION):
        raise PermissionDenied("Only a process owner may change the RACI table.")
    try:
        letters = normalise_letters(letters)
    except ValueError as exc:
        raise ValidationError({"letters": str(exc)}) from exc
    cell = RaciCell.objects.filter(activity=activity, party=party).first()
    before = cell.letters if cell else ""
    if letters == before:
        return cell
    if letters:
        cell, _ = RaciCell.objects.update_or_create(
            activity=activity, party=party, defaults={"letters": letters}
        )
        audit.record(
            actor=by,
            action="raci_changed",
            obj=cell,
            before={"letters": before},
            after={"letters": letters},
        )
    else:
        audit.record(
            actor=by,
            action="raci_changed",
            obj=cell,
            before={"letters": before},
            after={"letters": ""},
        )
        cell.delete()
        cell = None
    from .tasks import sync_party_permissions_task

    transaction.on_commit(lambda: sync_party_permissions_task.delay(party.id))
    return cell


# --- RM.1.2 Assign roles -----------------------------------------------------------


def default_assignments(release, *, release_manager, business_threads=()) -> None:
    """At RM.1.1 the release names its release manager and its affected business
    threads; every other ITSM team holds its party on the release as a group until
    RM.1.2 names someone."""
    rows = [
        Assignment(
            release=release, party=Party.objects.get(name=RELEASE_MANAGER), user=release_manager
        )
    ]
    rows += [
        Assignment(release=release, party=party, group=party.group)
        for party in Party.objects.filter(kind=Party.Kind.ITSM, holder=Party.Holder.GROUP)
    ]
    rows += [Assignment(release=release, party=p, group=p.group) for p in business_threads]
    Assignment.objects.bulk_create(rows)


def assignment_snapshot(release) -> dict[str, list[str]]:
    """{party: [holders]} for the audit trail."""
    snapshot: dict[str, list[str]] = {}
    for a in release.assignments.select_related("party", "user", "group"):
        snapshot.setdefault(a.party.name, []).append(a.holder_name)
    return {party: sorted(holders) for party, holders in snapshot.items()}
