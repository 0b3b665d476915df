"""The guard against hostile input (``releasemgmt.inputs``) for the API's request bodies
that no form parses: the serializers of the releases, RfCs, Table 4-1, subscribers and
mass notifications take it as their base, so that they refuse what the forms refuse, in
the same words, with a 400 naming the field."""

from collections.abc import Mapping

from django.utils.dateparse import parse_date, parse_datetime
from rest_framework import serializers
from rest_framework.fields import empty
from rest_framework.relations import (
    ManyRelatedField,
    PrimaryKeyRelatedField,
    SlugRelatedField,
)

from .. import inputs


def _key(field):
    """The model field a relation names its record by, or None for another field."""
    if isinstance(field, SlugRelatedField):
        return field.get_queryset().model._meta.get_field(field.slug_field)
    if isinstance(field, PrimaryKeyRelatedField):
        return field.get_queryset().model._meta.pk
    return None


def _date_text_problem(field, text: str, label: str) -> str | None:
    """A date or datetime checked before DRF parses it (its timezone check of a datetime
    near the ends of the calendar would overflow); a text in another format is the
    field's to refuse."""
    parse = parse_datetime if isinstance(field, serializers.DateTimeField) else parse_date
    try:
        parsed = parse(text)
    except ValueError:
        return None
    return inputs.date_problem(parsed, label) if parsed else None


def _one_problem(field, value, label: str) -> str | None:
    """Why one value (an item of a list) cannot go to ``field``, or None: left to the
    field's own parsing."""
    key = _key(field)
    if isinstance(value, str):
        text = value.strip() if getattr(field, "trim_whitespace", False) else value
        multiline = field.style.get("base_template") == "textarea.html"
        limit = key.max_length if key is not None else getattr(field, "max_length", None)
        if problem := inputs.text_problem(text, label, multiline=multiline, max_length=limit):
            return problem
        if isinstance(field, serializers.ChoiceField):
            return inputs.choice_problem(value, label, field.choice_strings_to_values)
        if isinstance(field, serializers.DateField | serializers.DateTimeField):
            return _date_text_problem(field, text, label)
    if (key is not None and inputs.stored_as_integer(key)) or isinstance(
        field, serializers.IntegerField
    ):
        return inputs.id_problem(value, label)
    return None


def input_problem(field, data) -> str | None:
    """Why the submitted ``data`` of ``field`` is refused before the field parses it."""
    if isinstance(field, serializers.FileField | serializers.BooleanField):
        return None  # a file has its own limits (releasemgmt.files); DRF reads only booleans
    label = str(field.label or field.field_name)
    if isinstance(field, ManyRelatedField | serializers.ListField):
        child = field.child_relation if isinstance(field, ManyRelatedField) else field.child
        items = data if isinstance(data, list | tuple) else [data]
        return next((p for item in items if (p := _one_problem(child, item, label))), None)
    return _one_problem(field, data, label)


class InputGuard:
    """A serializer that refuses hostile input field by field before the fields parse it,
    and dates out of range once parsed: 400, ``{field: [message]}``."""

    def to_internal_value(self, data):
        fields = list(self._writable_fields)
        if isinstance(data, Mapping):
            errors = {}
            for field in fields:
                value = field.get_value(data)
                if value not in (empty, None) and (problem := input_problem(field, value)):
                    errors[field.field_name] = [problem]
            if errors:
                raise serializers.ValidationError(errors)
        validated = super().to_internal_value(data)
        errors = {}
        for field in fields:
            if len(field.source_attrs) == 1 and field.source in validated:
                label = str(field.label or field.field_name)
                if problem := inputs.date_problem(validated[field.source], label):
                    errors[field.field_name] = [problem]
        if errors:
            raise serializers.ValidationError(errors)
        return validated


class GuardedSerializer(InputGuard, serializers.Serializer):
    """A request body with the guard."""


class GuardedModelSerializer(InputGuard, serializers.ModelSerializer):
    """A model's fields as a request body, with the guard."""


class ChoiceLabelField(serializers.CharField):
    """The label of a choice (``source`` the model field, ``choices`` its choices), as
    ``get_<field>_display`` gives it. With that method as its source, DRF asked
    ``inspect.signature`` of the bound method for every row: a fifth of the API release
    list's time (issue 17)."""

    def __init__(self, choices, **kwargs):
        self.labels = {value: str(label) for value, label in choices}
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value):
        return self.labels.get(value, value)
