"""``field__among=[ids]`` (``releasemgmt.conditions.AmongIds``): the rows whose id or
foreign key is one of a list, as ``__in`` finds them, one array on PostgreSQL and the
list written out on SQLite."""

import pytest
from django.db import connection
from django.db.backends.sqlite3.base import DatabaseWrapper as SQLite
from django.db.models import Q

from releases.models import ActivityRecord, Release

pytestmark = pytest.mark.django_db


def test_the_same_rows_as_in(make_release):
    first, second, third = make_release(), make_release(), make_release()
    wanted = [third.pk, first.pk, first.pk]
    among = Release.objects.filter(pk__among=wanted)
    assert set(among) == set(Release.objects.filter(pk__in=wanted)) == {first, third}
    records = ActivityRecord.objects.filter(release_id__among=[second.pk])
    assert records.exists()
    assert set(records) == set(ActivityRecord.objects.filter(release_id__in=[second.pk]))


def test_an_empty_list_matches_nothing_even_inside_an_or(make_release):
    release = make_release()
    assert not Release.objects.filter(pk__among=[]).exists()
    either = Release.objects.filter(Q(pk__among=[]) | Q(pk=release.pk))
    assert list(either) == [release]


def test_values_that_are_no_integers_are_refused():
    with pytest.raises((TypeError, ValueError)):
        list(Release.objects.filter(pk__among=["1; DROP TABLE releases_release"]))


def test_one_parameter_on_postgresql_and_a_list_on_sqlite():
    query = Release.objects.filter(pk__among=[3, 1, 2]).query
    sql, params = query.get_compiler(connection=connection).as_sql()
    if connection.vendor == "postgresql":
        assert "= ANY(%s)" in sql
        assert params == ([1, 2, 3],)
    sqlite = SQLite({**connection.settings_dict, "ENGINE": "django.db.backends.sqlite3"})
    sql, params = query.get_compiler(connection=sqlite).as_sql()
    assert "IN (%s, %s, %s)" in sql
    assert params == (1, 2, 3)
