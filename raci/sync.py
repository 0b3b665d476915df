"""Table 4-1 x a release's assignments -> guardian's object permissions (DESIGN section 3).

The rows are recomputed whenever assignments (RM.1.2) or the matrix change; the
questions are answered by ``raci.permissions``."""

from django.contrib.auth.models import Permission

from .catalogue import perform_codename
from .models import Assignment, RaciCell, ReleaseGroupObjectPermission, ReleaseUserObjectPermission
from .permissions import VIEW


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
    """codename -> id of the permissions declared on the release model."""
    rows = Permission.objects.filter(
        content_type__app_label="releases", content_type__model="release"
    ).values_list("codename", "id")
    return dict(rows)


def sync_release_permissions(release) -> tuple[int, int]:
    """Make the release's guardian rows exactly what its assignments and Table 4-1 give.
    Returns (granted, revoked)."""
    return _sync(release.pk, _release_permissions(), _codenames_by_party())


def _codenames_by_party():
    return party_codenames(RaciCell.objects.select_related("activity"))


def _sync(release_id: int, perm_ids: dict[str, int], by_party) -> tuple[int, int]:
    want_user, want_group = set(), set()
    for a in Assignment.objects.filter(release_id=release_id):
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
            for row in model.objects.filter(content_object_id=release_id).values_list(
                "id", holder, "permission_id"
            )
        }
        stale = [pk for key, pk in have.items() if key not in want]
        if stale:
            revoked += model.objects.filter(id__in=stale).delete()[0]
        missing = [
            model(**{holder: h, "permission_id": p, "content_object_id": release_id})
            for (h, p) in want - set(have)
        ]
        model.objects.bulk_create(missing)
        granted += len(missing)
    return granted, revoked


def sync_party_permissions(party_id: int) -> int:
    """Recompute the permissions of every release on which the party is assigned
    (after a change to its column of Table 4-1). Returns the releases touched."""
    perm_ids, by_party = _release_permissions(), _codenames_by_party()
    release_ids = (
        Assignment.objects.filter(party_id=party_id)
        .values_list("release_id", flat=True)
        .distinct()
        .order_by("release_id")
    )
    count = 0
    for release_id in release_ids.iterator():
        _sync(release_id, perm_ids, by_party)
        count += 1
    return count
