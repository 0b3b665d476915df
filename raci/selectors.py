"""Reads of Table 4-1 for its page, its CSV export and the release page."""

from releasemgmt.accounts.models import User
from releasemgmt.audit.models import AuditEntry

from .catalogue import normalise_letters
from .models import Activity, Party, RaciCell


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


def matrix_history():
    """Every change a process owner made to Table 4-1, newest first (from the audit log)."""
    return AuditEntry.objects.filter(action="raci_changed").select_related("actor")


def holders_of_party(name: str):
    """The active users holding party ``name`` anywhere (not per release): the change
    managers, for instance, who hear of every release that carries an RfC."""
    return User.objects.filter(is_active=True, groups__party__name=name).distinct()
