"""What every form of an activity shares."""

from django import forms
from django.core.validators import ProhibitNullCharactersValidator

from .text import validate_plain_text, validate_single_line


class ReleaseForm(forms.Form):
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
