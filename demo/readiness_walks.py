"""Go-live readiness in the demo: the owners of the Move2Run items confirm them with
evidence through the real services (the runbook link, the escalation matrix...), and the
coordinator, accountable for RM.6.2, waives what nobody owns in the demo."""

import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

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


#: the runbook the demo's coordinators write, section by section (seed 002 7.1)
RUNBOOK = {
    "key_steps": "1. Announce the downtime. 2. Stop the batch jobs. 3. Deploy the components "
    "in the order of the installation plan. 4. Restart and run the smoke tests.",
    "contacts": "Service desk (first line), application support (second line), the "
    "developers' on-call engineer (third line); escalate a major incident to the release "
    "manager within 30 minutes.",
    "slas": "Available 99.5% of office hours; a P1 incident answered in 30 minutes.",
    "monitoring": "Health page polled every minute; message queue length and error rate "
    "alarms to the service desk.",
    "rollback": "Redeploy the last known good build from the DSL and restore the schema "
    "snapshot taken before the installation.",
    "known_errors": "None known.",
}


def write_runbook(release, *, by, complete: bool = True) -> None:
    """The coordinator writes the release's runbook version: V0 in full for the
    application's first, a known error added to the copy of the version before for a
    later one; marked complete when asked."""
    version = readiness_selectors.runbook_of(release)
    if version is not None and version.is_complete:
        return
    started = readiness_selectors.runbook_view(release)
    if started["previous"] is None:
        for section, text in RUNBOOK.items():
            readiness.edit_runbook_section(release, by=by, section=section, text=text)
    else:
        readiness.edit_runbook_section(
            release,
            by=by,
            section="known_errors",
            text=f"Since {release.identifier}: the first login after the installation is "
            "slow while the caches fill.",
        )
    if complete:
        note = "" if started["number"] == 0 else "Known error of the first login added."
        readiness.complete_runbook(release, by=by, change_note=note)


def hold_board(release, *, dc, rm=None, go: bool = True) -> None:
    """A Go/No-Go board on the day before the installation: the coordinator and the
    release manager sit on it; GO, or NO-GO re-planning the installation a fortnight
    later (then the next board is scheduled)."""
    when = timezone.now() - datetime.timedelta(hours=2)
    board = readiness.schedule_board(
        release,
        by=dc,
        scheduled_at=when,
        participants=[u for u in (dc, rm) if u is not None],
        agenda="The input pack: checklist, tests, rollback plan, runbook, risks.",
    )
    if go:
        readiness.record_outcome(release, board.pk, by=dc, outcome="go")
        return
    readiness.record_outcome(
        release,
        board.pk,
        by=dc,
        outcome="nogo",
        reason="The SAT findings on the declarations screen are still open.",
        new_installation_date=max(release.planned_installation_date, timezone.localdate())
        + datetime.timedelta(days=14),
    )
    readiness.schedule_board(
        release,
        by=dc,
        scheduled_at=timezone.now() + datetime.timedelta(days=12),
        participants=[u for u in (dc, rm) if u is not None],
        agenda="Again, with the SAT findings closed.",
    )
