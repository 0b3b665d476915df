"""What no input may carry, whichever way it comes in: a web form, a request body of the
API, a line of an imported CSV. The checks and their messages are here once, so that the
pages, the API and the imports refuse the same things in the same words; the forms
(``releasemgmt.forms``) and the API's serializers (``releasemgmt.api.serializers``) apply
them to every field before the field's own parsing, and to the dates it parses.

Refused: a lone surrogate (not text: neither the database nor a UTF-8 response can hold
it), NUL and the other control characters (tab and line breaks are allowed in multi-line
text only), text longer than its field, a box to tick sent as anything but true or
false, an id beyond the 64 bits of the database's keys, a date outside 1900-9999 and a
datetime too close to the ends of the calendar for a timezone conversion to survive. A
message names the field and never repeats the value: the value may be what cannot be shown."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

#: the most a multi-line text without a length of its own may hold (some fifty pages)
MAX_TEXT_LENGTH = 100_000
#: the most a one-line value without a length of its own may hold (a choice, a name)
MAX_LINE_LENGTH = 1_000
#: the ids of the database's keys: signed 64 bits
SMALLEST_ID, LARGEST_ID = -(2**63), 2**63 - 1
#: dates, such as the planning's
FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(9999, 12, 31)
#: moments: a day short of the end of the calendar, so that every timezone can show them
LAST_MOMENT_DAY = datetime.date(9999, 12, 30)
_EARLIEST_UTC = datetime.datetime(1899, 12, 31, tzinfo=datetime.UTC)
_LATEST_UTC = datetime.datetime(9999, 12, 31, tzinfo=datetime.UTC)

_SURROGATE = re.compile("[\ud800-\udfff]")
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_BUT_LAYOUT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Unicode's own line and paragraph separators: line breaks too, where one line is due
_SEPARATORS = re.compile("[\u2028\u2029]")


def text_problem(
    value: str, label: str, *, multiline: bool = False, max_length: int | None = None
) -> str | None:
    """Why ``value`` cannot be taken as the text of field ``label``, or None."""
    limit = max_length or (MAX_TEXT_LENGTH if multiline else MAX_LINE_LENGTH)
    if len(value) > limit:
        return f"{label} may have at most {limit:,} characters; it has {len(value):,}."
    if found := _SURROGATE.search(value):
        return f"{label} is not valid text: it holds a lone surrogate (U+{ord(found[0]):04X})."
    if found := (_CONTROL_BUT_LAYOUT if multiline else _CONTROL).search(value):
        character = found[0]
        if character in "\r\n":
            return f"{label} must be on one line: remove the line break."
        if character == "\x00":
            return f"{label} contains a NUL character (U+0000), which is not allowed."
        return (
            f"{label} contains a control character (U+{ord(character):04X}), which is not allowed."
        )
    if not multiline and _SEPARATORS.search(value):
        return f"{label} must be on one line: remove the line break."
    return None


def _validator(*, multiline: bool):
    def validate(value: str) -> None:
        # The field's own max_length says the length; this says what the text holds.
        if problem := text_problem(value, "It", multiline=multiline, max_length=len(value) or 1):
            raise ValidationError(problem, code="not_plain_text")

    return validate


#: validators of text that leaves the application in e-mails: a header (a subject) holds
#: one line, a body lines and tabs; neither holds another control character or a surrogate
validate_single_line = _validator(multiline=False)
validate_plain_text = _validator(multiline=True)


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


def choice_problem(value: str, label: str, choices) -> str | None:
    """Why ``value`` cannot be one of ``choices`` (their keys), said without saying it
    back, or None. Only a value longer than any choice is refused here: which choices
    exist is the field's to say."""
    if len(value) > max((len(str(key)) for key in choices), default=0):
        return f"{label} is not one of the choices."
    return None


#: what a box that is ticked or not may be sent as (a browser sends "on", or nothing)
BOOLEAN_WORDS = frozenset({"", "on", "off", "true", "false", "yes", "no", "1", "0"})


def boolean_problem(value: str, label: str) -> str | None:
    """Why the text ``value`` cannot be read as true or false, or None. (A form would read
    any other text as true.)"""
    if value.strip().lower() in BOOLEAN_WORDS:
        return None
    return f"{label} must be true or false."


def id_problem(value, label: str) -> str | None:
    """Why ``value`` cannot be stored as a record's key or a whole number, or None: a
    number beyond 64 bits. (Anything that is not a number is the field's to refuse.)"""
    if isinstance(value, bool):
        return None
    try:
        number = int(value.strip() if isinstance(value, str) else value)
    except (TypeError, ValueError):
        return None
    if not SMALLEST_ID <= number <= LARGEST_ID:
        return f"{label} is out of range: a number of at most 64 bits."
    return None


def stored_as_integer(model_field) -> bool:
    """Whether a model field (a key, a reference to one) holds a 64-bit integer."""
    if isinstance(model_field, models.ForeignKey):
        return stored_as_integer(model_field.target_field)
    return isinstance(model_field, models.IntegerField | models.AutoField)


def date_problem(value, label: str) -> str | None:
    """Why a parsed date or datetime is out of range, or None. A datetime must fall
    between 1900-01-01 and 9999-12-30 as written, and convert to UTC a day inside the
    calendar's ends (where any timezone can still show it)."""
    if isinstance(value, datetime.datetime):
        message = f"{label} must be between {FIRST_DAY} and {LAST_MOMENT_DAY}."
        if not FIRST_DAY <= value.date() <= LAST_MOMENT_DAY:
            return message
        try:
            aware = value if timezone.is_aware(value) else timezone.make_aware(value)
            utc = aware.astimezone(datetime.UTC)
        except (OverflowError, ValueError):
            return message
        return None if _EARLIEST_UTC <= utc < _LATEST_UTC else message
    if isinstance(value, datetime.date) and not FIRST_DAY <= value <= LAST_DAY:
        return f"{label} must be between {FIRST_DAY} and {LAST_DAY}."
    return None
