"""Reads of Table 4-1 for its page, its CSV export and the release page."""

from django.db.models import Count

from releasemgmt.accounts.models import User
from releasemgmt.audit.models import AuditEntry

from .catalogue import normalise_letters
from .models import Activity, Organisation, Party, RaciCell, WaivableActivity


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


def waivable() -> dict[int, set[str]]:
    """{activity id: the release types that may waive it} (one query)."""
    table: dict[int, set[str]] = {}
    for activity_id, release_type in WaivableActivity.objects.values_list(
        "activity_id", "release_type"
    ):
        table.setdefault(activity_id, set()).add(release_type)
    return table


def waivable_codes(release_type: str) -> set[str]:
    """The activities a release of ``release_type`` may waive."""
    return set(
        WaivableActivity.objects.filter(release_type=release_type).values_list(
            "activity__code", flat=True
        )
    )


def waiver_history():
    """Every change a process owner made to what a release type may waive."""
    return AuditEntry.objects.filter(action="waivable_changed").select_related("actor")


def organisations():
    """The developer organisations with the number of their people (one query)."""
    return Organisation.objects.annotate(member_count=Count("group__user")).order_by("name")


def members(organisation):
    return User.objects.filter(groups=organisation.group).order_by("username")
