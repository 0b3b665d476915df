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


def record(*, actor, action: str, obj, before=None, after=None, release=None) -> AuditEntry:
    """Append one entry for ``obj``. ``before``/``after`` are dicts of field values;
    only the fields that differ are kept."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        release=release,
        changes=diff(before or {}, after or {}),
    )
