"""The guard against hostile input, rule by rule: where its limits lie, and that a form
and a serializer refuse alike, on the field, without saying the value back.
(tests/security/test_hostile_input.py sends the same classes to every door.)"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.core.exceptions import ValidationError
from rest_framework import serializers

from releasemgmt import inputs
from releasemgmt.api.serializers import GuardedSerializer
from releasemgmt.forms import GuardedForm


@pytest.mark.parametrize(
    ("value", "multiline", "refused"),
    [
        ("two\tcolumns", True, False),
        ("first line\r\nsecond line", True, False),
        ("vertical\x0btab", True, True),
        ("a\ttab", False, True),
        ("a\nline break", False, True),
        ("delete\x7f", True, True),
        ("next line\x85", True, True),
        ("zero\x00", True, True),
        ("half a pair \ud83d", True, True),
        ("a whole pair \U0001f600 and accents: é ß 中", False, False),
    ],
)
def test_text(value, multiline, refused):
    problem = inputs.text_problem(value, "Notes", multiline=multiline)
    assert bool(problem) == refused
    if problem:
        assert problem.startswith("Notes ")
        assert not any(c in problem for c in value if not c.isascii() or not c.isprintable())


def test_text_lengths():
    assert inputs.text_problem("x" * 40, "Version", max_length=40) is None
    assert "at most 40 characters; it has 41" in inputs.text_problem("x" * 41, "V", max_length=40)
    assert inputs.text_problem("x" * inputs.MAX_LINE_LENGTH, "Name") is None
    assert inputs.text_problem("x" * (inputs.MAX_LINE_LENGTH + 1), "Name")
    assert inputs.text_problem("x" * inputs.MAX_TEXT_LENGTH, "Notes", multiline=True) is None
    assert inputs.text_problem("x" * (inputs.MAX_TEXT_LENGTH + 1), "Notes", multiline=True)


@pytest.mark.parametrize(
    ("value", "refused"),
    [(2**63 - 1, False), (2**63, True), (-(2**63), False), (-(2**63) - 1, True), (" 42 ", False)]
    + [("99999999999999999999999", True), ("not a number", False), (True, False)],
)
def test_ids(value, refused):
    assert bool(inputs.id_problem(value, "Task")) == refused


BRUSSELS = ZoneInfo("Europe/Brussels")


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        (datetime.date(1900, 1, 1), False),
        (datetime.date(1899, 12, 31), True),
        (datetime.date(9999, 12, 31), False),
        (datetime.date(1, 1, 1), True),
        (datetime.datetime(1900, 1, 1, tzinfo=BRUSSELS), False),
        (datetime.datetime(1, 1, 1, tzinfo=BRUSSELS), True),
        (datetime.datetime(9999, 12, 30, 23, 59, 59, tzinfo=BRUSSELS), False),
        (datetime.datetime(9999, 12, 31, tzinfo=BRUSSELS), True),
        (
            datetime.datetime(
                9999, 12, 30, 12, tzinfo=datetime.timezone(-datetime.timedelta(hours=13))
            ),
            True,
        ),
        (datetime.datetime(2027, 2, 10, 20, tzinfo=datetime.UTC), False),
    ],
)
def test_dates(value, refused):
    assert bool(inputs.date_problem(value, "Start")) == refused


class Body(GuardedForm):
    kind = forms.ChoiceField(choices=[("psat", "pSAT"), ("sat", "SAT")])
    title = forms.CharField(max_length=20)
    notes = forms.CharField(widget=forms.Textarea, required=False)
    accepted = forms.BooleanField(required=False)
    when = forms.DateTimeField(required=False)


class BodySerializer(GuardedSerializer):
    kind = serializers.ChoiceField(choices=["psat", "sat"])
    title = serializers.CharField(max_length=20)
    notes = serializers.CharField(required=False, style={"base_template": "textarea.html"})
    accepted = serializers.BooleanField(required=False)
    when = serializers.DateTimeField(required=False)


GOOD = {"kind": "psat", "title": "Report", "notes": "Line one\r\n\tLine two"}


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("kind", "ps\ud800at"),
        ("kind", "x" * 5000),
        ("title", "Re\x00port"),
        ("title", "Re\nport"),
        ("notes", "bell\x07"),
        ("when", "0001-01-01T00:00:00"),
        ("when", "9999-12-31T23:59:59-05:00"),
    ],
)
def test_a_form_and_a_serializer_refuse_alike(field, value):
    form = Body(GOOD | {field: value})
    serializer = BodySerializer(data=GOOD | {field: value})
    assert not form.is_valid()
    assert not serializer.is_valid()
    assert list(form.errors) == [field] == list(serializer.errors)
    for message in [*form.errors[field], *map(str, serializer.errors[field])]:
        assert value not in message
        assert not any(c in message for c in "\ud800\x00\x07\n")


def test_the_good_body_passes_both():
    assert Body(GOOD).is_valid(), Body(GOOD).errors
    assert BodySerializer(data=GOOD).is_valid()


def test_a_one_line_value_is_taken_without_its_surrounding_whitespace():
    form = Body(GOOD | {"title": "  Report\r\n"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Report"


def test_a_box_is_ticked_by_a_word_a_browser_or_a_client_sends():
    assert Body(GOOD | {"accepted": "on"}).is_valid()
    assert Body(GOOD | {"accepted": "false"}).is_valid()
    form = Body(GOOD | {"accepted": "ab\x00cd"})
    assert form.errors["accepted"] == ["Accepted must be true or false."]


def test_unicode_line_separators_break_a_line_too():
    """A subject (an e-mail header) holds one line: U+2028 and U+2029 are line breaks."""
    for separator in ("\u2028", "\u2029"):
        assert "must be on one line" in inputs.text_problem(f"a{separator}b", "Subject")
        assert inputs.text_problem(f"a{separator}b", "Body", multiline=True) is None
    with pytest.raises(ValidationError, match="one line"):
        inputs.validate_single_line("Downtime\u2028Bcc: everyone@example.org")
    inputs.validate_plain_text("Saturday\n\tfrom 8:00")
