"""Text that leaves the application in e-mails, checked before it is stored: a header
holds one line, a body holds line breaks and tabs but no other control character, and
neither holds a lone surrogate (a JSON escape such as \\ud800 carries one; UTF-8, the
database and the mail server cannot). The messages name the character by its code point,
never echo it."""

import re

from django.core.exceptions import ValidationError

#: control characters (C0, DEL, C1), Unicode's line and paragraph separators, surrogates
_NOT_IN_A_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")
#: the same, less the line breaks and tabs a body is made of
_NOT_IN_A_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"


def _refusal(char: str, *, line: bool) -> str:
    code = f"U+{ord(char):04X}"
    if "\ud800" <= char <= "\udfff":
        return f"It holds a lone surrogate ({code}), which no e-mail can carry."
    if line and char in _LINE_BREAKS:
        return f"It must fit on one line: remove the line break ({code})."
    return f"Remove the control character {code}."


def validate_single_line(value: str) -> None:
    """One line of text, as an e-mail header (a subject) holds it."""
    if found := _NOT_IN_A_LINE.search(value):
        raise ValidationError(_refusal(found.group(), line=True), code="not_one_line")


def validate_plain_text(value: str) -> None:
    """Text of lines, as an e-mail body holds it."""
    if found := _NOT_IN_A_TEXT.search(value):
        raise ValidationError(_refusal(found.group(), line=False), code="control_character")


def check_text(fields: dict[str, tuple[str, int, object]]) -> None:
    """For a service called without a form: each field's value (required), its limit and
    its validator; one ValidationError naming every offending field."""
    errors = {}
    for name, (value, limit, validate) in fields.items():
        if not isinstance(value, str) or not value.strip():
            errors[name] = ["This field is required."]
        elif len(value) > limit:
            errors[name] = [f"Ensure this value has at most {limit} characters."]
        else:
            try:
                validate(value)
            except ValidationError as exc:
                errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
