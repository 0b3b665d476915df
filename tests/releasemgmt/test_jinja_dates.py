"""The Jinja2 partials' ``date`` filter writes what Django's does (issue 17: the common
formats are put together directly), for any time a record can hold."""

import datetime

import pytest
from django.template.defaultfilters import date as django_date
from django.utils import timezone

from releasemgmt.jinja import date

UTC = datetime.UTC
MOMENTS = [
    datetime.datetime(2026, 3, 29, 0, 59, 59, tzinfo=UTC),  # the night summer time starts
    datetime.datetime(2026, 10, 25, 1, 0, 1, tzinfo=UTC),  # and the night it ends
    datetime.datetime(1, 1, 2, 0, 0, tzinfo=UTC),
    datetime.datetime(999, 7, 4, 12, 5, 9, tzinfo=UTC),
    datetime.datetime(9999, 12, 31, 20, 0, tzinfo=UTC),
]


@pytest.mark.parametrize("moment", MOMENTS, ids=str)
@pytest.mark.parametrize("form", ["Y-m-d H:i", "Y-m-d H:i:s", "Y-m-d", "j M Y"])
def test_the_filter_writes_what_django_writes(moment, form):
    """As ``{{ moment|date:form }}`` in a Django template, which localises the value
    before its filter (``expects_localtime``)."""
    with timezone.override("Europe/Brussels"):
        assert date(moment, form) == django_date(timezone.localtime(moment), form)


def test_the_time_is_brussels_time_either_side_of_a_change_of_hour():
    with timezone.override("Europe/Brussels"):
        assert date(MOMENTS[0], "Y-m-d H:i") == "2026-03-29 01:59"
        assert date(MOMENTS[1], "Y-m-d H:i:s") == "2026-10-25 02:00:01"


@pytest.mark.parametrize("form", ["Y-m-d", "j M Y"])
def test_a_day_is_written_as_django_writes_it(form):
    day = datetime.date(2026, 12, 1)
    assert date(day, form) == django_date(day, form)


def test_nothing_is_written_for_nothing():
    assert date(None, "Y-m-d H:i") == date("", "Y-m-d H:i") == ""
