"""Reads of Table 4-1 for its page, its CSV export and the release page."""

import datetime

from django.db.models import Count, Q
from django.utils import timezone

from releasemgmt.accounts.models import User
from releasemgmt.audit.models import AuditEntry

from . import permissions
from .catalogue import normalise_letters
from .models import (
    Activity,
    Delegation,
    Organisation,
    Party,
    RaciCell,
    TableVersion,
    WaivableActivity,
)

#: Table 4-1 as this process last read it: (token, parties, activities, cells)
_kept_matrix = None


def matrix() -> tuple[list[Party], list[Activity], dict[tuple[int, int], str]]:
    """Table 4-1 as (parties, activities, {(activity_id, party_id): letters}).

    Kept by the process under ``TableVersion``'s token and read again only once a change
    on any web node gave the table a new token: one small query instead of three and
    their objects, 3.5 ms on the release page and its record at 10,000 releases (issue
    17). With no token (a database flushed and not loaded again) it is read each time."""
    global _kept_matrix
    token = TableVersion.objects.filter(pk=1).values_list("token", flat=True).first()
    kept = _kept_matrix
    if token is None or kept is None or kept[0] != token:
        parties = list(Party.objects.all())
        activities = list(Activity.objects.all())
        rows = RaciCell.objects.values_list("activity_id", "party_id", "letters")
        cells = {(activity_id, party_id): letters for activity_id, party_id, letters in rows}
        kept = (token, parties, activities, cells)
        if token is not None:
            _kept_matrix = kept
    _, parties, activities, cells = kept
    return list(parties), list(activities), dict(cells)


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


# --- deputies (issue 16 point 4) ----------------------------------------------------


def active_delegations(on: datetime.date | None = None):
    """Delegations in force on the day (today by default): not revoked, the day within
    the period, both people active."""
    return permissions.delegations_in_force(on or timezone.localdate()).filter(
        deputy__is_active=True
    )


def deputies_of(users, on: datetime.date | None = None) -> dict[int, list]:
    """{principal id: [the deputies standing in for them on the day]} for ``users`` (one
    query, none for no users): whoever addresses a mail or a reminder to the principals
    copies it to these."""
    ids = {u.pk for u in users}
    if not ids:
        return {}
    found: dict[int, list] = {}
    rows = active_delegations(on).filter(principal_id__in=ids).select_related("deputy")
    for delegation in rows.order_by("principal_id", "starts", "id"):
        found.setdefault(delegation.principal_id, []).append(delegation.deputy)
    return found


def with_deputies(users, on: datetime.date | None = None) -> list:
    """``users`` and, after them, each one's deputy on the day, once each: the
    addressees of a mail to ``users`` (issue 16 point 4: the principal still gets theirs,
    the deputy a copy)."""
    users = list(users)
    seen = {u.pk for u in users}
    added = []
    for deputies in deputies_of(users, on).values():
        for deputy in deputies:
            if deputy.pk not in seen:
                seen.add(deputy.pk)
                added.append(deputy)
    return users + added


def delegations_visible_to(user):
    """The delegations a user reads: those they gave or received; an administrator
    reads everyone's."""
    rows = Delegation.objects.select_related("principal", "deputy", "created_by", "revoked_by")
    if permissions.may_name_deputies_for_anyone(user):
        return rows
    return rows.filter(Q(principal=user) | Q(deputy=user))
