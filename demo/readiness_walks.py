"""Go-live readiness in the demo: the owners of the Move2Run items confirm them with
evidence through the real services (the runbook link, the escalation matrix...), and the
coordinator, accountable for RM.6.2, waives what nobody owns in the demo."""

from django.contrib.auth import get_user_model

from readiness import selectors as readiness_selectors
from readiness import services as readiness

User = get_user_model()


def _owner(release, party):
    """A demo user who holds ``party`` on the release (named, or a member of its team)."""
    for assignment in release.assignments.filter(party=party).select_related("user", "group"):
        if assignment.user_id:
            return assignment.user
        member = User.objects.filter(groups=assignment.group).order_by("username").first()
        if member is not None:
            return member
    return None


def get_ready(release, *, dc, part: float = 1.0) -> None:
    """Confirm the share ``part`` of the release's open items (all when 1.0), the earliest
    due first; with everything asked, waive what has no owner among the demo people and
    carry the low items into hypercare."""
    items = [i for i in readiness_selectors.checklist_items(release) if i.status == "open"]
    items.sort(key=lambda i: (i.due_date, i.position))
    for item in items[: round(len(items) * part)]:
        owner = _owner(release, item.owner_party)
        if item.priority == "low" and part == 1.0:
            readiness.carry_item(
                release, item.pk, by=dc, reason="Published in the first week of hypercare."
            )
        elif owner is not None:
            readiness.confirm_item(
                release,
                item.pk,
                by=owner,
                evidence_note=f"Checked for {release.identifier}.",
                evidence_link=f"https://wiki.example.org/{release.application.code}/move2run",
            )
        elif item.holds_go_live:
            readiness.waive_item(
                release, item.pk, by=dc, reason="Covered by the operations team at the board."
            )
