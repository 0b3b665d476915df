"""The API validates input with the same Django forms as the web pages (one set of
rules). This module describes those forms to drf-spectacular, so that every activity's
request body appears in the OpenAPI schema with its own fields, and holds a JSON body to
the types the schema documents before a form sees it."""

from collections.abc import Mapping

from django import forms
from django.forms.utils import pretty_name
from rest_framework import serializers
from rest_framework.exceptions import ValidationError

from . import inputs


def _reference(field, optional=False, **kwargs):
    """A model choice is named by its ``to_field_name`` (text as long as that field at
    most, blank when the choice is optional) or by its id (a number)."""
    if field.to_field_name:
        key = field.queryset.model._meta.get_field(field.to_field_name)
        limit = {"max_length": key.max_length} if key.max_length else {}
        return serializers.CharField(allow_blank=optional, **limit, **kwargs)
    return serializers.IntegerField(**kwargs)


def _text_bounds(field) -> dict:
    """A text field's limits: its own, or else those of the guard against hostile input
    (``releasemgmt.inputs``), which refuses longer text in any field."""
    multiline = isinstance(field.widget, forms.Textarea)
    longest = inputs.MAX_TEXT_LENGTH if multiline else inputs.MAX_LINE_LENGTH
    return {"max_length": longest} | _bounds(field, "min_length", "max_length")


def _bounds(field, *names) -> dict:
    """The form field's limits among ``names`` that it sets (max_length, min_value...)."""
    return {name: value for name in names if (value := getattr(field, name, None)) is not None}


# Each maker builds the serializer field from the form field and the keyword arguments
# every field gets (required, help_text, label). Everything goes to the constructor:
# DRF copies a declared field by calling its constructor again with the same arguments,
# so an attribute set afterwards would not reach the schema. No field is nullable: a JSON
# null is refused for every field (see ``_json_type_error``).
FIELD_MAP = [
    (
        forms.ModelMultipleChoiceField,
        lambda f, **kw: serializers.ListField(
            child=_reference(f), allow_empty=not f.required, **kw
        ),
    ),
    (forms.ModelChoiceField, lambda f, **kw: _reference(f, optional=not f.required, **kw)),
    (
        forms.TypedChoiceField,
        lambda f, **kw: serializers.ChoiceField(
            choices=f.choices, allow_blank=not f.required, **kw
        ),
    ),
    (
        forms.ChoiceField,
        lambda f, **kw: serializers.ChoiceField(
            choices=[c for c in f.choices if c[0]], allow_blank=not f.required, **kw
        ),
    ),
    (forms.BooleanField, lambda f, **kw: serializers.BooleanField(**kw)),
    (forms.DateTimeField, lambda f, **kw: serializers.DateTimeField(**kw)),
    (forms.DateField, lambda f, **kw: serializers.DateField(**kw)),
    (
        forms.FileField,
        lambda f, **kw: serializers.FileField(**_bounds(f, "max_length"), **kw),
    ),
    (
        forms.IntegerField,
        lambda f, **kw: serializers.IntegerField(**_bounds(f, "min_value", "max_value"), **kw),
    ),
    (
        forms.CharField,
        lambda f, **kw: serializers.CharField(allow_blank=not f.required, **_text_bounds(f), **kw),
    ),
]


def _described(name, field) -> dict:
    """What every documented field says: whether it is required, and its help text, or
    failing that its label (the one the form shows, from the name when none is set)."""
    label = str(field.label) if field.label else ""
    kwargs = {
        "required": bool(field.required),
        "help_text": str(field.help_text or label or pretty_name(name)),
    }
    if label:
        kwargs["label"] = label
    return kwargs


def documented_fields(form_class) -> dict:
    """The form's fields as the schema documents them (serializer fields)."""
    fields = {}
    for field_name, field in form_class.base_fields.items():
        for form_type, make in FIELD_MAP:
            if isinstance(field, form_type):
                fields[field_name] = make(field, **_described(field_name, field))
                break
        else:
            raise TypeError(f"{form_class.__name__}.{field_name}: no documented type.")
    return fields


def form_serializer(form_class, name: str, **extra_fields):
    """A serializer class with the form's fields, for the schema only."""
    fields = documented_fields(form_class) | extra_fields
    return type(name, (serializers.Serializer,), fields)


def form_request(form_class, name: str, **extra_fields) -> dict:
    """The request bodies of an endpoint that takes the form: JSON or multipart, only
    multipart when the form requires a file (JSON cannot carry one)."""
    body = form_serializer(form_class, name, **extra_fields)
    if any(
        isinstance(field, forms.FileField) and field.required
        for field in form_class.base_fields.values()
    ):
        return {"multipart/form-data": body}
    return {"application/json": body, "multipart/form-data": body}


def _json_type_error(field, value) -> str | None:
    """Why a JSON value does not have the type the schema documents for ``field``."""
    if isinstance(field, serializers.ListField):
        if not isinstance(value, list):
            return "Expected a list."
        errors = [_json_type_error(field.child, item) for item in value]
        return next((f"Item {i + 1}: {e}" for i, e in enumerate(errors) if e), None)
    if isinstance(field, serializers.BooleanField):
        return None if isinstance(value, bool) else "Expected true or false."
    if isinstance(field, serializers.IntegerField):
        ok = isinstance(value, int) and not isinstance(value, bool)
        return None if ok else "Expected a whole number."
    return None if isinstance(value, str) else "Expected text."


def form_input(form_class, request, **extra_fields):
    """The request's data and files to bind ``form_class`` with. 400 when the body is not
    an object, or when a JSON body gives a field a value of another type than the schema
    documents (a form would turn any value into text); multipart and form bodies carry
    text only, which the form parses."""
    data = request.data
    if not isinstance(data, Mapping):
        raise ValidationError({"non_field_errors": ["Send an object with the fields."]})
    if hasattr(data, "getlist"):
        return data, request.FILES
    fields = documented_fields(form_class) | extra_fields
    errors = {
        name: [message]
        for name, value in data.items()
        if name in fields
        and not isinstance(fields[name], serializers.FileField)
        and (message := _json_type_error(fields[name], value))
    }
    if errors:
        raise ValidationError(errors)
    return data, request.FILES


def form_errors(form) -> dict:
    """A bound form's errors as the API's 400 body: {field: [messages]}."""
    return {
        ("non_field_errors" if field == "__all__" else field): [str(e) for e in errors]
        for field, errors in form.errors.items()
    }
