"""``Links`` makes the paths ``reverse`` makes, for text and for numbers in the path, and
refuses what ``reverse`` refuses."""

import pytest
from django.urls import NoReverseMatch, reverse
from django.urls.base import get_script_prefix, set_script_prefix

from releasemgmt.links import Links


@pytest.mark.parametrize(
    ("name", "values"),
    [
        ("releases:detail", ["ECS-1.2.0"]),
        ("releases:detail", ["odd name with ?&# and é"]),
        ("releases:detail", ["a~b_c.d-1"]),
        ("releases:detail", ["\u0085line\u2028"]),
        ("releases:detail", ["١٢"]),
        ("changes:rfc", ["RFC-000123"]),
        ("releases:activity", ["ECS-1.2.0", "RM.1.1"]),
        ("releases:activity", ["odd name é", "RM.6.3"]),
        ("packages:detail", [1]),
        ("packages:detail", ["007"]),
        ("packages:detail", [9_876_543_210]),
        ("packages:detail", [2**63 - 1]),
    ],
)
def test_the_paths_are_those_reverse_makes(name, values):
    assert Links(name, len(values))(*values) == reverse(name, args=values)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("releases:detail", ""),
        ("releases:detail", "a/b"),
        ("packages:detail", -1),
        ("packages:detail", "abc"),
        ("packages:detail", "١٢"),
        ("packages:detail", True),
        ("packages:detail", None),
        ("packages:detail", 1.0),
    ],
)
def test_a_value_the_pattern_refuses_is_refused(name, value):
    with pytest.raises(NoReverseMatch):
        reverse(name, args=[value])
    with pytest.raises(NoReverseMatch):
        Links(name)(value)


def test_a_mark_in_the_script_prefix_is_not_mistaken_for_the_value():
    before = get_script_prefix()
    set_script_prefix("/rm9876543210/__value0__/")
    try:
        for name, value in (("packages:detail", 5), ("releases:detail", "ECS-1.0.0")):
            assert Links(name)(value) == reverse(name, args=[value])
    finally:
        set_script_prefix(before)


@pytest.mark.parametrize("kind", ["component", "document", "testreport", "odd kind é"])
def test_leading_values_fixed_once_make_the_same_paths(kind):
    """A file's download: its kind fixed once per kind, its number put in per row."""
    links = Links("download", fixed=(kind,))
    for pk in (1, 42, 2**63 - 1):
        assert links(pk) == reverse("download", args=[kind, pk])
    for refused in (-1, "abc", None):
        with pytest.raises(NoReverseMatch):
            links(refused)
