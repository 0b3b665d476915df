"""Writes of the permission room: a process owner's changes to Table 4-1, and the
assignments a release starts with (RM.1.1, RM.1.2)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from releasemgmt.audit import services as audit

from . import permissions
from .catalogue import normalise_letters
from .loader import table_changed
from .models import Activity, Assignment, Party, RaciCell, WaivableActivity
from .permissions import Parties
from .release_types import ReleaseType
from .tasks import sync_party_permissions_task

# --- changing the matrix -----------------------------------------------------------


@transaction.atomic
def set_raci_cell(*, by, activity: Activity, party: Party, letters: str) -> RaciCell | None:
    """A process owner changes one cell of Table 4-1; the history is the audit log and
    every release the party is assigned to gets its permissions recomputed."""
    if not permissions.may_change_matrix(by):
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
    table_changed()
    transaction.on_commit(lambda: sync_party_permissions_task.delay(party.id))
    return cell


@transaction.atomic
def set_waivable(*, by, activity: Activity, release_type: str, waivable: bool) -> bool:
    """A process owner says whether releases of a type may waive an activity (and catch
    it up after installation); audited like a cell of Table 4-1."""
    if not permissions.may_change_matrix(by):
        raise PermissionDenied("Only a process owner may change what a release type may waive.")
    if release_type not in ReleaseType.values:
        raise ValidationError({"release_type": "Major, minor or emergency."})
    row = WaivableActivity.objects.filter(activity=activity, release_type=release_type).first()
    if bool(row) == waivable:
        return waivable
    if waivable:
        row = WaivableActivity.objects.create(activity=activity, release_type=release_type)
    audit.record(
        actor=by,
        action="waivable_changed",
        obj=row,
        before={"waivable": not waivable},
        after={"waivable": waivable, "activity": activity.code, "release_type": release_type},
    )
    if not waivable:
        row.delete()
    return waivable


# --- RM.1.2 Assign roles -----------------------------------------------------------


def default_assignments(release, *, release_manager, business_threads=()) -> None:
    """At RM.1.1 the release names its release manager and its affected business
    threads; every other ITSM team holds its party on the release as a group until
    RM.1.2 names someone."""
    rows = [
        Assignment(
            release=release,
            party=Party.objects.get(name=Parties.RELEASE_MANAGER),
            user=release_manager,
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
