"""The filter sets keep their form class between requests (issue 17): each request still
filters by its own values, its method filters ask their own filter set, and a filter whose
choices come from the request keeps them per request."""

import django_filters
from django.contrib.auth import get_user_model
from django.http import QueryDict

from releasemgmt.filtering import FilterSet
from releases.filters import ReleaseFilter
from releases.models import Release

User = get_user_model()


def test_each_request_filters_by_its_own_values_web_and_api(
    client, api, make_release, release_manager
):
    """One after the other and interleaved: the kept form class carries no value of the
    request before, and a method filter (the thread) reads its own request's values."""
    minor = make_release(version="7.1.0")
    major = make_release(version="8.0.0", release_type="major", threads=("a3-cust", "a3-exc"))
    client.force_login(release_manager)
    rest = api(release_manager)

    def listed(query):
        page = client.get(f"/releases/?{query}")
        assert page.status_code == 200
        rows = rest.get(f"/api/v1/releases/?{query}")
        assert rows.status_code == 200
        shown = {r["identifier"] for r in page.context["page"].object_list}
        assert shown == {r["identifier"] for r in rows.json()["results"]}, query
        return shown

    for _ in range(2):
        assert listed("release_type=major") == {major.identifier}
        assert listed("release_type=minor") == {minor.identifier}
        assert listed("thread=a3-exc") == {major.identifier}
        assert listed("") == {minor.identifier, major.identifier}
    bad = rest.get("/api/v1/releases/?release_type=huge")
    assert bad.status_code == 400
    assert "release_type" in bad.json()
    page = client.get("/releases/?release_type=huge")
    assert page.context["filter"].form.errors["release_type"]
    assert listed("release_type=major") == {major.identifier}


def test_two_filter_sets_alive_at_once_each_filter_by_their_own_data(make_release):
    minor = make_release(version="7.1.0")
    major = make_release(version="8.0.0", release_type="major", threads=("a3-exc",))
    one = ReleaseFilter(QueryDict("thread=a3-cust"), queryset=Release.objects.all())
    other = ReleaseFilter(QueryDict("thread=a3-exc"), queryset=Release.objects.all())
    assert type(one.form) is type(other.form)
    assert one.form.fields is not other.form.fields
    assert list(other.qs) == [major]
    assert list(one.qs) == [minor]


class PeopleFilter(FilterSet):
    """A filter set whose choices come from the request: kept per request."""

    person = django_filters.ModelChoiceFilter(
        queryset=lambda request: User.objects.filter(pk=request.user.pk),
        field_name="created_by",
    )

    class Meta:
        model = Release
        fields = ["person"]


class Asked:
    def __init__(self, user):
        self.user = user


def test_a_filter_whose_choices_come_from_the_request_keeps_them_per_request(make_user):
    one, other = make_user("one"), make_user("other")
    mine = PeopleFilter(QueryDict(f"person={one.pk}"), request=Asked(one))
    assert mine.is_valid()
    theirs = PeopleFilter(QueryDict(f"person={one.pk}"), request=Asked(other))
    assert not theirs.is_valid()
    assert "person" in theirs.errors
