"""The writes of go-live readiness (seed 002 sections 3 and 7.2): the process owner's
Move2Run templates, each release's checklist made from them, and its items confirmed,
waived or carried into hypercare. One transaction each, the release row locked first,
every write audited."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from raci import permissions as raci
from releasemgmt.audit import services as audit
from releasemgmt.errors import Conflict
from releases.services import lock
from releases.stages import Stage

from .models import Checklist, ChecklistItem, ChecklistTemplate, Priority, TemplateItem

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
