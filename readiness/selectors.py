"""The reads of go-live readiness, in a fixed number of queries: a release's checklist,
what holds its go-live, the low items carried into hypercare (read by ``aftercare``), and
the items a user's parties owe."""

import heapq

from django.db.models import BooleanField, Case, Exists, ExpressionWrapper, OuterRef, Q, Value, When
from django.utils import timezone

from raci import permissions as raci
from raci.models import Assignment, Party
from raci.release_types import ReleaseType
from releases.models import Release
from releases.stages import Stage

from . import services
from .models import (
    PRIORITY_ORDER,
    ChecklistItem,
    GoNoGoBoard,
    RunbookEdit,
    RunbookSection,
    RunbookVersion,
    TemplateItem,
)
from .pack import input_pack


def checklist_items(release) -> list[ChecklistItem]:
    """The release's items (made from its template the first time), in their order."""
    services.ensure_checklist(release)
    return list(
        ChecklistItem.objects.filter(release=release)
        .select_related("owner_party", "settled_by")
        .order_by("position", "id")
    )


def item_or_none(release, pk: int) -> ChecklistItem | None:
    return ChecklistItem.objects.filter(release=release, pk=pk).first()


def open_blocking(items) -> list[ChecklistItem]:
    """The items that hold go-live: open, of high or medium priority (seed 002 7.2)."""
    return sorted(
        (i for i in items if i.holds_go_live),
        key=lambda i: (PRIORITY_ORDER[i.priority], i.position),
    )


def checklist_missing(release) -> list[str]:
    """What of the checklist holds RM.6.2, as readable items."""
    services.ensure_checklist(release)
    items = ChecklistItem.objects.filter(release=release, status=ChecklistItem.Status.OPEN)
    items = items.exclude(priority="low").select_related("owner_party")
    return [
        f"Move2Run item open ({i.get_priority_display().lower()}, {i.owner_party}): {i.title}"
        for i in open_blocking(items)
    ]


def carried_items(release) -> list[ChecklistItem]:
    """The low items carried into hypercare: the aftercare room follows them after the
    go-live (who carried them, when, and what is left, in ``reason``)."""
    return list(
        ChecklistItem.objects.filter(release=release, status=ChecklistItem.Status.CARRIED)
        .select_related("owner_party", "settled_by")
        .order_by("position", "id")
    )


def summary(items) -> dict:
    counts = {status: 0 for status in ChecklistItem.Status.values}
    for item in items:
        counts[item.status] += 1
    return {"total": len(items), **counts}


def item_actions(user, release, items) -> dict[int, set[str]]:
    """Which of confirm, waive, carry the user may do to each open item, and confirm to
    each item carried into hypercare (two queries)."""
    if release.stage == Stage.CANCELLED:
        return {}
    mine = {p.pk for p in raci.parties_on_release(user, release)}
    waiver = raci.may_waive_checklist_item(user, release)
    actions = {}
    for item in items:
        owner = item.owner_party_id in mine
        if item.status == ChecklistItem.Status.CARRIED and owner:
            actions[item.pk] = {"confirm"}
        if item.status != ChecklistItem.Status.OPEN or release.stage in services.FINISHED:
            continue
        allowed = set()
        if owner:
            allowed.add("confirm")
        if waiver:
            allowed.add("waive")
        if item.priority == "low" and (owner or waiver):
            allowed.add("carry")
        actions[item.pk] = allowed
    return actions


def items_owed(user, limit: int = 20) -> list[ChecklistItem]:
    """The open items of open releases the user may see, of a party the user holds on
    that release (the start page), the earliest due first; ``late`` marks those past
    due. One query per party the user may hold (one or two), however many items.

    Each party's open items are walked in due order (``items_walk``) and checked one by
    one until ``limit`` are found: a configuration manager holds their party on every
    open release, and sorting all their items first cost 23 ms at 100,000 releases,
    the walk under 1 ms (issue 17). The checks are one CASE, so that PostgreSQL tests
    them per item as it walks instead of joining every release first."""
    today = timezone.localdate()
    groups = list(user.groups.values_list("pk", flat=True))
    held = Assignment.objects.filter(
        release=OuterRef("release"), party=OuterRef("owner_party")
    ).filter(Q(user=user) | Q(group__in=groups))
    # the parties the user may hold on some release: the items of the others are not
    # looked at. Asked of each party (an index probe), not by reading every assignment
    # of the user to collect their parties (``assignment_by_user``)
    in_person = Assignment.objects.filter(user=user, party=OuterRef("pk"))
    parties = list(
        Party.objects.filter(Q(group__in=groups) | Exists(in_person))
        .order_by("position", "id")
        .values_list("pk", flat=True)
    )
    owed = Exists(held)
    if not raci.sees_all_releases(user):
        owed = owed & raci.sees_release_of(user, "release_id")
    owed_here = Case(
        When(release__stage__in=services.FINISHED, then=Value(False)),
        default=ExpressionWrapper(owed, output_field=BooleanField()),
        output_field=BooleanField(),
    )
    walks = [
        ChecklistItem.objects.filter(status=ChecklistItem.Status.OPEN, owner_party=party)
        .alias(owed_here=owed_here)
        .filter(owed_here=True)
        .select_related("release", "owner_party")
        .order_by("due_date", "id")[:limit]
        for party in parties
    ]
    items = list(heapq.merge(*walks, key=lambda item: (item.due_date, item.pk)))[:limit]
    for item in items:
        item.late = item.due_date < today
    return items


def templates() -> list[tuple[str, str, list[TemplateItem]]]:
    """Each release type with its template's lines (two queries)."""
    lines = TemplateItem.objects.select_related("owner_party", "template").order_by(
        "position", "id"
    )
    by_type: dict[str, list] = {t: [] for t in ReleaseType.values}
    for line in lines:
        by_type.setdefault(line.template.release_type, []).append(line)
    labels = dict(ReleaseType.choices)
    return [(t, labels[t], by_type[t]) for t in ReleaseType.values]


# --- the runbook ---------------------------------------------------------------------


def runbook_of(release) -> RunbookVersion | None:
    return (
        RunbookVersion.objects.filter(release=release)
        .select_related("completed_by", "created_by", "based_on")
        .first()
    )


def runbook_view(release) -> dict:
    """The release's runbook version, or, before anyone wrote it, the version it will
    start from (the previous one, copied forward) and the number it will get; the edit
    history, newest first. Fixed queries."""
    version = runbook_of(release)
    previous = version.based_on if version else services.previous_runbook(release)
    edits = (
        list(RunbookEdit.objects.filter(version=version).select_related("edited_by"))
        if version
        else []
    )
    if version is not None:
        sections = version.sections()
    else:
        sections = [
            (s.value, s.label, getattr(previous, s.value) if previous else "")
            for s in RunbookSection
        ]
    return {
        "version": version,
        "previous": previous,
        "number": version.number if version else (previous.number + 1 if previous else 0),
        "sections": sections,
        "edits": edits,
    }


def runbook_missing(release) -> list[str]:
    """What of the runbook holds RM.6.2."""
    version = RunbookVersion.objects.filter(release=release).only("number", "completed_at").first()
    if version is not None and version.is_complete:
        return []
    label = f"V{version.number}" if version else "version"
    return [f"Runbook {label} of {release.identifier} marked complete"]


def runbook_versions(application) -> list[RunbookVersion]:
    """Every version of an application's runbook, oldest first, with its release."""
    return list(
        RunbookVersion.objects.filter(application=application)
        .select_related("release", "completed_by")
        .order_by("number")
    )


# --- the Go/No-Go board ---------------------------------------------------------------


def boards_of(release) -> list[GoNoGoBoard]:
    """The release's boards, the latest first, with who sits on them (three queries)."""
    return list(
        GoNoGoBoard.objects.filter(release=release)
        .select_related("decided_by", "created_by")
        .prefetch_related("participants", "parties")
    )


def board_or_none(release, pk: int) -> GoNoGoBoard | None:
    return GoNoGoBoard.objects.filter(release=release, pk=pk).first()


def go_in_this_round(release) -> GoNoGoBoard | None:
    """The GO recorded since the release's round started (a rollback and re-authorisation
    asks for a new board)."""
    boards = GoNoGoBoard.objects.filter(release=release, outcome=GoNoGoBoard.Outcome.GO)
    if release.round_started_at:
        boards = boards.filter(decided_at__gte=release.round_started_at)
    return boards.order_by("-decided_at").first()


def board_missing(release) -> list[str]:
    if go_in_this_round(release) is not None:
        return []
    return ["A GO of the Go/No-Go board"]


def authorisations(release) -> list:
    """RM.5.2's authorisations by the business threads, shown at the board as context:
    they stay the record (``deployments``)."""
    return list(
        release.decisions.filter(kind="authorisation")
        .select_related("business_thread", "recorded_by", "superseded_by")
        .order_by("-recorded_at", "-id")
    )


def board_pack(board, release) -> dict:
    """The pack the board decided on (frozen), or, while it is open, as it stands now."""
    return board.pack if board.pack is not None else input_pack(release)


def boards_sat_on(user, limit: int = 20) -> list[GoNoGoBoard]:
    """The undecided boards of releases the user may see on which the user sits (named,
    or a member of a party named), the soonest first (the start page). One query."""
    visible = raci.visible_releases(user, Release.objects.exclude(stage__in=services.FINISHED))
    # the boards named in the user's seats, each side read by its own index: joined to
    # both sides with an OR, PostgreSQL read every undecided board (1,192 at 10,000
    # releases, growing with them) to find none (issue 17)
    seats = GoNoGoBoard.participants.through.objects.filter(user=user)
    party_seats = GoNoGoBoard.parties.through.objects.filter(party__group__user=user)
    mine = Q(pk__in=seats.values("gonogoboard_id")) | Q(pk__in=party_seats.values("gonogoboard_id"))
    return list(
        GoNoGoBoard.objects.filter(mine, outcome="", release__in=visible)
        .select_related("release")
        .order_by("scheduled_at", "id")[:limit]
    )


def readiness_summary(release) -> dict:
    """The release page's readiness section: the runbook's state and the last board."""
    version = runbook_of(release)
    board = GoNoGoBoard.objects.filter(release=release).select_related("decided_by").first()
    return {"runbook": version, "board": board}
