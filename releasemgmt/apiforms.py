"""The API validates input with the same Django forms as the web pages (one set of
rules). This module describes those forms to drf-spectacular, so that every activity's
request body appears in the OpenAPI schema with its own fields."""

from django import forms
from rest_framework import serializers

FIELD_MAP = [
    (
        forms.ModelMultipleChoiceField,
        lambda f: serializers.ListField(child=serializers.CharField()),
    ),
    (forms.ModelChoiceField, lambda f: serializers.CharField()),
    (forms.TypedChoiceField, lambda f: serializers.ChoiceField(choices=f.choices)),
    (forms.ChoiceField, lambda f: serializers.ChoiceField(choices=[c for c in f.choices if c[0]])),
    (forms.BooleanField, lambda f: serializers.BooleanField()),
    (forms.DateTimeField, lambda f: serializers.DateTimeField()),
    (forms.DateField, lambda f: serializers.DateField()),
    (forms.FileField, lambda f: serializers.FileField()),
    (forms.IntegerField, lambda f: serializers.IntegerField()),
    (forms.CharField, lambda f: serializers.CharField(allow_blank=not f.required)),
]


def form_serializer(form_class, name: str, **extra_fields):
    """A serializer class with the form's fields, for the schema only."""
    fields = {}
    for field_name, field in form_class.base_fields.items():
        for form_type, make in FIELD_MAP:
            if isinstance(field, form_type):
                serializer_field = make(field)
                break
        serializer_field.required = bool(field.required)
        serializer_field.help_text = str(field.help_text or field.label or "")
        fields[field_name] = serializer_field
    fields.update(extra_fields)
    return type(name, (serializers.Serializer,), fields)


def form_errors(form) -> dict:
    """A bound form's errors as the API's 400 body: {field: [messages]}."""
    return {
        ("non_field_errors" if field == "__all__" else field): [str(e) for e in errors]
        for field, errors in form.errors.items()
    }
