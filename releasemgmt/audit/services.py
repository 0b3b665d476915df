"""The one audit writer every service calls."""

import json

from django.core.serializers.json import DjangoJSONEncoder

from .models import AuditEntry


def _plain(value):
    """JSON-safe form of a field value (dates, decimals, model instances)."""
    if hasattr(value, "pk"):
        return str(value)
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


def diff(before: dict, after: dict) -> dict:
    """``{field: [before, after]}`` for the fields whose value changed."""
    fields = sorted(set(before) | set(after))
    return {
        f: [_plain(before.get(f)), _plain(after.get(f))]
        for f in fields
        if before.get(f) != after.get(f)
    }


def _snapshot(actor) -> tuple[str, str]:
    """(name, groups) of the actor as they are now, kept on the entry so that renaming
    the account or changing its parties later does not rewrite history. Read once per
    user object (a request's services write several entries)."""
    cached = actor.__dict__.get("_audit_snapshot")
    if cached is None:
        name = actor.get_full_name() or actor.get_username()
        if actor.get_full_name():
            name = f"{name} ({actor.get_username()})"
        groups = ", ".join(sorted(actor.groups.values_list("name", flat=True)))
        cached = actor.__dict__["_audit_snapshot"] = (name[:300], groups[:1000])
    return cached


def _deputy_of(actor, release, given: str) -> str:
    """Whom the actor stands in for in this write: as given, or as the permission room
    noted on the actor when it let a deputy act on this release."""
    if given or release is None:
        return given
    return actor.__dict__.get("_deputy_of", {}).get(release.pk, "")


def record(
    *, actor, action: str, obj, before=None, after=None, release=None, deputy_of: str = ""
) -> AuditEntry:
    """Append one entry for ``obj``. ``before``/``after`` are dicts of field values;
    only the fields that differ are kept. The actor's name and parties are kept as they
    are now, and whom they stood in for when they acted as a deputy ("by X, deputy of
    Y")."""
    known = getattr(actor, "is_authenticated", False)
    name, groups = _snapshot(actor) if known else ("", "")
    return AuditEntry.objects.create(
        actor=actor if known else None,
        actor_name=name,
        actor_groups=groups,
        deputy_of=_deputy_of(actor, release, deputy_of)[:300] if known else "",
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        release=release,
        changes=diff(before or {}, after or {}),
    )
