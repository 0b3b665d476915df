"""The reads of go-live readiness, in a fixed number of queries: a release's checklist,
what holds its go-live, the low items carried into hypercare (read by ``aftercare``), and
the items a user's parties owe."""

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from raci import permissions as raci
from raci.models import Assignment
from raci.release_types import ReleaseType
from releases.models import Release
from releases.stages import Stage

from . import services
from .models import PRIORITY_ORDER, ChecklistItem, TemplateItem


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
    due. One query."""
    today = timezone.localdate()
    held = Assignment.objects.filter(
        release=OuterRef("release"), party=OuterRef("owner_party")
    ).filter(Q(user=user) | Q(group__user=user))
    visible = raci.visible_releases(user, Release.objects.exclude(stage__in=services.FINISHED))
    items = list(
        ChecklistItem.objects.filter(status=ChecklistItem.Status.OPEN, release__in=visible)
        .filter(Exists(held))
        .select_related("release", "owner_party")
        .order_by("due_date", "id")[:limit]
    )
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
