"""The writes of go-live readiness (seed 002 sections 3 and 7.2): the process owner's
Move2Run templates, each release's checklist made from them, and its items confirmed,
waived or carried into hypercare. One transaction each, the release row locked first,
every write audited."""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from raci import permissions as raci
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releases import planning
from releases.models import ActivityRecord, Milestone
from releases.services import fire_transition, lock
from releases.stages import Stage

from .models import (
    Checklist,
    ChecklistItem,
    ChecklistTemplate,
    GoNoGoBoard,
    Priority,
    RunbookEdit,
    RunbookSection,
    RunbookVersion,
    TemplateItem,
)
from .pack import input_pack

#: a release in one of these stages keeps its checklist as it was
FINISHED = (Stage.CLOSED, Stage.CANCELLED)
EVIDENCE = ("evidence_note", "evidence_link", "evidence_file")


# --- the templates (process data) ----------------------------------------------------


def _require_process_owner(by) -> None:
    if not raci.may_edit_checklist_templates(by):
        raise PermissionDenied("Only the process owner keeps the Move2Run checklists.")


def _template_snapshot(item: TemplateItem) -> dict:
    return {
        "title": item.title,
        "description": item.description,
        "priority": item.priority,
        "owner_party": item.owner_party.name if item.owner_party_id else "",
        "days_before_installation": item.days_before_installation,
        "position": item.position,
    }


@transaction.atomic
def add_template_item(*, by, release_type: str, **fields) -> TemplateItem:
    """The process owner adds a line to a release type's Move2Run checklist; releases
    formalised from now on get it."""
    _require_process_owner(by)
    template, _ = ChecklistTemplate.objects.get_or_create(release_type=release_type)
    if "position" not in fields or fields["position"] is None:
        fields["position"] = template.items.count() + 1
    item = TemplateItem.objects.create(template=template, **fields)
    template.save(update_fields=["updated_at"])
    audit.record(
        actor=by,
        action="checklist_template_item_added",
        obj=item,
        after={"release_type": release_type, **_template_snapshot(item)},
    )
    return item


@transaction.atomic
def change_template_item(item: TemplateItem, *, by, **fields) -> TemplateItem:
    """The process owner revises a line of a template (releases already formalised keep
    the items they were given)."""
    _require_process_owner(by)
    item = TemplateItem.objects.select_for_update().get(pk=item.pk)
    before = _template_snapshot(item)
    for name, value in fields.items():
        if name == "position" and value is None:
            continue
        setattr(item, name, value)
    item.save()
    audit.record(
        actor=by,
        action="checklist_template_item_changed",
        obj=item,
        before=before,
        after=_template_snapshot(item),
    )
    return item


@transaction.atomic
def remove_template_item(item: TemplateItem, *, by) -> None:
    _require_process_owner(by)
    audit.record(
        actor=by,
        action="checklist_template_item_removed",
        obj=item,
        before=_template_snapshot(item),
    )
    item.delete()


# --- a release's checklist -----------------------------------------------------------


def _due(release, days: int):
    return release.planned_installation_date - timedelta(days=days)


@transaction.atomic
def ensure_checklist(release) -> Checklist:
    """The release's checklist, made from its type's template the first time it is
    needed: when the release is formalised (RM.1.1), or for a release older than the
    templates when its checklist is first read or its go-live is asked for."""
    checklist = Checklist.objects.filter(release=release).first()
    if checklist is not None:
        return checklist
    checklist, created = Checklist.objects.get_or_create(
        release=release, defaults={"release_type": release.release_type}
    )
    if not created:
        return checklist
    lines = TemplateItem.objects.filter(template__release_type=release.release_type)
    ChecklistItem.objects.bulk_create(
        ChecklistItem(
            checklist=checklist,
            release=release,
            position=line.position,
            title=line.title,
            description=line.description,
            priority=line.priority,
            owner_party_id=line.owner_party_id,
            days_before_installation=line.days_before_installation,
            due_date=_due(release, line.days_before_installation),
        )
        for line in lines.order_by("position", "id")
    )
    return checklist


def reschedule_items(release) -> int:
    """A new planned installation date moves the due dates of the items still open."""
    items = list(ChecklistItem.objects.filter(release=release, status=ChecklistItem.Status.OPEN))
    for item in items:
        item.due_date = _due(release, item.days_before_installation)
    ChecklistItem.objects.bulk_update(items, ["due_date"])
    return len(items)


def _open_item(release, pk: int, *, by, carried=False) -> tuple:
    """The release locked and its open item ``pk`` (404 if the release has none); with
    ``carried``, an item carried into hypercare too, which its owner finishes after the
    go-live, the release closed or not."""
    release = lock(release)
    item = (
        ChecklistItem.objects.select_for_update(of=("self",))
        .select_related("owner_party")
        .filter(release=release, pk=pk)
        .first()
    )
    if item is None:
        raise ChecklistItem.DoesNotExist(f"No item {pk} in the checklist of {release.identifier}.")
    finishing = carried and item.status == ChecklistItem.Status.CARRIED
    if release.stage in FINISHED and not (finishing and release.stage == Stage.CLOSED):
        raise Conflict(f"{release.identifier} is {release.get_stage_display().lower()}.")
    if item.status != ChecklistItem.Status.OPEN and not finishing:
        raise Conflict(
            f"“{item.title}” is already {item.get_status_display().lower()}.",
            missing=[item.title],
        )
    return release, item


def _settle(item, *, by, status, action, release, **fields) -> ChecklistItem:
    before = {"status": item.status}
    item.status = status
    item.settled_by = by
    item.settled_at = timezone.now()
    for name, value in fields.items():
        setattr(item, name, value)
    item.save()
    audit.record(
        actor=by,
        action=action,
        obj=item,
        release=release,
        before=before,
        after={"status": status, "reason": item.reason, "evidence_sha256": item.evidence_sha256},
    )
    return item


@transaction.atomic
def confirm_item(release, pk: int, *, by, evidence_note="", evidence_link="", evidence_file=None):
    """Seed 002 section 7.2: the owner of an item confirms it is done and says on what
    evidence: a note, a file (checksummed) or a link. A low item carried into hypercare
    is confirmed the same way when it is done (an exit criterion of hypercare)."""
    release, item = _open_item(release, pk, by=by, carried=True)
    if not raci.may_confirm_checklist_item(by, release, item):
        raise PermissionDenied(f"Only {item.owner_party} on {release.identifier} confirms this.")
    if not (evidence_note or evidence_link or evidence_file):
        raise ValidationError({"evidence_note": "Say on what evidence: a note, a file or a link."})
    if evidence_file is not None:
        item.attach_evidence(evidence_file)
    return _settle(
        item,
        by=by,
        status=ChecklistItem.Status.DONE,
        action="checklist_item_confirmed",
        release=release,
        evidence_note=evidence_note,
        evidence_link=evidence_link,
    )


@transaction.atomic
def waive_item(release, pk: int, *, by, reason: str):
    """RM.6.2's accountable party lets the release go live with an item not done, and
    says why (audited)."""
    release, item = _open_item(release, pk, by=by)
    if not raci.may_waive_checklist_item(by, release):
        raise PermissionDenied(
            "Only the party accountable for RM.6.2 Initiate Installation waives an item."
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say why the release may go live without it."})
    return _settle(
        item,
        by=by,
        status=ChecklistItem.Status.WAIVED,
        action="checklist_item_waived",
        release=release,
        reason=reason,
    )


@transaction.atomic
def carry_item(release, pk: int, *, by, reason: str):
    """Seed 002 section 7.2: a low item left for after the go-live is carried into
    hypercare, where the aftercare room follows it (``selectors.carried_items``)."""
    release, item = _open_item(release, pk, by=by)
    if not raci.may_carry_checklist_item(by, release, item):
        raise PermissionDenied(
            f"Only {item.owner_party} or the party accountable for RM.6.2 carries it."
        )
    if item.priority != Priority.LOW:
        raise Conflict(
            f"“{item.title}” is of {item.get_priority_display().lower()} priority: only low "
            "items go into hypercare; waive it instead.",
            missing=[item.title],
        )
    if not reason.strip():
        raise ValidationError({"reason": "Say what is left to do after the go-live."})
    return _settle(
        item,
        by=by,
        status=ChecklistItem.Status.CARRIED,
        action="checklist_item_carried",
        release=release,
        reason=reason,
    )


# --- the runbook (seed 002 sections 3 and 7.1) ----------------------------------------


def previous_runbook(release) -> RunbookVersion | None:
    """The latest runbook version of the release's application written by another
    release: a new version starts from a copy of it."""
    return (
        RunbookVersion.objects.filter(application_id=release.application_id)
        .exclude(release_id=release.pk)
        .order_by("-number")
        .first()
    )


def _start_runbook(release, *, by) -> RunbookVersion:
    """The release's runbook version, started the first time it is written: V0 for the
    application's first release, otherwise the version before copied forward."""
    version = RunbookVersion.objects.select_for_update().filter(release=release).first()
    if version is not None:
        return version
    before = previous_runbook(release)
    texts = {s: getattr(before, s) for s in RunbookSection.values} if before else {}
    version = RunbookVersion.objects.create(
        application_id=release.application_id,
        release=release,
        number=before.number + 1 if before else 0,
        based_on=before,
        created_by=by,
        **texts,
    )
    audit.record(
        actor=by,
        action="runbook_started",
        obj=version,
        release=release,
        after={"number": version.number, "based_on": before.number if before else None},
    )
    return version


def _writable_runbook(release, *, by) -> tuple:
    release = lock(release)
    if not raci.may_write_runbook(by, release):
        raise PermissionDenied(
            f"Only those who prepare the installation of {release.identifier} (R or A of "
            f"{raci.RUNBOOK_ACTIVITY}, or its application manager) write its runbook."
        )
    if release.stage in FINISHED:
        raise Conflict(f"{release.identifier} is {release.get_stage_display().lower()}.")
    version = _start_runbook(release, by=by)
    if version.is_complete:
        raise Conflict(
            f"Runbook {version.label} of {release.identifier} is complete: the next release "
            "of the application writes the next version.",
            missing=[],
        )
    return release, version


@transaction.atomic
def edit_runbook_section(release, *, by, section: str, text: str) -> RunbookVersion:
    """Write one section of the release's runbook version; the edit is kept with who and
    when (the history of the version) and audited."""
    if section not in RunbookSection.values:
        raise ValidationError({"section": "One of: " + ", ".join(RunbookSection.values) + "."})
    release, version = _writable_runbook(release, by=by)
    before = getattr(version, section)
    if before == text:
        return version
    setattr(version, section, text)
    version.save(update_fields=[section])
    RunbookEdit.objects.create(version=version, section=section, text=text, edited_by=by)
    audit.record(
        actor=by,
        action="runbook_section_edited",
        obj=version,
        release=release,
        before={"section": section, "length": len(before)},
        after={"section": section, "length": len(text)},
    )
    return version


@transaction.atomic
def complete_runbook(release, *, by, change_note: str = "") -> RunbookVersion:
    """The runbook version is ready for the go-live (RM.6.2's gate): every section
    written, and, for a version after V0, what changed said."""
    release, version = _writable_runbook(release, by=by)
    if change_note.strip():
        version.change_note = change_note
    if version.number > 0 and not version.change_note.strip():
        raise ValidationError({"change_note": f"Say what changed since V{version.number - 1}."})
    empty = [label for slug, label, text in version.sections() if not text.strip()]
    if empty:
        raise Conflict(
            f"Runbook {version.label} has empty sections: " + ", ".join(empty) + ".",
            missing=[f"Runbook section: {label}" for label in empty],
        )
    version.completed_by, version.completed_at = by, timezone.now()
    version.save(update_fields=["change_note", "completed_by", "completed_at"])
    audit.record(
        actor=by,
        action="runbook_completed",
        obj=version,
        release=release,
        after={"number": version.number, "change_note": version.change_note},
    )
    return version


# --- the Go/No-Go board (seed 002 sections 3 and 6) ----------------------------------


def _installation_started(release) -> bool:
    return ActivityRecord.objects.filter(
        release=release, activity__code="RM.6.2", status=ActivityRecord.Status.DONE
    ).exists()


def _check_board_time(scheduled_at) -> None:
    if not planning.EARLIEST <= scheduled_at.year <= planning.LATEST:
        raise ValidationError(
            {"scheduled_at": f"Give a date between {planning.EARLIEST} and {planning.LATEST}."}
        )


@transaction.atomic
def schedule_board(
    release, *, by, scheduled_at, participants=(), parties=(), agenda: str = ""
) -> GoNoGoBoard:
    """Seed 002 section 6, the Go/No-Go decision board "before each release": when it
    sits and who sits on it (people, and parties of Table 4-1). One open board at a
    time, before the installation starts."""
    release = lock(release)
    if not raci.may_hold_board(by, release):
        raise PermissionDenied(
            "Only the party accountable for RM.5.2 or the release manager holds the board."
        )
    if not release.is_open or _installation_started(release):
        raise Conflict(f"{release.identifier} is past its Go/No-Go board.")
    _check_board_time(scheduled_at)
    if GoNoGoBoard.objects.filter(release=release, outcome="").exists():
        raise Conflict(
            f"{release.identifier} has a board still to decide.", missing=["its outcome"]
        )
    board = GoNoGoBoard.objects.create(
        release=release, scheduled_at=scheduled_at, agenda=agenda, created_by=by
    )
    board.participants.set(participants)
    board.parties.set(parties)
    audit.record(
        actor=by,
        action="board_scheduled",
        obj=board,
        release=release,
        after={
            "scheduled_at": scheduled_at,
            "participants": sorted(u.username for u in participants),
            "parties": sorted(p.name for p in parties),
        },
    )
    return board


def _open_board(release, pk: int) -> GoNoGoBoard:
    board = GoNoGoBoard.objects.select_for_update().filter(release=release, pk=pk).first()
    if board is None:
        raise GoNoGoBoard.DoesNotExist(f"No board {pk} for {release.identifier}.")
    if not board.is_open:
        raise Conflict(f"This board decided {board.get_outcome_display()}.", missing=[])
    return board


def _replan(release, day, *, by, reason):
    """NO-GO: the installation milestone moves to ``day`` (the same hours) through the
    re-plan of ``releases.planning``, so the release's re-plan history shows it."""
    milestone = release.milestones.filter(kind=Milestone.Kind.INSTALLATION).first()
    starts_at, ends_at = planning.whole_day(day)
    if milestone is not None and not milestone.all_day:
        hours = timezone.localtime(milestone.starts_at).time()
        starts_at = timezone.make_aware(datetime.combine(day, hours))
        ends_at = starts_at + (milestone.ends_at - milestone.starts_at)
    planning.plan_milestone(
        release,
        Milestone.Kind.INSTALLATION,
        by=by,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=f"NO-GO at the Go/No-Go board: {reason}",
    )


@transaction.atomic
def record_outcome(
    release, pk: int, *, by, outcome: str, reason: str = "", new_installation_date=None
) -> GoNoGoBoard:
    """The board's decision, on the input pack as it stands (frozen with it): GO; NO-GO
    with a new installation date (re-planned) and why; or the release cancelled (the
    cancel transition, RM.1.1's)."""
    release = lock(release)
    board = _open_board(release, pk)
    if outcome not in GoNoGoBoard.Outcome.values:
        raise ValidationError({"outcome": "go, nogo or cancel."})
    if outcome == GoNoGoBoard.Outcome.CANCEL:
        if not raci.may_cancel_at_board(by, release):
            raise PermissionDenied("Only the release manager (RM.1.1) cancels the release.")
    elif not raci.may_decide_board(by, release):
        raise PermissionDenied("Only the party accountable for RM.5.2 decides GO or NO-GO.")
    if _installation_started(release) or not release.is_open:
        raise Conflict(f"{release.identifier} is past its Go/No-Go board.")
    if outcome != GoNoGoBoard.Outcome.GO and not reason.strip():
        raise ValidationError({"reason": "Say why the release does not go live."})
    if outcome == GoNoGoBoard.Outcome.NOGO:
        if new_installation_date is None:
            raise ValidationError({"new_installation_date": "Give the new installation date."})
        if not planning.EARLIEST <= new_installation_date.year <= planning.LATEST:
            raise ValidationError(
                {
                    "new_installation_date": (
                        f"Give a date between {planning.EARLIEST} and {planning.LATEST}."
                    )
                }
            )
        if new_installation_date <= timezone.localdate():
            raise ValidationError({"new_installation_date": "A day after today."})
        if new_installation_date == release.planned_installation_date:
            raise ValidationError({"new_installation_date": "Another day than planned now."})
    else:
        new_installation_date = None
    # the pack as the board saw it, before anything of the outcome changes the records
    board.pack = input_pack(release)
    board.outcome, board.reason = outcome, reason
    board.new_installation_date = new_installation_date
    board.decided_by, board.decided_at = by, timezone.now()
    board.save()
    audit.record(
        actor=by,
        action="board_decided",
        obj=board,
        release=release,
        after={
            "outcome": outcome,
            "reason": reason,
            "new_installation_date": new_installation_date,
        },
    )
    if outcome == GoNoGoBoard.Outcome.NOGO:
        _replan(release, new_installation_date, by=by, reason=reason)
    elif outcome == GoNoGoBoard.Outcome.CANCEL:
        fire_transition(release, "cancel", by=by, reason=f"Go/No-Go board: {reason}")
    return board
