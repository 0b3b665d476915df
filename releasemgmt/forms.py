"""What every form of the project shares: the guard against hostile input
(``releasemgmt.inputs``), and, for the forms of an activity, their release."""

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator

from . import inputs
from .inputs import validate_plain_text, validate_single_line


def _key_field(field: forms.ModelChoiceField):
    """The model field a model choice is named by: its ``to_field_name`` or the key."""
    meta = field.queryset.model._meta
    return meta.get_field(field.to_field_name) if field.to_field_name else meta.pk


def _takes_id(field: forms.Field) -> bool:
    """A field whose value is stored as a 64-bit integer: a record's key, a whole number."""
    if isinstance(field, forms.ModelChoiceField):
        return inputs.stored_as_integer(_key_field(field))
    return isinstance(field, forms.IntegerField) and not isinstance(
        field, forms.FloatField | forms.DecimalField
    )


def _text_limit(field: forms.Field) -> int | None:
    if isinstance(field, forms.ModelChoiceField):
        return getattr(_key_field(field), "max_length", None)
    return getattr(field, "max_length", None)


def _flat_choices(choices):
    for key, label in choices:
        if isinstance(label, list | tuple):  # a group of choices
            yield from _flat_choices(label)
        else:
            yield key, label


def choice_options(bound_field) -> list[tuple[str, str, bool]]:
    """A single choice's options as (value, label, selected), as its ``Select`` widget
    would write them: for the filters of a list written in its template, where Django's
    widget took half a millisecond per select (issue 17)."""
    value = bound_field.value()
    chosen = "" if value is None else str(value)
    return [(str(key), label, str(key) == chosen) for key, label in bound_field.field.choices]


def _one_problem(field: forms.Field, value, label: str) -> str | None:
    """Why one submitted value (an item of a list for a multiple choice) cannot go to
    ``field``, or None: left to the field's own parsing."""
    if isinstance(value, str):
        text = value.strip() if getattr(field, "strip", False) else value
        multiline = isinstance(field, forms.CharField) and isinstance(field.widget, forms.Textarea)
        if problem := inputs.text_problem(
            text, label, multiline=multiline, max_length=_text_limit(field)
        ):
            return problem
        if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.ModelChoiceField):
            return inputs.choice_problem(value, label, [k for k, _ in _flat_choices(field.choices)])
    return inputs.id_problem(value, label) if _takes_id(field) else None


def input_problem(field: forms.Field, data, label: str) -> str | None:
    """Why the submitted ``data`` of ``field`` is refused before the field parses it (for
    a box to tick, the text sent: its widget reads any text as ticked)."""
    if isinstance(field, forms.BooleanField) and not isinstance(field, forms.NullBooleanField):
        return inputs.boolean_problem(data, label) if isinstance(data, str) else None
    if isinstance(field, forms.FileField) or data is None:
        return None  # a file has its own limits (releasemgmt.files)
    for value in data if isinstance(data, list | tuple) else [data]:
        if problem := _one_problem(field, value, label):
            return problem
    return None


class InputGuard:
    """A form that refuses hostile input field by field (the checks of
    ``releasemgmt.inputs``), with the error on the field, before the field's own parsing
    can trip on it (a lone surrogate said back in "not a valid choice", a key too large
    for the database) and after it, on the dates it parsed. Mixed into every form of the
    project, model forms and filter forms too."""

    def _clean_fields(self):
        # Django's loop over the fields, with the guard before and after each field's own.
        for name, bound in self._bound_items():
            field = bound.field
            data = bound.initial if field.disabled else bound.data
            if isinstance(field, forms.BooleanField) and not field.disabled:
                data = self.data.get(bound.html_name, data)  # as sent, not as the box read it
            try:
                if problem := input_problem(field, data, str(bound.label)):
                    raise ValidationError(problem, code="hostile")
                self.cleaned_data[name] = field._clean_bound_field(bound)
                if problem := inputs.date_problem(self.cleaned_data[name], str(bound.label)):
                    raise ValidationError(problem, code="out_of_range")
                if hasattr(self, f"clean_{name}"):
                    self.cleaned_data[name] = getattr(self, f"clean_{name}")()
            except ValidationError as error:
                self.add_error(name, error)


class GuardedForm(InputGuard, forms.Form):
    """A plain form with the guard."""


class ReleaseForm(GuardedForm):
    """A form that knows its release (for choices limited to it)."""

    def __init__(self, *args, release=None, **kwargs):
        self.release = release
        super().__init__(*args, **kwargs)


class _MailTextField(forms.CharField):
    """Text that goes out in e-mails: its own validator names any control character, the
    NUL among them (Django's own NUL check would say it a second time)."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            v for v in self.validators if not isinstance(v, ProhibitNullCharactersValidator)
        ]


class HeaderField(_MailTextField):
    """One line, as an e-mail header (a subject) holds it."""

    default_validators = [validate_single_line]


class MailBodyField(_MailTextField):
    """Lines of text, as an e-mail body holds them."""

    widget = forms.Textarea
    default_validators = [validate_plain_text]
