"""The input pack of a Go/No-Go board (seed 002 section 6: "Move2Run Checklist, Test
summary, Rollback plan, Runbook"; BS 15000-2 9.3 i), the plan's risks), assembled by
the product from the records of the rooms below rather than by hand, and frozen as JSON
with the board's outcome. A fixed number of queries."""

from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone

from deployments.conflicts import conflicts_of
from deployments.models import Decision

from .models import PRIORITY_ORDER, ChecklistItem, RunbookVersion


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _one(release, relation):
    try:
        return getattr(release, relation)
    except ObjectDoesNotExist:
        return None


def _checklist(release) -> dict:
    items = list(
        ChecklistItem.objects.filter(release=release).select_related("owner_party", "settled_by")
    )
    counts = {status: 0 for status in ChecklistItem.Status.values}
    for item in items:
        counts[item.status] += 1
    holding = sorted(
        (i for i in items if i.holds_go_live),
        key=lambda i: (PRIORITY_ORDER[i.priority], i.position),
    )
    rehearsal = next(
        (
            i
            for i in items
            if i.title.lower().startswith("rollback") and i.status == ChecklistItem.Status.DONE
        ),
        None,
    )
    return {
        "counts": {"total": len(items), **counts},
        "holding": [f"{i.title} ({i.get_priority_display().lower()})" for i in holding],
        "rollback_test": {
            "item": rehearsal.title,
            "by": str(rehearsal.settled_by),
            "at": _when(rehearsal.settled_at),
            "evidence": rehearsal.evidence_note or rehearsal.evidence_link,
        }
        if rehearsal
        else None,
    }


def _decisions(release) -> list[dict]:
    """The business threads' standing decisions (the latest of each thread and kind)."""
    kinds = (Decision.Kind.PSAT, Decision.Kind.SAT, Decision.Kind.AUTHORISATION)
    rows = (
        Decision.objects.filter(release=release, kind__in=kinds, superseded_by__isnull=True)
        .select_related("business_thread", "test_report")
        .order_by("kind", "business_thread__position", "-recorded_at")
    )
    return [
        {
            "kind": d.kind,
            "label": d.get_kind_display(),
            "thread": d.business_thread.name,
            "verdict": d.verdict_label,
            "decided_by": d.decided_by_name,
            "decided_at": _when(d.decided_at),
            "report": d.test_report.filename if d.test_report_id else "",
        }
        for d in rows
    ]


def _runbook(release) -> dict:
    version = RunbookVersion.objects.filter(release=release).first()
    if version is None:
        return {"version": "", "complete": False}
    return {
        "version": version.label,
        "complete": version.is_complete,
        "completed_at": _when(version.completed_at),
        "change_note": version.change_note,
    }


def _risks(release) -> list[dict]:
    plan = _one(release, "deployment_plan")
    risks = [
        {
            "source": "deployment plan",
            "description": r.description,
            "owner": r.owner,
            "mitigation": r.mitigation,
        }
        for r in (plan.risks.all() if plan else [])
    ]
    for rfc in release.rfcs.exclude(risk_level="").order_by("reference"):
        risks.append(
            {
                "source": rfc.reference,
                "description": f"{rfc.title}: {rfc.get_risk_level_display().lower()} risk",
                "owner": "",
                "mitigation": "",
            }
        )
    return risks


def input_pack(release) -> dict:
    """What the board decides on, as plain data (strings, numbers, lists)."""
    reports = release.test_reports.order_by("-uploaded_at")
    rollback = _one(release, "rollback_plan")
    acknowledged = set(release.conflict_acknowledgements.values_list("key", flat=True))
    return {
        "assembled_at": _when(timezone.now()),
        "planned_installation_date": str(release.planned_installation_date),
        "checklist": _checklist(release),
        "test_reports": [
            {"kind": r.get_kind_display(), "file": r.filename, "at": _when(r.uploaded_at)}
            for r in reports
        ],
        "decisions": _decisions(release),
        "rollback_plan": {
            "last_known_good_build": rollback.last_known_good_build,
            "procedure": rollback.procedure,
        }
        if rollback
        else None,
        "runbook": _runbook(release),
        "conflicts": [
            {"message": f.message, "acknowledged": f.key in acknowledged}
            for f in conflicts_of(release)
        ],
        "risks": _risks(release),
    }
