"""What a deployment plan holds (BS 15000-2 section 9.3, seed 004), what it still lacks,
a revision's snapshot of it and what changed between two revisions. The one place where
"missing item" is decided: the release page, the activity pages, the API and RM.1.4's
gate all ask ``missing_items``."""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError

from releasemgmt import inputs


@dataclass(frozen=True)
class Item:
    slug: str
    letter: str  # as section 9.3 lists it
    label: str
    help: str


#: BS 15000-2 section 9.3 a) to k): each a text of the plan, by its slug
ITEMS = (
    Item("dates_deliverables", "a", "Dates and deliverables", "Release dates and deliverables."),
    Item(
        "related_changes",
        "b",
        "Related changes, problems and known errors",
        "Changes, problems and known errors closed by the release; known errors found in testing.",
    ),
    Item(
        "processes",
        "c",
        "Processes across organisational units",
        "How the release is implemented across business and geographical units.",
    ),
    Item(
        "back_out",
        "d",
        "Back-out",
        "How the release is backed out or remedied if unsuccessful.",
    ),
    Item("verification", "e", "Verification and acceptance", "The verification and acceptance."),
    Item(
        "communication",
        "f",
        "Communication, documentation and training",
        "Communication, preparation, documentation and training of users and support staff.",
    ),
    Item(
        "logistics",
        "g",
        "Logistics",
        "Purchase, storage, dispatch, connection, acceptance and disposal of goods.",
    ),
    Item(
        "support_resources",
        "h",
        "Support resources",
        "The support resources that keep the service levels.",
    ),
    Item(
        "dependencies",
        "i",
        "Dependencies and risks",
        "Dependencies and related changes; the risks themselves are rows with owner and "
        "mitigation.",
    ),
    Item("sign_off", "j", "Sign-off", "Who signs the release off, and how."),
    Item(
        "production_audits",
        "k",
        "Audits of the production environment",
        "The audits of the production environment, or why none is needed.",
    ),
)
ITEM_LABELS = {item.slug: item.label for item in ITEMS}
#: item i) is there once the plan names a risk (with its owner and mitigation)
RISKS_MISSING = "Dependencies and risks: at least one risk, with its owner and mitigation"
PHASES_MISSING = "Phases of the phased deployment"


def missing_items(plan, risks=None, phases=None) -> list[str]:
    """What the plan still lacks of section 9.3, by label: an empty item, no risk, a
    phased deployment without phases. ``risks`` and ``phases`` are the plan's rows when
    the caller has read them already (fixed queries), else they are read here."""
    if plan is None:
        return []
    items = plan.items or {}
    risks = list(plan.risks.all()) if risks is None else risks
    phases = list(plan.phases.all()) if phases is None else phases
    missing = [
        item.label
        for item in ITEMS
        if item.slug != "dependencies" and not str(items.get(item.slug, "")).strip()
    ]
    if not risks:
        missing.insert([i.slug for i in ITEMS].index("dependencies"), RISKS_MISSING)
    if plan.option == "phased" and not phases:
        missing.append(PHASES_MISSING)
    return missing


# --- rows typed as lines (the web form and the API alike) -----------------------------


def _split(text: str, field: str, parts: int, example: str) -> list[list[str]]:
    rows = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cells = [c.strip() for c in line.split("|")]
        if len(cells) != parts or not all(cells):
            raise ValidationError({field: f"Line {number}: write '{example}'."})
        rows.append((number, cells))
    return rows


def _bounded(field: str, number: int, name: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise ValidationError({field: f"Line {number}: a {name} has at most {limit} characters."})
    return value


def parse_risks(text: str) -> list[dict]:
    """'risk | owner | mitigation' per line -> rows; a clear error naming the line."""
    rows = []
    for number, (description, owner, mitigation) in _split(
        text, "risks", 3, "risk | owner | mitigation"
    ):
        rows.append(
            {
                "description": _bounded("risks", number, "risk", description, 500),
                "owner": _bounded("risks", number, "owner", owner, 200),
                "mitigation": _bounded("risks", number, "mitigation", mitigation, 2000),
            }
        )
    if len({r["description"] for r in rows}) != len(rows):
        raise ValidationError({"risks": "A risk is listed twice."})
    return rows


def parse_phases(text: str) -> list[dict]:
    """'name | target | YYYY-MM-DD' per line -> rows, the date within the calendar the
    rest of the planning takes (1900 to 9999)."""
    rows = []
    for number, (name, target, day) in _split(text, "phases", 3, "name | target | YYYY-MM-DD"):
        try:
            planned = datetime.date.fromisoformat(day)
        except ValueError:
            raise ValidationError(
                {"phases": f"Line {number}: the date is not a date (YYYY-MM-DD)."}
            ) from None
        if not inputs.FIRST_DAY <= planned <= inputs.LAST_DAY:
            raise ValidationError(
                {"phases": f"Line {number}: the date must fall between 1900 and 9999."}
            )
        rows.append(
            {
                "name": _bounded("phases", number, "name", name, 100),
                "target": _bounded("phases", number, "target", target, 500),
                "planned_date": planned,
            }
        )
    if len({r["name"] for r in rows}) != len(rows):
        raise ValidationError({"phases": "A phase is listed twice."})
    return rows


def risks_as_text(risks) -> str:
    return "\n".join(f"{r.description} | {r.owner} | {r.mitigation}" for r in risks)


def phases_as_text(phases) -> str:
    return "\n".join(f"{p.name} | {p.target} | {p.planned_date.isoformat()}" for p in phases)


# --- revisions: a snapshot, and what changed between two ------------------------------


def snapshot(plan) -> dict:
    """The plan's whole content as a revision keeps it (JSON)."""
    return {
        "option": plan.option,
        "summary": plan.summary,
        "items": {item.slug: (plan.items or {}).get(item.slug, "") for item in ITEMS},
        "risks": [
            {"description": r.description, "owner": r.owner, "mitigation": r.mitigation}
            for r in plan.risks.all()
        ],
        "phases": [
            {"name": p.name, "target": p.target, "planned_date": p.planned_date.isoformat()}
            for p in plan.phases.all()
        ],
        "tasks": [
            {
                "title": t.title,
                "owner": t.owner_party.short_name,
                "assignee": t.assignee.username if t.assignee else "",
                "due_date": t.due_date.isoformat(),
                "status": t.status,
            }
            for t in plan.tasks.select_related("owner_party", "assignee")
        ],
        "components": [f"{c.name} {c.version}" for c in plan.components.all()],
    }


#: the rows of a snapshot: each kind, its key and how a row reads
ROWS = (
    ("risk", "risks", "description", lambda r: f"owner {r['owner']}; mitigation {r['mitigation']}"),
    ("phase", "phases", "name", lambda r: f"{r['target']}, {r['planned_date']}"),
    (
        "task",
        "tasks",
        "title",
        lambda r: (
            f"{r['owner']}, {r['assignee'] or 'unassigned'}, due {r['due_date']}, {r['status']}"
        ),
    ),
    ("component", "components", None, lambda r: r),
)


def compare(before: dict, after: dict) -> list[dict]:
    """What changed from one revision's content to another's, field by field and row by
    row: [{kind, key, label, change (changed, added, removed), before, after}]."""
    changes = []

    def field(key, label, old, new):
        if (old or "") != (new or ""):
            changes.append(
                {
                    "kind": "field",
                    "key": key,
                    "label": label,
                    "change": "changed",
                    "before": old or "",
                    "after": new or "",
                }
            )

    field("option", "Deployment option", before.get("option"), after.get("option"))
    field("summary", "Summary", before.get("summary"), after.get("summary"))
    for item in ITEMS:
        field(
            item.slug,
            f"{item.letter}) {item.label}",
            before.get("items", {}).get(item.slug),
            after.get("items", {}).get(item.slug),
        )
    for kind, section, key, reads in ROWS:
        old = {(r[key] if key else r): r for r in before.get(section, [])}
        new = {(r[key] if key else r): r for r in after.get(section, [])}
        for name in [*old, *(n for n in new if n not in old)]:
            was, now = old.get(name), new.get(name)
            if was == now:
                continue
            changes.append(
                {
                    "kind": kind,
                    "key": name,
                    "label": name,
                    "change": "added" if was is None else "removed" if now is None else "changed",
                    "before": "" if was is None else reads(was),
                    "after": "" if now is None else reads(now),
                }
            )
    return changes
